"""What ``siaga demo`` prints: figures in the active language (Indonesian by default)."""

from __future__ import annotations

from django.utils import formats


def number(value: float, decimals: int = 0) -> str:
    """A figure for the console: 117.600 and 2,5 in Indonesian, 117,600 and 2.5 in English."""
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
