"""Reading one spreadsheet cell into a registry value, the way kelurahan files are typed.

Every parser takes the raw cell (text from a CSV; text, number or datetime from an XLSX) and
returns the cleaned value, ``""``/``None`` for an empty cell, or raises :class:`CellError` whose
message is user-facing and translated. Identity rules are registry.identity's, not copies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import phonenumbers
from django.utils.translation import gettext as _

from siaga.registry.identity import IdentityError, clean_digits, decode_nik, normalise_phone
from siaga.registry.identity import validate_kk as _validate_kk
from siaga.registry.models import DomicileStatus, Relation
from siaga.registry.rules import birth_date_error, clean_name, name_error

Cell = Any  # str | int | float | datetime | date | time | bool | None

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Excel keeps 15 significant digits; a double holds integers exactly only up to 2**53.
_EXACT_FLOAT_LIMIT = 2**53


class CellError(ValueError):
    """A cell that cannot be used; str() is the user-facing reason."""


def is_empty(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: Cell) -> str:
    """The cell as a user would recognise it in an error list."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1e15:
            return f"{value:.5E}"
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d-%m-%Y %H:%M") if value.time() else value.strftime("%d-%m-%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return str(value).strip()


# --- NIK and No. KK -------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")


def _number_lost_message(label: str) -> str:
    return _(
        "%(label)s was stored as a number, so Excel has dropped its last digits. Format the "
        "%(label)s column as Text in the spreadsheet, type the number again and upload the file "
        "again."
    ) % {"label": label}


def identity_digits(value: Cell, label: str) -> str:
    """The digits of a NIK/No. KK cell, or CellError when a number cell has lost precision."""
    if isinstance(value, bool):
        raise CellError(_("%(label)s must be exactly 16 digits") % {"label": label})
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= _EXACT_FLOAT_LIMIT:
            raise CellError(_number_lost_message(label))
        value = int(value)
    if isinstance(value, int):
        digits = str(value)
        # A 16-digit number typed into a number cell keeps 15 significant digits: the 16th (and
        # any further) digit comes back as zero. We cannot tell it from a real trailing zero.
        if len(digits) >= 16 and digits[15:].strip("0") == "":
            raise CellError(_number_lost_message(label))
        return digits
    text = str(value).strip()
    if len(text) == 16 and text.isdigit():
        return text
    if _SCIENTIFIC.match(text.lstrip("'")):
        raise CellError(_number_lost_message(label))
    return clean_digits(text)


def parse_nik(value: Cell, today: dt.date | None = None) -> str:
    """A valid NIK (16 digits) or "" for an empty cell."""
    if is_empty(value):
        return ""
    digits = identity_digits(value, "NIK")
    try:
        return decode_nik(digits, today=today).nik
    except IdentityError as exc:
        raise CellError(str(exc)) from None


_NIK_PREFIXES_KEPT = 50_000  # distinct region + birth-date prefixes remembered per import


def nik_parser(today: dt.date | None = None) -> Callable[[Cell], str]:
    """``parse_nik`` for one import, answering at once for NIKs whose first 12 digits it has
    already seen accepted.

    registry.identity.decode_nik judges a 16-digit NIK by its first 12 digits (region and birth
    date) and by its serial not being 0000; nothing else. So a plain 16-ASCII-digit cell whose
    first 12 digits decode_nik accepted before (same ``today``) and whose serial is not 0000 is
    valid, and is returned unchanged exactly as parse_nik would. Every other cell takes the full
    path. The remembered prefixes are bounded, so memory stays flat on long files.
    """
    accepted: set[str] = set()

    def parse(value: Cell) -> str:
        if (
            type(value) is str
            and len(value) == 16
            and value.isascii()
            and value.isdigit()
            and value[:12] in accepted
            and value[12:] != "0000"
        ):
            return value
        nik = parse_nik(value, today)
        if nik:
            if len(accepted) >= _NIK_PREFIXES_KEPT:
                accepted.clear()
            accepted.add(nik[:12])
        return nik

    return parse


def parse_kk(value: Cell) -> str:
    if is_empty(value):
        return ""
    digits = identity_digits(value, "No. KK")
    try:
        return _validate_kk(digits)
    except IdentityError as exc:
        raise CellError(str(exc)) from None


# --- names, sex, places ---------------------------------------------------------------------


def parse_name(value: Cell) -> str:
    # a text cell: display() would strip it and clean_name() split it anyway
    name = " ".join(value.split()) if type(value) is str else clean_name(display(value))
    error = name_error(name)
    if error:
        raise CellError(error)
    return name


_SEX = {
    "l": "L",
    "lk": "L",
    "laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "p": "P",
    "pr": "P",
    "pe": "P",
    "perempuan": "P",
    "wanita": "P",
    "w": "P",
    "f": "P",
    "female": "P",
}


def _key(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.casefold())


def parse_sex(value: Cell) -> str:
    if is_empty(value):
        return ""
    sex = _SEX.get(_key(display(value)))
    if sex is None:
        raise CellError(_("Choose L (male) or P (female)."))
    return sex


def parse_text(value: Cell, max_length: int) -> str:
    return " ".join(display(value).split())[:max_length]


# --- dates ----------------------------------------------------------------------------------

_MONTHS = {
    # Indonesian, with the abbreviations kelurahan staff use
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "nopember": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    # English
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "aug": 8,
    "october": 10,
    "oct": 10,
    "december": 12,
    "dec": 12,
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
_WORD_DATE = re.compile(r"^(\d{1,2})[\s\-/.]*([A-Za-z]+)\.?[\s\-/.,]*(\d{2}|\d{4})$")
_COMPACT_DATE = re.compile(r"^(\d{2})(\d{2})(\d{4})$")


def _date(day: int, month: int, year: int, *, two_digit: bool, today: dt.date) -> dt.date:
    if two_digit:
        # Ambiguous two-digit years resolve to the past: the latest such date not after today.
        for century in (2000, 1900):
            try:
                candidate = dt.date(century + year, month, day)
            except ValueError:
                break
            if candidate <= today:
                return candidate
        raise CellError(_("Not a real calendar date."))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("Not a real calendar date.")) from None


def excel_serial_date(serial: float, epoch: dt.datetime = EXCEL_EPOCH) -> dt.date:
    if not 1 <= serial < 2958466:
        raise CellError(_("Not a date."))
    return (epoch + dt.timedelta(days=int(serial))).date()


def parse_date(
    value: Cell, *, today: dt.date, epoch: dt.datetime = EXCEL_EPOCH, check_birth: bool = True
) -> dt.date | None:
    """A birth date from DD-MM-YYYY, DD/MM/YY, YYYY-MM-DD, "17 Agustus 1985", a date cell or serial."""
    if is_empty(value):
        return None
    result: dt.date
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, bool):
        raise CellError(_("Not a date."))
    elif isinstance(value, int | float):
        result = excel_serial_date(value, epoch)
    else:
        text = " ".join(str(value).strip().lstrip("'").split())
        result = _parse_date_text(text, today)
    if check_birth:
        error = birth_date_error(result, today)
        if error:
            raise CellError(error)
    return result


def _parse_date_text(text: str, today: dt.date) -> dt.date:
    match = _NUMERIC_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _date(day, month, year, two_digit=len(match.group(3)) == 2, today=today)
    compact = _COMPACT_DATE.match(text)
    if compact:
        day, month, year = (int(g) for g in compact.groups())
        return _date(day, month, year, two_digit=False, today=today)
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _date(day, month, year, two_digit=False, today=today)
    match = _WORD_DATE.match(text)
    if match:
        month_number = _MONTHS.get(match.group(2).casefold())
        if month_number is not None:
            year_text = match.group(3)
            return _date(
                int(match.group(1)),
                month_number,
                int(year_text),
                two_digit=len(year_text) == 2,
                today=today,
            )
    raise CellError(
        _("Not a date; write it as DD-MM-YYYY, for example 17-08-1985 or 17 Agustus 1985.")
    )


def parse_place_and_date(
    value: Cell, *, today: dt.date, epoch: dt.datetime = EXCEL_EPOCH
) -> tuple[str, dt.date | None]:
    """A "Tempat, Tanggal Lahir" (TTL) cell such as "Semarang, 17-08-1985"."""
    if is_empty(value):
        return "", None
    if not isinstance(value, str):
        return "", parse_date(value, today=today, epoch=epoch)
    place, sep, when = value.rpartition(",")
    if not sep:
        raise CellError(_("Write the place and date of birth as: Semarang, 17-08-1985."))
    return parse_text(place, 100), parse_date(when, today=today, epoch=epoch)


# --- phone ----------------------------------------------------------------------------------

_ID_META = phonenumbers.PhoneMetadata.metadata_for_region("ID")
_FAST_MOBILE = re.compile(r"^(?:\+?62|0)?(8\d{8,11})$")


_PHONE_NOISE = re.compile(r"[\s\-.()]")


def _compiled(desc: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
    """A phonenumbers number description as (possible lengths, compiled national pattern)."""
    if desc is None:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


_ID_GENERAL = _compiled(_ID_META.general_desc) if _ID_META is not None else None
_ID_MOBILE = _compiled(_ID_META.mobile) if _ID_META is not None else None


def _matches(number: str, desc: tuple[frozenset[int], re.Pattern[str]] | None) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(number) not in lengths:
        return False
    return pattern.fullmatch(number) is not None


def parse_phone(value: Cell) -> str:
    """registry.identity.normalise_phone, with a shortcut for the usual Indonesian mobiles.

    The shortcut answers only when phonenumbers' own metadata classifies the number as an
    Indonesian mobile (which is_valid_number accepts); everything else goes to normalise_phone.
    """
    if is_empty(value):
        return ""
    text = display(value)
    compact = _PHONE_NOISE.sub("", text.lstrip("'"))
    match = _FAST_MOBILE.match(compact)
    if match:
        national = match.group(1)
        if _matches(national, _ID_GENERAL) and _matches(national, _ID_MOBILE):
            return "+62" + national
    try:
        return normalise_phone(text.lstrip("'"))
    except IdentityError as exc:
        raise CellError(str(exc)) from None


# --- RT / RW / kelurahan --------------------------------------------------------------------

_RT_RW_NUMBER = re.compile(r"^(?:r[tw])?[\s.:\-]*0*(\d{1,3})$", re.IGNORECASE)


def parse_number(value: Cell, label: str) -> int | None:
    """An RT or RW number from 3, 03, 003, "RT 03", "RT.003"; None for an empty cell."""
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = display(value).strip()
    if text.isdigit() and len(text) <= 3 and text != "0" * len(text):
        return int(text)
    match = _RT_RW_NUMBER.match(text)
    if match is None or not 1 <= int(match.group(1)) <= 999:
        raise CellError(
            _("%(label)s must be a number from 1 to 999, such as 3, 03 or %(label)s 003.")
            % {"label": label}
        )
    return int(match.group(1))


def parse_rt_rw(value: Cell) -> tuple[int | None, int | None]:
    """An "RT/RW" cell such as "003/006" or "RT 03 RW 06"."""
    if is_empty(value):
        return None, None
    text = display(value)
    numbers = re.findall(r"\d+", text)
    if len(numbers) != 2:
        raise CellError(_("Write RT/RW as two numbers, for example 003/006."))
    rt, rw = (int(n) for n in numbers)
    if not (1 <= rt <= 999 and 1 <= rw <= 999):
        raise CellError(_("RT and RW must be numbers from 1 to 999."))
    return rt, rw


_PLACE_PREFIX = re.compile(r"^(?:kelurahan|kel|desa|ds)\b\.?\s*", re.IGNORECASE)


def place_key(value: str) -> str:
    """A kelurahan/desa name for comparison: no prefix, case, spaces or punctuation."""
    return _key(_PLACE_PREFIX.sub("", value.strip()))


# --- relation and domicile status -----------------------------------------------------------

_RELATIONS = {
    "kepalakeluarga": Relation.KEPALA,
    "kepala": Relation.KEPALA,
    "kk": Relation.KEPALA,
    "suami": Relation.SUAMI,
    "istri": Relation.ISTRI,
    "isteri": Relation.ISTRI,
    "anak": Relation.ANAK,
    "anakkandung": Relation.ANAK,
    "anakangkat": Relation.ANAK,
    "anaktiri": Relation.ANAK,
    "menantu": Relation.MENANTU,
    "cucu": Relation.CUCU,
    "orangtua": Relation.ORANG_TUA,
    "ortu": Relation.ORANG_TUA,
    "ayah": Relation.ORANG_TUA,
    "ibu": Relation.ORANG_TUA,
    "mertua": Relation.MERTUA,
    "famililain": Relation.FAMILI_LAIN,
    "famili": Relation.FAMILI_LAIN,
    "lainnya": Relation.LAINNYA,
    "lain": Relation.LAINNYA,
    "lainlain": Relation.LAINNYA,
    "pembantu": Relation.LAINNYA,
    # English (and the export's own values, which are the stored codes)
    "head": Relation.KEPALA,
    "headofhousehold": Relation.KEPALA,
    "husband": Relation.SUAMI,
    "wife": Relation.ISTRI,
    "spouse": Relation.ISTRI,
    "child": Relation.ANAK,
    "son": Relation.ANAK,
    "daughter": Relation.ANAK,
    "childinlaw": Relation.MENANTU,
    "grandchild": Relation.CUCU,
    "parent": Relation.ORANG_TUA,
    "parentinlaw": Relation.MERTUA,
    "otherrelative": Relation.FAMILI_LAIN,
    "other": Relation.LAINNYA,
}
_RELATIONS.update({_key(r.value): r for r in Relation})
# Official KK forms number the relation: 1 Kepala Keluarga, 2 Suami, 3 Istri, 4 Anak, ...
_RELATION_NUMBERS = {
    "1": Relation.KEPALA,
    "2": Relation.SUAMI,
    "3": Relation.ISTRI,
    "4": Relation.ANAK,
    "5": Relation.MENANTU,
    "6": Relation.CUCU,
    "7": Relation.ORANG_TUA,
    "8": Relation.MERTUA,
    "9": Relation.FAMILI_LAIN,
    "10": Relation.LAINNYA,
}


def parse_relation(value: Cell) -> str:
    if is_empty(value):
        return ""
    key = _key(display(value))
    relation = _RELATIONS.get(key) or _RELATION_NUMBERS.get(key)
    if relation is None:
        raise CellError(_("Unknown relation to the head of household."))
    return relation.value


_STATUSES = {
    "tetap": DomicileStatus.TETAP,
    "permanent": DomicileStatus.TETAP,
    "pendatang": DomicileStatus.PENDATANG,
    "newcomer": DomicileStatus.PENDATANG,
    "pindah": DomicileStatus.PINDAH,
    "movedaway": DomicileStatus.PINDAH,
    "moved": DomicileStatus.PINDAH,
    "meninggal": DomicileStatus.MENINGGAL,
    "deceased": DomicileStatus.MENINGGAL,
    "wafat": DomicileStatus.MENINGGAL,
}


def parse_status(value: Cell) -> str:
    if is_empty(value):
        return ""
    status = _STATUSES.get(_key(display(value)))
    if status is None:
        raise CellError(_("Unknown domicile status."))
    return status.value
