from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.core import codes


class Level(models.IntegerChoices):
    PROVINSI = codes.LEVEL_PROVINSI, _("Province")
    KABUPATEN = codes.LEVEL_KABUPATEN, _("Regency/City")
    KECAMATAN = codes.LEVEL_KECAMATAN, _("District (kecamatan)")
    KELURAHAN = codes.LEVEL_KELURAHAN, _("Village (kelurahan/desa)")
    RW = codes.LEVEL_RW, _("RW")
    RT = codes.LEVEL_RT, _("RT")


LEVEL_SLUGS = {
    Level.PROVINSI: "provinsi",
    Level.KABUPATEN: "kabupaten",
    Level.KECAMATAN: "kecamatan",
    Level.KELURAHAN: "kelurahan",
    Level.RW: "rw",
    Level.RT: "rt",
}


class Territory(models.Model):
    """One node of provinsi › kabupaten/kota › kecamatan › kelurahan/desa › RW › RT.

    The primary key is the numeric form of the code (see ``codes``): the whole subtree of a node
    is ``id BETWEEN key AND key + span - 1``, and any table with a foreign key to an RT can be
    scoped to a territory by a range on that foreign key column, with no join.
    """

    id = models.BigIntegerField(primary_key=True)
    code = models.CharField(_("code"), max_length=21, unique=True)
    name = models.CharField(_("name"), max_length=150)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_territory_field = "id"

    class Meta:
        ordering = ["id"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=codes.LEVEL_PROVINSI, level__lte=codes.MAX_LEVEL),
                name="territory_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(level=codes.LEVEL_PROVINSI, parent__isnull=True)
                | models.Q(level__gt=codes.LEVEL_PROVINSI, parent__isnull=False),
                name="territory_parent_unless_province",
            ),
        ]
        indexes = [models.Index(fields=["level", "id"], name="territory_level_id")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.level == Level.RW:
            return f"RW {self.code.rsplit('.', 1)[1]}"
        if self.level == Level.RT:
            return f"RT {self.code.rsplit('.', 1)[1]}"
        return self.name

    @property
    def number(self) -> int | None:
        """The RW or RT number, None above RW."""
        return int(self.code.rsplit(".", 1)[1]) if self.level >= Level.RW else None

    @property
    def level_slug(self) -> str:
        return LEVEL_SLUGS[Level(self.level)]

    @property
    def span(self) -> int:
        return codes.span_for_level(self.level)

    @property
    def bounds(self) -> tuple[int, int]:
        """Inclusive key range of this node's subtree (itself included)."""
        return self.id, self.id + self.span - 1

    def contains(self, other: Territory | int) -> bool:
        key = other if isinstance(other, int) else other.id
        low, high = self.bounds
        return low <= key <= high
