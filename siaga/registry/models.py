from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siaga.registry.identity import age_on, nik_warnings

LANSIA_AGE = 60


class Sex(models.TextChoices):
    L = "L", _("Male (L)")
    P = "P", _("Female (P)")


class Relation(models.TextChoices):
    KEPALA = "kepala", _("Head of household")
    ISTRI = "istri", _("Wife")
    SUAMI = "suami", _("Husband")
    ANAK = "anak", _("Child")
    MENANTU = "menantu", _("Child-in-law")
    CUCU = "cucu", _("Grandchild")
    ORANG_TUA = "orang_tua", _("Parent")
    MERTUA = "mertua", _("Parent-in-law")
    FAMILI_LAIN = "famili_lain", _("Other relative")
    LAINNYA = "lainnya", _("Other")


class DomicileStatus(models.TextChoices):
    TETAP = "tetap", _("Permanent (tetap)")
    PENDATANG = "pendatang", _("Newcomer (pendatang)")
    PINDAH = "pindah", _("Moved away (pindah)")
    MENINGGAL = "meninggal", _("Deceased (meninggal)")


class Comorbidity(models.TextChoices):
    HIPERTENSI = "hipertensi", _("Hypertension")
    DIABETES = "diabetes", _("Diabetes")
    JANTUNG = "jantung", _("Heart disease")
    PARU = "paru", _("Chronic lung disease (COPD, asthma)")
    GINJAL = "ginjal", _("Kidney disease")
    KANKER = "kanker", _("Cancer")
    TBC = "tbc", _("Tuberculosis")
    HIV = "hiv", _("HIV")
    OBESITAS = "obesitas", _("Obesity")
    AUTOIMUN = "autoimun", _("Autoimmune disease")
    LAINNYA = "lainnya", _("Other")


class Vulnerability(models.TextChoices):
    LANSIA = "lansia", _("Elderly (60+)")
    KOMORBID = "komorbid", _("Comorbidity")
    HAMIL = "hamil", _("Pregnant")
    DISABILITAS = "disabilitas", _("Disability")


class Household(models.Model):
    """A family registered on one Kartu Keluarga, living in one RT."""

    kk = models.CharField(_("No. KK"), max_length=16, unique=True)
    rt = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("RT"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    head = models.ForeignKey(
        "Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head of household"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_territory_field = "rt_id"
    scope_household_field = "id"

    class Meta:
        ordering = ["rt_id", "address", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.CheckConstraint(condition=Q(kk__length=16), name="household_kk_16_digits"),
        ]

    def __str__(self) -> str:
        return f"KK {self.kk}"


class ResidentQuerySet(models.QuerySet["Resident"]):
    def vulnerable(self, flag: str, today: dt.date | None = None) -> ResidentQuerySet:
        today = today or timezone.localdate()
        if flag == Vulnerability.LANSIA:
            return self.filter(birth_date__lte=_years_before(today, LANSIA_AGE))
        if flag == Vulnerability.KOMORBID:
            return self.exclude(comorbidities=[])
        if flag == Vulnerability.HAMIL:
            return self.filter(hamil=True)
        if flag == Vulnerability.DISABILITAS:
            return self.filter(disabilitas=True)
        return self.none()


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Resident(models.Model):
    """A person living (or who lived) in an RT. NIK is unique where present."""

    nik = models.CharField(_("NIK"), max_length=16, blank=True, default="")
    name = models.CharField(_("name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_place = models.CharField(_("birth place"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("household"),
    )
    relation = models.CharField(
        _("relation to head"), max_length=16, choices=Relation.choices, default=Relation.LAINNYA
    )
    rt = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("RT"),
        db_index=False,  # resident_rt_name (rt, name) serves every rt_id look-up and range
    )
    status = models.CharField(
        _("domicile status"),
        max_length=12,
        choices=DomicileStatus.choices,
        default=DomicileStatus.TETAP,
    )
    comorbidities = models.JSONField(_("comorbidities"), default=list, blank=True)
    hamil = models.BooleanField(_("pregnant"), default=False)
    disabilitas = models.BooleanField(_("disability"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    scope_territory_field = "rt_id"
    scope_household_field = "household_id"
    scope_resident_field = "id"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["nik"], condition=~Q(nik=""), name="resident_nik_unique_when_present"
            ),
            models.CheckConstraint(
                condition=Q(nik="") | Q(nik__length=16), name="resident_nik_16_digits"
            ),
            models.CheckConstraint(condition=Q(sex__in=["L", "P"]), name="resident_sex_valid"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DomicileStatus]),
                name="resident_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(relation__in=[r.value for r in Relation]),
                name="resident_relation_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["rt", "name"], name="resident_rt_name"),
            models.Index(fields=["birth_date"], name="resident_birth_date"),
            models.Index(fields=["name"], name="resident_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def age(self, on: dt.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return age_on(self.birth_date, on or timezone.localdate())

    @property
    def flags(self) -> list[str]:
        flags = []
        age = self.age()
        if age is not None and age >= LANSIA_AGE:
            flags.append(Vulnerability.LANSIA.value)
        if self.comorbidities:
            flags.append(Vulnerability.KOMORBID.value)
        if self.hamil:
            flags.append(Vulnerability.HAMIL.value)
        if self.disabilitas:
            flags.append(Vulnerability.DISABILITAS.value)
        return flags

    @property
    def without_nik(self) -> bool:
        return not self.nik

    @property
    def warnings(self) -> list[str]:
        return nik_warnings(self.nik, birth_date=self.birth_date, sex=self.sex)
