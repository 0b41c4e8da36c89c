"""Program indicators: precomputed aggregates read by the dashboards and the co-production
matrix. Refreshed by a scheduled job and on demand (see ``services``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndicatorValue(models.Model):
    """One indicator's numerator and denominator for one territory node on one day.

    Every node carries its whole subtree (an RT's rows roll up into its RW, kelurahan,
    kecamatan, kota and provinsi), so a kota-wide query reads one row per indicator and day.
    ``samples`` holds the raw values of percentile indicators (minutes), merged on rollup.
    """

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    indicator = models.CharField(max_length=40)
    numerator = models.FloatField(default=0)
    denominator = models.FloatField(default=0)
    samples = models.JSONField(null=True, blank=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["territory_id", "indicator", "day"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "territory", "day"], name="indicator_value_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["territory", "indicator", "day"], name="indicator_value_read"),
            models.Index(fields=["day"], name="indicator_value_day"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.territory_id} {self.day}"


class RefreshRun(models.Model):
    """One refresh of the aggregates: which days and subtree, how many rows, how long."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    day_from = models.DateField()
    day_to = models.DateField()
    territory = models.ForeignKey(
        "territory.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=16, default="manual")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("indicator refresh")
        verbose_name_plural = _("indicator refreshes")


class CoproductionDay(models.Model):
    """Acts of one co-production cell (phase × actor group) in one territory node on one day,
    with the distinct people who acted (their ``person_key``s, one per line: merged as sets over a period,
    since distinct people cannot be summed). Kept for kota … kelurahan nodes only; the matrix of
    an RW or RT is counted live from the ledger (small ranges of its index)."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    phase = models.CharField(max_length=20)
    actor_group = models.CharField(max_length=20)
    acts = models.PositiveIntegerField()
    # The distinct person keys, one per line (plain text: far cheaper to read back than JSON
    # for a kota-year of about a million keys).
    people = models.TextField(blank=True)

    scope_territory_field = "territory_id"

    class Meta:
        ordering = ["territory_id", "day"]
        verbose_name = _("co-production day")
        verbose_name_plural = _("co-production days")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "day", "phase", "actor_group"], name="coproduction_day_unique"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="coproduction_day_day")]
