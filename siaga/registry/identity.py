"""Rules for Indonesian identity numbers (NIK, No. KK) and phone numbers.

Facts: ../shared/domain/ksch.md §3. The date and sex inside a NIK are never authoritative: a
corrected birth date does not change the NIK, so mismatches are warnings, not errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _

# Every province code that has existed (codes move when regions split, e.g. Papua 2022).
HISTORICAL_PROVINCES = frozenset(
    [
        *range(11, 20),
        21,
        *range(31, 37),
        51,
        52,
        53,
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    ]
)


class IdentityError(ValueError):
    """An identity number or phone that is not valid; str() is a translated, user-facing reason."""


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province_code: str
    kabupaten_code: str
    kecamatan_code: str
    birth_date: dt.date
    sex: str  # "L" or "P"
    serial: str


def clean_digits(value: str) -> str:
    """Strip the spaces, dots, dashes and leading apostrophe people type around numbers."""
    cleaned = value.strip().lstrip("'").replace(" ", "").replace(".", "").replace("-", "")
    return cleaned


def _region_parts(number: str, label: str) -> tuple[str, str, str]:
    province, kabupaten, kecamatan = number[0:2], number[2:4], number[4:6]
    if int(province) not in HISTORICAL_PROVINCES:
        raise IdentityError(
            _("%(label)s starts with %(code)s, which is not an Indonesian province code")
            % {"label": label, "code": province}
        )
    if kabupaten == "00" or kecamatan == "00":
        raise IdentityError(
            _("%(label)s region digits %(code)s are not a kecamatan code")
            % {"label": label, "code": number[:6]}
        )
    return province, f"{province}.{kabupaten}", f"{province}.{kabupaten}.{kecamatan}"


def _sixteen(value: str, label: str) -> str:
    number = clean_digits(value)
    if not number.isdigit() or len(number) != 16:
        raise IdentityError(_("%(label)s must be exactly 16 digits") % {"label": label})
    return number


def decode_nik(value: str, *, today: dt.date | None = None) -> NikInfo:
    """Validate a NIK and decode it; raises IdentityError with the reason."""
    nik = _sixteen(value, "NIK")
    province, kabupaten, kecamatan = _region_parts(nik, "NIK")
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    if not 1 <= day <= 31 or not 1 <= month <= 12:
        raise IdentityError(
            _("NIK digits 7-12 (%(digits)s) are not a birth date DDMMYY (women: DD + 40)")
            % {"digits": nik[6:12]}
        )
    today = today or dt.date.today()
    birth = _past_date(day, month, year2, today)
    if birth is None:
        raise IdentityError(
            _("NIK digits 7-12 (%(digits)s) are not a real calendar date") % {"digits": nik[6:12]}
        )
    if nik[12:] == "0000":
        raise IdentityError(_("NIK serial number (last 4 digits) cannot be 0000"))
    return NikInfo(nik, province, kabupaten, kecamatan, birth, sex, nik[12:])


def _past_date(day: int, month: int, year2: int, today: dt.date) -> dt.date | None:
    """The most recent real date DD-MM-YY not after today (two-digit years resolve to the past)."""
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + year2, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def validate_nik(value: str) -> str:
    return decode_nik(value).nik


def validate_kk(value: str) -> str:
    """Validate a No. KK (16 digits, issuing area code first); returns the digits."""
    kk = _sixteen(value, "No. KK")
    _region_parts(kk, "No. KK")
    if kk[12:] == "0000":
        raise IdentityError(_("No. KK serial number (last 4 digits) cannot be 0000"))
    return kk


def normalise_phone(value: str) -> str:
    """Return an Indonesian or international phone number in E.164 (+62…)."""
    raw = value.strip()
    if not raw:
        return ""
    compact = (
        raw.replace(" ", "").replace("-", "").replace(".", "").replace("(", "").replace(")", "")
    )
    if compact.startswith("62") and not compact.startswith("+"):
        compact = "+" + compact
    elif compact.startswith("8"):
        compact = "0" + compact
    try:
        parsed = phonenumbers.parse(compact, "ID")
    except phonenumbers.NumberParseException:
        raise IdentityError(_("%(value)s is not a phone number") % {"value": raw}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise IdentityError(_("%(value)s is not a valid phone number") % {"value": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def nik_warnings(nik: str, *, birth_date: dt.date | None, sex: str) -> list[str]:
    """Where the NIK's embedded birth date or sex disagree with the recorded values."""
    if not nik:
        return []
    try:
        info = decode_nik(nik)
    except IdentityError:
        return []
    warnings = []
    if birth_date and (info.birth_date.day, info.birth_date.month, info.birth_date.year % 100) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        warnings.append(
            _(
                "The birth date in the NIK (%(nik_date)s) differs from the recorded birth date; "
                "the recorded date is kept."
            )
            % {"nik_date": info.birth_date.strftime("%d-%m-%Y")}
        )
    if sex and info.sex != sex:
        warnings.append(
            _("The sex encoded in the NIK (%(nik_sex)s) differs from the recorded sex.")
            % {"nik_sex": info.sex}
        )
    return warnings
