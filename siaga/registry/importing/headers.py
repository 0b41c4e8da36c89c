"""Finding which column holds what, from the header names people actually type.

Headers are compared case- and punctuation-insensitively, with text in brackets dropped
("Tgl. Lahir (dd-mm-yyyy)" is "tgllahir"). The detected :class:`ColumnMapping` is shown to the
user, who may correct it (``ColumnMapping.with_override``) before validation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.registry.importing.readers import ImportRefused


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    header: str  # the header written by the template and the export
    aliases: tuple[str, ...]


FIELDS: tuple[Field, ...] = (
    Field(
        "nik",
        gettext_lazy("NIK"),
        "NIK",
        ("nik", "nonik", "nomornik", "nomorinduk", "nomorindukkependudukan", "noktp", "ktp"),
    ),
    Field(
        "kk",
        gettext_lazy("No. KK"),
        "No KK",
        (
            "nokk",
            "kk",
            "nomorkk",
            "nokartukeluarga",
            "nomorkartukeluarga",
            "kartukeluarga",
            "familycard",
            "familycardnumber",
            "familycardno",
        ),
    ),
    Field(
        "name",
        gettext_lazy("Name"),
        "Nama Lengkap",
        ("nama", "namalengkap", "namawarga", "namapenduduk", "name", "fullname"),
    ),
    Field(
        "sex",
        gettext_lazy("Sex (L/P)"),
        "Jenis Kelamin",
        ("jk", "lp", "jeniskelamin", "kelamin", "sex", "gender"),
    ),
    Field(
        "birth_place",
        gettext_lazy("Birth place"),
        "Tempat Lahir",
        ("tempatlahir", "tmplahir", "tmptlahir", "birthplace", "placeofbirth"),
    ),
    Field(
        "birth_date",
        gettext_lazy("Birth date"),
        "Tanggal Lahir",
        (
            "tgllahir",
            "tanggallahir",
            "tgllhr",
            "tanggallhr",
            "birthdate",
            "dateofbirth",
            "dob",
        ),
    ),
    Field(
        "birth_place_date",
        gettext_lazy("Place and date of birth"),
        "Tempat, Tanggal Lahir",
        ("ttl", "tempattanggallahir", "tempattgllahir", "tempatdantanggallahir"),
    ),
    Field("address", gettext_lazy("Address"), "Alamat", ("alamat", "alamatrumah", "address")),
    Field("rt", gettext_lazy("RT"), "RT", ("rt", "nort", "nomorrt")),
    Field("rw", gettext_lazy("RW"), "RW", ("rw", "norw", "nomorrw")),
    Field("rt_rw", gettext_lazy("RT/RW"), "RT/RW", ("rtrw",)),
    Field(
        "kelurahan",
        gettext_lazy("Kelurahan/desa"),
        "Kelurahan",
        ("kelurahan", "desa", "kelurahandesa", "desakelurahan", "kel", "village"),
    ),
    Field(
        "phone",
        gettext_lazy("Phone"),
        "No HP",
        (
            "nohp",
            "hp",
            "notelp",
            "notelepon",
            "telp",
            "telepon",
            "wa",
            "nowa",
            "whatsapp",
            "nomorhp",
            "nomortelepon",
            "phone",
            "phonenumber",
            "mobile",
        ),
    ),
    Field(
        "relation",
        gettext_lazy("Relation to head of household"),
        "Status Hubungan Dalam Keluarga",
        (
            "statushubungandalamkeluarga",
            "shdk",
            "hubungan",
            "hubungankeluarga",
            "hubungandalamkeluarga",
            "statushubungan",
            "statusdalamkeluarga",
            "relation",
            "relationtohead",
            "relationship",
        ),
    ),
    Field(
        "status",
        gettext_lazy("Domicile status"),
        "Status Domisili",
        ("statusdomisili", "domisili", "statuspenduduk", "domicilestatus"),
    ),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}
_ALIASES = {alias: f.key for f in FIELDS for alias in f.aliases}
# The columns of the template and of the residents export, in order.
TEMPLATE_FIELDS = (
    "nik",
    "kk",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "address",
    "rt",
    "rw",
    "kelurahan",
    "phone",
    "relation",
    "status",
)
HEADER_SCAN_ROWS = 10


def normalise_header(text: Any) -> str:
    """ "No. Kartu Keluarga (16 digit)" -> "nokartukeluarga"."""
    value = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", str(text or ""))
    return re.sub(r"[^0-9a-z]", "", value.casefold())


@dataclass
class ColumnMapping:
    """Field key → column index (0-based), with the file's header texts."""

    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    header_row: int = 1

    @property
    def ignored(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if i not in used and h]

    def header_of(self, key: str) -> str:
        index = self.columns.get(key)
        if index is None:
            return str(FIELDS_BY_KEY[key].label)
        return self.headers[index] or str(FIELDS_BY_KEY[key].label)

    def missing_required(self) -> list[str]:
        """Human labels of the columns an import cannot do without."""
        missing = []
        if "nik" not in self.columns:
            missing.append("NIK")
        if "name" not in self.columns:
            missing.append(str(FIELDS_BY_KEY["name"].label))
        return missing

    def as_dict(self) -> dict[str, Any]:
        """For a UI: every field with the column (index and header) it reads, or None."""
        return {
            "header_row": self.header_row,
            "headers": self.headers,
            "fields": [
                {
                    "field": f.key,
                    "label": str(f.label),
                    "column": self.columns.get(f.key),
                    "header": (
                        self.headers[self.columns[f.key]] if f.key in self.columns else None
                    ),
                }
                for f in FIELDS
            ],
            "ignored": self.ignored,
        }

    def with_override(self, override: Mapping[str, int | str | None]) -> ColumnMapping:
        """A copy with some fields pointed at other columns (index or header text) or at none."""
        columns = dict(self.columns)
        for key, target in override.items():
            if key not in FIELDS_BY_KEY:
                raise ImportRefused(_("Unknown field %(field)s.") % {"field": key})
            if target is None or target == "":
                columns.pop(key, None)
                continue
            index = self._index_of(target)
            # a column feeds one field: moving it takes it away from any other field
            for other, other_index in list(columns.items()):
                if other_index == index and other != key:
                    del columns[other]
            columns[key] = index
        return ColumnMapping(headers=self.headers, columns=columns, header_row=self.header_row)

    def _index_of(self, target: int | str) -> int:
        if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
            index = int(target)
            if 0 <= index < len(self.headers):
                return index
        else:
            wanted = normalise_header(target)
            for index, header in enumerate(self.headers):
                if header == target or normalise_header(header) == wanted:
                    return index
        raise ImportRefused(_("The file has no column %(column)s.") % {"column": target})


def detect(headers: Sequence[Any], header_row: int = 1) -> ColumnMapping:
    """The mapping for a header row; the first column with a given meaning wins."""
    texts = ["" if h is None else str(h).strip() for h in headers]
    columns: dict[str, int] = {}
    for index, text in enumerate(texts):
        key = _ALIASES.get(normalise_header(text))
        if key is None:
            key = _guess(normalise_header(text))
        if key is not None and key not in columns:
            columns[key] = index
    return ColumnMapping(headers=texts, columns=columns, header_row=header_row)


def _guess(header: str) -> str | None:
    """Looser matches for headers with extra words ("NIK Warga", "Nama Kepala Keluarga" is not)."""
    if not header:
        return None
    if header.startswith("nik") or header.endswith("nik"):
        return "nik"
    if "kartukeluarga" in header or header.startswith("nokk"):
        return "kk"
    if "tanggallahir" in header or "tgllahir" in header:
        return "birth_date"
    if "tempatlahir" in header:
        return "birth_place"
    if header.startswith(("nohp", "notelp", "nowa")):
        return "phone"
    return None


def find_header_row(rows: Iterable[tuple[int, list[Any]]]) -> ColumnMapping:
    """The first of the top rows that names NIK or name columns (title rows above are skipped)."""
    first: ColumnMapping | None = None
    for scanned, (number, values) in enumerate(rows):
        if scanned >= HEADER_SCAN_ROWS:
            break
        if not any(v not in (None, "") for v in values):
            continue
        mapping = detect(values, header_row=number)
        if first is None:
            first = mapping
        if "nik" in mapping.columns or "name" in mapping.columns:
            return mapping
    if first is None:
        raise ImportRefused(_("The file has no rows."))
    return first
