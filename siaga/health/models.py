"""Health co-delivery: protocols, cases, monitoring, referrals, contacts, newcomers, doses, zones.

Every health record stores the RT key (``rt_id``) and household of the resident it is about, so
``core.policy`` scopes it by a key range (territory roles) or by household (warga) with no join.
Every computed result (isolation end, triage, quarantine end, zone) names the protocol it used.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siaga.core.codes import LEVEL_KECAMATAN, LEVEL_KELURAHAN, span_for_level

# ---------------------------------------------------------------- vocabularies


class ProtocolKind(models.TextChoices):
    ISOLATION = "isolation", _("Isolation and quarantine")
    ZONING = "zoning", _("RT zoning")
    TRIAGE = "triage", _("Triage")


class Category(models.TextChoices):
    SUSPEK = "suspek", _("Suspect (suspek)")
    PROBABLE = "probable", _("Probable")
    KONFIRMASI = "konfirmasi", _("Confirmed (konfirmasi)")


class IsolationPlace(models.TextChoices):
    ISOMAN = "isoman", _("Home isolation (isoman)")
    TERPUSAT = "terpusat", _("Central isolation (isolasi terpusat)")
    RUMAH_SAKIT = "rumah_sakit", _("Hospital (rumah sakit)")


class Outcome(models.TextChoices):
    NONE = "", _("Ongoing")
    SELESAI = "selesai", _("Isolation completed (selesai isolasi)")
    DIRUJUK = "dirujuk", _("Referred (dirujuk)")
    MENINGGAL = "meninggal", _("Died (meninggal)")
    PINDAH = "pindah", _("Moved (pindah)")


class Method(models.TextChoices):
    KUNJUNGAN = "kunjungan", _("Home visit (kunjungan)")
    TELEPON = "telepon", _("Phone call (telepon)")
    MANDIRI = "mandiri", _("Self-report (mandiri)")


class Slot(models.TextChoices):
    PAGI = "pagi", _("Morning (pagi)")
    SORE = "sore", _("Evening (sore)")


class Symptom(models.TextChoices):
    DEMAM = "demam", _("Fever")
    BATUK = "batuk", _("Cough")
    PILEK = "pilek", _("Runny nose")
    SAKIT_TENGGOROKAN = "sakit_tenggorokan", _("Sore throat")
    SESAK_NAPAS = "sesak_napas", _("Shortness of breath")
    ANOSMIA = "anosmia", _("Loss of smell")
    DIARE = "diare", _("Diarrhoea")
    LEMAS = "lemas", _("Weakness")
    NYERI_DADA = "nyeri_dada", _("Chest pain")
    PENURUNAN_KESADARAN = "penurunan_kesadaran", _("Reduced consciousness")


class Triage(models.TextChoices):
    NORMAL = "normal", _("Normal")
    WASPADA = "waspada", _("Watch (waspada): re-check within 4 hours")
    RUJUK = "rujuk", _("Refer today (rujuk)")
    DARURAT = "darurat", _("Emergency (darurat)")


TRIAGE_RANK = {"normal": 0, "waspada": 1, "rujuk": 2, "darurat": 3}


class ReferralState(models.TextChoices):
    DIBUAT = "dibuat", _("Created (dibuat)")
    DITERIMA = "diterima", _("Acknowledged (diterima)")
    SELESAI = "selesai", _("Completed (selesai)")


class ReferralOutcome(models.TextChoices):
    NONE = "", _("—")
    RAWAT_INAP = "rawat_inap", _("Admitted to hospital")
    TERPUSAT = "terpusat", _("Moved to central isolation")
    ISOMAN = "isoman", _("Back to home isolation")


class TestResult(models.TextChoices):
    NONE = "", _("Not tested")
    NEGATIF = "negatif", _("Negative")
    POSITIF = "positif", _("Positive")


class ContactStatus(models.TextChoices):
    KARANTINA = "karantina", _("In quarantine")
    SELESAI = "selesai", _("Quarantine ended")
    KASUS = "kasus", _("Became a case")


class Vaccine(models.TextChoices):
    SINOVAC = "sinovac", "CoronaVac (Sinovac)"
    ASTRAZENECA = "astrazeneca", "AstraZeneca"
    SINOPHARM = "sinopharm", "Sinopharm"
    MODERNA = "moderna", "Moderna"
    PFIZER = "pfizer", "Pfizer-BioNTech"
    NOVAVAX = "novavax", "Novavax"
    JANSSEN = "janssen", "Janssen"
    LAINNYA = "lainnya", _("Other")


class Zone(models.TextChoices):
    HIJAU = "hijau", _("Green (hijau)")
    KUNING = "kuning", _("Yellow (kuning)")
    ORANYE = "oranye", _("Orange (oranye)")
    MERAH = "merah", _("Red (merah)")


def _choice_check(field: str, choices: type[models.TextChoices], name: str) -> Any:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# ---------------------------------------------------------------- protocols


class Protocol(models.Model):
    """A versioned rule set with the date it takes effect; parameters validated by ``protocols``.

    The version in force on a date is the one of that kind with the latest ``effective_from`` on
    or before the date. Results name the version they used; a version that has been used is not
    edited in place (``services.update_protocol`` refuses): publish a new version instead.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ProtocolKind.choices)
    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("in force from"))
    params = models.JSONField(_("parameters"), default=dict)
    source = models.CharField(_("source"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-effective_from"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="protocol_unique_name"),
            models.UniqueConstraint(
                fields=["kind", "effective_from"], name="protocol_unique_effective_date"
            ),
            _choice_check("kind", ProtocolKind, "protocol_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- puskesmas


class Puskesmas(models.Model):
    """A community health centre. Its working area (wilayah kerja) is one or more kelurahan:
    referrals from residents there go to it, and its staff hold the ``puskesmas`` role on each
    of those kelurahan (kept in step by ``health.services.puskesmas``; see ADR 11)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    territory = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
        help_text=_("Where the puskesmas stands; who may manage it follows this place."),
    )
    area: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "territory.Territory",
        through="PuskesmasArea",
        related_name="+",
        verbose_name=_("working area"),
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["name"]
        verbose_name = _("puskesmas")
        verbose_name_plural = _("puskesmas")

    def __str__(self) -> str:
        return self.name


class PuskesmasArea(models.Model):
    """One kelurahan of a puskesmas's working area. A kelurahan is covered by one puskesmas."""

    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.CASCADE, related_name="area_rows")
    kelurahan = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("working area")
        verbose_name_plural = _("working areas")
        constraints = [
            models.UniqueConstraint(fields=["kelurahan"], name="puskesmas_area_one_per_kelurahan"),
            # The territory key says its level: a kelurahan key has a kelurahan part and no
            # RW/RT part (core.codes), so the DB itself refuses an RW or a kecamatan here.
            models.CheckConstraint(
                condition=Q(
                    Exact(Mod(models.F("kelurahan_id"), span_for_level(LEVEL_KELURAHAN)), 0)
                )
                & ~Q(Exact(Mod(models.F("kelurahan_id"), span_for_level(LEVEL_KECAMATAN)), 0)),
                name="puskesmas_area_is_kelurahan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.puskesmas_id}@{self.kelurahan_id}"


class DestinationKind(models.TextChoices):
    RUMAH_SAKIT = "rumah_sakit", _("Hospital (rumah sakit)")
    ISOLASI_TERPUSAT = "isolasi_terpusat", _("Central isolation (isolasi terpusat)")


class Destination(models.Model):
    """Where a puskesmas sends a resident onward: a hospital or the city isolation centre."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DestinationKind.choices)
    territory = models.ForeignKey(
        "territory.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("location"),
        help_text=_("Where it stands; who may manage it follows this place."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("receiving referrals"), default=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("referral destination")
        verbose_name_plural = _("referral destinations")
        constraints = [_choice_check("kind", DestinationKind, "destination_kind_valid")]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- base for health records


class HealthRecord(models.Model):
    """Columns every health record carries for the access policy (copied from the resident)."""

    rt = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_territory_field = "rt_id"
    scope_household_field = "household_id"

    class Meta:
        abstract = True


class Case(HealthRecord):
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, related_name="health_cases"
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    specimen_on = models.DateField(_("specimen date"))
    confirmed_on = models.DateField(_("confirmation date"), null=True, blank=True)
    onset_on = models.DateField(_("symptom onset"), null=True, blank=True)
    isolation_place = models.CharField(
        _("place of isolation"), max_length=12, choices=IsolationPlace.choices
    )
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    isolation_ends_on = models.DateField(_("planned end of isolation"))
    end_reasons = models.JSONField(default=list, blank=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_note = models.CharField(_("extension note"), max_length=255, blank=True)
    eligibility_unmet = models.JSONField(default=list, blank=True)
    place_chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default="", blank=True
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-specimen_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            _choice_check("category", Category, "case_category_valid"),
            _choice_check("isolation_place", IsolationPlace, "case_place_valid"),
            _choice_check("outcome", Outcome, "case_outcome_valid"),
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True)
                | Q(confirmed_on__gte=models.F("specimen_on")),
                name="case_confirmed_after_specimen",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "confirmed_on", "rt"], name="case_zoning"),
            models.Index(fields=["rt", "outcome"], name="case_rt_active"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.outcome == ""


class Contact(HealthRecord):
    """A close contact (kontak erat) of a case, in quarantine per the protocol in force."""

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, related_name="health_contacts"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    last_exposure_on = models.DateField(_("last exposure"))
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    quarantine_ends_on = models.DateField(_("end of quarantine"))
    end_reasons = models.JSONField(default=list, blank=True)
    entry_test_on = models.DateField(_("entry test date"), null=True, blank=True)
    entry_test_result = models.CharField(
        _("entry test"), max_length=8, choices=TestResult.choices, default="", blank=True
    )
    exit_test_on = models.DateField(_("exit test date"), null=True, blank=True)
    exit_test_result = models.CharField(
        _("exit test"), max_length=8, choices=TestResult.choices, default="", blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ContactStatus.choices, default=ContactStatus.KARANTINA
    )
    became_case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="source_contact"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_exposure_on", "-id"]
        verbose_name = _("close contact")
        verbose_name_plural = _("close contacts")
        constraints = [
            _choice_check("status", ContactStatus, "contact_status_valid"),
            _choice_check("entry_test_result", TestResult, "contact_entry_test_valid"),
            _choice_check("exit_test_result", TestResult, "contact_exit_test_valid"),
            models.UniqueConstraint(fields=["case", "resident"], name="contact_unique_per_case"),
        ]
        indexes = [models.Index(fields=["rt", "status"], name="contact_rt_status")]

    def __str__(self) -> str:
        return f"{_('Contact')} #{self.pk}"


class Referral(HealthRecord):
    """A danger sign sent to the puskesmas: dibuat → diterima → selesai, with timestamps."""

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, related_name="health_referrals"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    puskesmas = models.ForeignKey(
        Puskesmas, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    level = models.CharField(_("level"), max_length=8, choices=Triage.choices)
    reasons = models.JSONField(default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ReferralState.choices, default=ReferralState.DIBUAT
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ReferralOutcome.choices, default="", blank=True
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            _choice_check("state", ReferralState, "referral_state_valid"),
            _choice_check("outcome", ReferralOutcome, "referral_outcome_valid"),
            models.CheckConstraint(
                condition=Q(level__in=["rujuk", "darurat"]), name="referral_level_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="selesai") | ~Q(outcome=""), name="referral_completed_outcome"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "acknowledge_by"], name="referral_due"),
            models.Index(fields=["rt", "state"], name="referral_rt_state"),
        ]

    def __str__(self) -> str:
        return f"{_('Referral')} #{self.pk}"


class OnwardState(models.TextChoices):
    DIKIRIM = "dikirim", _("Sent (dikirim)")
    DITERIMA = "diterima", _("Admitted (diterima)")
    DITOLAK = "ditolak", _("Refused (ditolak)")


class OnwardReferral(HealthRecord):
    """The puskesmas sends a referred resident on to a hospital or the isolation centre:
    dikirim → diterima (admitted; the referral completes) or ditolak (refused: send elsewhere)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="onward")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=10, choices=OnwardState.choices, default=OnwardState.DIKIRIM
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("onward referral")
        verbose_name_plural = _("onward referrals")
        constraints = [
            _choice_check("state", OnwardState, "onward_state_valid"),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(state="dikirim"),
                name="onward_one_open_per_referral",
            ),
            models.CheckConstraint(
                condition=Q(state="dikirim") | Q(closed_at__isnull=False),
                name="onward_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Onward referral')} #{self.pk}"


class Monitoring(HealthRecord):
    """One check of an isolating case or quarantined contact, with its triage and reasons."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="monitoring"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="monitoring"
    )
    taken_at = models.DateTimeField(_("time"))
    day = models.DateField(_("day"))
    slot = models.CharField(_("slot"), max_length=4, choices=Slot.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(
        _("respiratory rate (/min)"), null=True, blank=True
    )
    pulse = models.PositiveSmallIntegerField(_("pulse (/min)"), null=True, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    triage = models.CharField(_("triage"), max_length=8, choices=Triage.choices)
    reasons = models.JSONField(default=list, blank=True)
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name = _("monitoring record")
        verbose_name_plural = _("monitoring records")
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(contact__isnull=True))
                | (Q(case__isnull=True) & Q(contact__isnull=False)),
                name="monitoring_one_subject",
            ),
            _choice_check("slot", Slot, "monitoring_slot_valid"),
            _choice_check("method", Method, "monitoring_method_valid"),
            _choice_check("triage", Triage, "monitoring_triage_valid"),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True)
                | Q(temperature_c__gte=30, temperature_c__lte=45),
                name="monitoring_temperature_range",
            ),
            models.CheckConstraint(
                condition=Q(spo2__isnull=True) | Q(spo2__gte=50, spo2__lte=100),
                name="monitoring_spo2_range",
            ),
            models.CheckConstraint(
                condition=Q(respiratory_rate__isnull=True)
                | Q(respiratory_rate__gte=4, respiratory_rate__lte=80),
                name="monitoring_rr_range",
            ),
            models.CheckConstraint(
                condition=Q(pulse__isnull=True) | Q(pulse__gte=20, pulse__lte=250),
                name="monitoring_pulse_range",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "taken_at"], name="monitoring_case_time"),
            models.Index(fields=["contact", "taken_at"], name="monitoring_contact_time"),
            models.Index(fields=["day", "slot"], name="monitoring_day_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M} {self.triage}"


class MissedSlot(HealthRecord):
    """A monitoring slot that passed with no record (flagged once to the RW health team)."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="missed_slots"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="missed_slots"
    )
    day = models.DateField()
    slot = models.CharField(max_length=4, choices=Slot.choices)
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "day", "slot"],
                condition=Q(case__isnull=False),
                name="missed_slot_case_unique",
            ),
            models.UniqueConstraint(
                fields=["contact", "day", "slot"],
                condition=Q(contact__isnull=False),
                name="missed_slot_contact_unique",
            ),
        ]


class Newcomer(HealthRecord):
    """A pendatang (as Semarang's Sidatang): arrival, origin, destination household, test."""

    name = models.CharField(_("name"), max_length=150)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    arrived_on = models.DateField(_("arrival date"))
    origin_code = models.CharField(_("origin region code"), max_length=13)
    test_result = models.CharField(
        _("test result"), max_length=8, choices=TestResult.choices, default="", blank=True
    )
    tested_on = models.DateField(_("test date"), null=True, blank=True)
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="+")
    quarantine_required = models.BooleanField(_("quarantine required"), default=False)
    quarantine_ends_on = models.DateField(_("end of quarantine"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-arrived_on", "-id"]
        verbose_name = _("newcomer")
        verbose_name_plural = _("newcomers")
        constraints = [_choice_check("test_result", TestResult, "newcomer_test_valid")]
        indexes = [models.Index(fields=["rt", "arrived_on"], name="newcomer_rt_arrived")]

    def __str__(self) -> str:
        return self.name


class Vaccination(HealthRecord):
    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.PROTECT, related_name="vaccinations"
    )
    given_on = models.DateField(_("date"))
    vaccine = models.CharField(_("vaccine"), max_length=12, choices=Vaccine.choices)
    dose = models.PositiveSmallIntegerField(_("dose number"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resident_id", "dose"]
        verbose_name = _("vaccination")
        verbose_name_plural = _("vaccinations")
        constraints = [
            models.UniqueConstraint(fields=["resident", "dose"], name="vaccination_unique_dose"),
            models.CheckConstraint(condition=Q(dose__gte=1, dose__lte=5), name="vaccination_dose"),
            _choice_check("vaccine", Vaccine, "vaccination_vaccine_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_vaccine_display()} #{self.dose}"


class ZoneDay(models.Model):
    """The zone of one RT on one day: distinct houses with a confirmed case in D-6…D.

    Kept as history: a stored day is not rewritten except by an explicit, audited recompute.
    """

    # Only the (day, rt) unique index: ~10,600 rows a day for a city, so every extra index costs
    # insert time; lookups are by day and RT range, which that index serves.
    rt = models.ForeignKey(
        "territory.Territory", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    day = models.DateField()
    houses = models.PositiveIntegerField()
    zone = models.CharField(max_length=8, choices=Zone.choices)
    protocol = models.ForeignKey(
        Protocol, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    computed_at = models.DateTimeField(default=timezone.now)

    scope_territory_field = "rt_id"

    class Meta:
        ordering = ["day", "rt_id"]
        verbose_name = _("RT zone")
        verbose_name_plural = _("RT zones")
        constraints = [
            models.UniqueConstraint(fields=["day", "rt"], name="zone_day_unique"),
            _choice_check("zone", Zone, "zone_valid"),
        ]
