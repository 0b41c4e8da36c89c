"""Canonical territory codes and all hierarchy arithmetic: Kepmendagri codes for the first four levels, then RW and RT.

A code such as ``33.74.02.1006.006.003`` has fixed part widths (2, 2, 2, 4, 3, 3). Its digits,
right-padded with zeros to 16, form an integer *key* that is the territory's primary key. Every
node of a subtree has a key in ``[key, key + span - 1]``, so "everything under this node" is one
indexed range query on an integer column, on SQLite and PostgreSQL alike, with no collation
surprises and no recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTHS = (2, 2, 2, 4, 3, 3)
TOTAL_DIGITS = sum(WIDTHS)
LEVEL_PROVINSI, LEVEL_KABUPATEN, LEVEL_KECAMATAN, LEVEL_KELURAHAN, LEVEL_RW, LEVEL_RT = range(1, 7)
MAX_LEVEL = len(WIDTHS)


class CodeError(ValueError):
    """A territory code that is not well formed."""


@dataclass(frozen=True)
class ParsedCode:
    code: str
    parts: tuple[str, ...]

    @property
    def level(self) -> int:
        return len(self.parts)

    @property
    def key(self) -> int:
        return int("".join(self.parts).ljust(TOTAL_DIGITS, "0"))

    @property
    def span(self) -> int:
        return span_for_level(self.level)

    @property
    def parent_code(self) -> str | None:
        return ".".join(self.parts[:-1]) if self.level > 1 else None

    def ancestor_codes(self) -> list[str]:
        return [".".join(self.parts[:i]) for i in range(1, self.level)]


def span_for_level(level: int) -> int:
    return 10 ** (TOTAL_DIGITS - sum(WIDTHS[:level]))


def parse_code(code: str) -> ParsedCode:
    """Parse and validate a canonical code; raises CodeError with a reason."""
    code = code.strip()
    parts = tuple(code.split("."))
    if not code or len(parts) > MAX_LEVEL:
        raise CodeError(f"{code!r}: expected 1 to {MAX_LEVEL} dot-separated parts")
    for index, part in enumerate(parts):
        width = WIDTHS[index]
        if len(part) != width or not part.isdigit():
            raise CodeError(f"{code!r}: part {index + 1} must be {width} digits")
        if int(part) == 0:
            raise CodeError(f"{code!r}: part {index + 1} cannot be zero")
    return ParsedCode(code=code, parts=parts)


def child_code(parent_code: str, number: int) -> str:
    """The code of RW/RT number ``number`` under ``parent_code`` (a kelurahan or an RW)."""
    parent = parse_code(parent_code)
    if parent.level not in (LEVEL_KELURAHAN, LEVEL_RW):
        raise CodeError(f"{parent_code!r}: RW and RT can only be created under a kelurahan or RW")
    width = WIDTHS[parent.level]
    if not 1 <= number < 10**width:
        raise CodeError(f"number must be between 1 and {10**width - 1}")
    return f"{parent_code}.{number:0{width}d}"


def key_range(code: str) -> tuple[int, int]:
    parsed = parse_code(code)
    return parsed.key, parsed.key + parsed.span - 1


def code_from_key(key: int, level: int) -> str:
    digits = str(key).rjust(TOTAL_DIGITS, "0")
    parts, start = [], 0
    for width in WIDTHS[:level]:
        parts.append(digits[start : start + width])
        start += width
    return ".".join(parts)


def ancestor_key(key: int, level: int) -> int:
    """The key of the level-``level`` ancestor of a territory key (e.g. the RW of an RT)."""
    return key - key % span_for_level(level)


def ancestor_keys(key: int, *, from_level: int, to_level: int) -> list[int]:
    """The keys of the ancestors of ``key`` from ``from_level`` down to ``to_level`` (inclusive)."""
    return [ancestor_key(key, level) for level in range(from_level, to_level + 1)]


def level_of(key: int) -> int:
    """The level of a territory key (the number of non-zero code parts)."""
    digits = str(key).rjust(TOTAL_DIGITS, "0")
    level, start = 0, 0
    for width in WIDTHS:
        if int(digits[start : start + width]) == 0:
            break
        level += 1
        start += width
    return level


def ancestors(key: int, min_level: int = 1) -> list[int]:
    """Keys of the strict ancestors of ``key`` at levels ``min_level`` and deeper."""
    level = level_of(key)
    return [ancestor_key(key, lvl) for lvl in range(min_level, level)]
