"""French number formatting (« 12 345 », « 3,4 % », « 12,5 km »)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

NNBSP = "\u202f"
"""Narrow no-break space: the French thousands separator (and before « % »)."""


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def fr_number(value: float | int | None, decimals: int = 0, *, missing: str = "–") -> str:
    """Format ``value`` the French way: ``1234567.891`` → ``"1 234 567,89"`` (decimals=2)."""
    if _is_missing(value):
        return missing
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def fr_count(count: int, singular: str, plural: str | None = None) -> str:
    """« 1 ligne », « 0 ligne », « 12 345 lignes » (French: 0 and 1 take the singular)."""
    return f"{fr_number(count)} {singular if abs(count) < 2 else (plural or singular + 's')}"


def fr_percent(share: float | None, decimals: int = 1, *, missing: str = "–") -> str:
    """Format a share in 0–1 as a French percentage: ``0.1234`` → ``"12,3 %"``."""
    if share is None or _is_missing(share):
        return missing
    return f"{fr_number(100 * float(share), decimals)}{NNBSP}%"


def fr_points(gain: float, decimals: int = 1) -> str:
    """A gain between two shares in 0–1, in percentage points: « +0,8 point », « +2,5 points »
    (French: under 2 takes the singular)."""
    points = round(100 * float(gain), decimals)
    sign = "+" if points >= 0 else "−"
    return f"{sign}{fr_number(abs(points), decimals)} {'point' if abs(points) < 2 else 'points'}"


def fr_radius(radius_km: float) -> str:
    """A distance in km as typed by a user: « 10 », « 2,5 » (no unit)."""
    return fr_number(radius_km, 0 if float(radius_km).is_integer() else 1)


def fr_km(distance_m: float | None, decimals: int = 1, *, missing: str = "aucun") -> str:
    """Format a distance in metres as kilometres: ``12345`` → ``"12,3 km"``."""
    if distance_m is None or _is_missing(distance_m):
        return missing
    return f"{fr_number(float(distance_m) / 1000, decimals)}{NNBSP}km"


def fr_de(noun: str) -> str:
    """« de » before ``noun``, elided before a vowel or a mute h: « d'alimentation », « de réemploi »."""
    return f"d'{noun}" if noun[:1].lower() in "aeiouyéèêàâîôûh" else f"de {noun}"


def french_styler(
    table: pd.DataFrame,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    *,
    decimals: int = 1,
    na_rep: str = "–",
) -> Styler:
    """``table`` for the screen: every number written the French way, still a number underneath (so
    that a click on a column header sorts by value, not alphabetically).

    Integer columns get no decimals, other numeric columns ``decimals``; ``formats`` (column →
    function, e.g. :func:`fr_percent`) overrides a column; booleans and text are left as they are.
    """
    chosen: dict[str, Callable[[Any], str]] = {}
    for column in table.columns:
        series = table[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        chosen[column] = (
            fr_number if pd.api.types.is_integer_dtype(series) else partial(fr_number, decimals=decimals)
        )
    chosen.update(formats or {})
    return table.style.format(chosen, na_rep=na_rep)
