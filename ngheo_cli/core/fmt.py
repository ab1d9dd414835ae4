"""Vietnamese number formatting: "." groups thousands, "," marks decimals (1.234,5)."""

from __future__ import annotations

import math


def number(value: float | int | None, decimals: int = 0) -> str:
    """1500000 → "1.500.000"; 25.245 with 2 decimals → "25,25"; None/NaN → ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(fraction: float | None, decimals: int = 2) -> str:
    """0.2524 → "25,24%"; None/NaN → ""."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return ""
    return number(fraction * 100, decimals) + "%"


def money(value: float | int | None) -> str:
    """1500000 → "1.500.000 đ"."""
    text = number(value)
    return f"{text} đ" if text else ""
