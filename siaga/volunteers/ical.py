"""A personal shift calendar as iCalendar text (RFC 5545), written by hand: no dependency.

Text values are escaped (backslash, semicolon, comma, newline), content lines are folded at 75
octets without splitting a UTF-8 character, times are UTC with ``Z``, and each event's UID is
stable (the shift and the site), so a calendar app updates an event instead of duplicating it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone

from .models import AssignmentState, ShiftAssignment

CRLF = "\r\n"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value (3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (3.1): continuation lines start with one space."""
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current = b""
    limit = LINE_OCTETS
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            current = b""
            limit = LINE_OCTETS - 1  # the leading space counts
        current += encoded
    parts.append(current.decode())
    return (CRLF + " ").join(parts)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def shift_calendar(
    assignments: Iterable[ShiftAssignment],
    *,
    name: str,
    domain: str,
    link_for: Callable[[int], str] | None = None,
    now: dt.datetime | None = None,
) -> str:
    """The VCALENDAR of these seats on shifts; ``domain`` makes the UIDs globally unique."""
    stamp = utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Kampung Siaga//Jadwal relawan//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for seat in assignments:
        shift = seat.shift
        summary = f"{shift.name} · {shift.posko.name}"
        status = "CONFIRMED" if seat.state == AssignmentState.CONFIRMED else "TENTATIVE"
        lines += [
            "BEGIN:VEVENT",
            f"UID:shift-{shift.pk}-volunteer-{seat.volunteer_id}@{domain}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(shift.starts_at)}",
            f"DTEND:{utc(shift.ends_at)}",
            f"SUMMARY:{escape_text(summary)}",
            f"LOCATION:{escape_text(shift.posko.name)}",
            f"STATUS:{status}",
        ]
        if link_for is not None:
            lines.append(f"URL:{link_for(shift.pk)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
