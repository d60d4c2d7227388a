"""One way to check a parameter, one French message format.

Every public function of ``geo`` checks its arguments at its boundary with these helpers,
so that a bad value always reads the same way in the UI::

    `level` vaut « canton » mais doit être l'un de ['commune', 'epci', 'dep', 'reg']
    `themes` contient ['bar'] mais doit être parmi ['reemploi', 'alimentation', ...]
    `radius_km` doit être strictement positif (reçu : nan)

The message names the argument (between backquotes, as in the signature) and says what is
allowed. Validators that gather several problems before raising once use the
``*_problem`` variants, which return the message instead of raising it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from numbers import Integral, Real
from typing import TypeVar

from geo._errors import InvalidParameterError

T = TypeVar("T")


def choice_problem(value: object, allowed: Collection[object], name: str) -> str | None:
    """The French message saying ``value`` of ``name`` is not one of ``allowed``, or ``None`` if it is."""
    if value in allowed:
        return None
    return f"`{name}` vaut « {value} » mais doit être l'un de {list(allowed)}"


def check_choice(value: object, allowed: Collection[object], name: str) -> None:
    """Raise unless ``value`` is one of ``allowed``.

    Parameters
    ----------
    value
        The value received.
    allowed
        The allowed values (a mapping's keys when a mapping is given), listed in the message
        in their own order.
    name
        The argument's name, as in the signature.

    Raises
    ------
    InvalidParameterError
        « `name` vaut « value » mais doit être l'un de [...] ».
    """
    problem = choice_problem(value, allowed, name)
    if problem is not None:
        raise InvalidParameterError(problem)


def check_choices(
    values: Iterable[T],
    allowed: Collection[T],
    name: str,
    *,
    non_empty_message: str | None = None,
) -> tuple[T, ...]:
    """``values`` without repeats (first occurrence kept, in order), each checked against ``allowed``.

    Parameters
    ----------
    values
        The values received (any iterable, read once).
    allowed
        The allowed values, listed in the message in their own order.
    name
        The argument's name, as in the signature.
    non_empty_message
        When given, an empty ``values`` is refused with this message; otherwise it is accepted.

    Returns
    -------
    tuple
        The distinct values, in the order received.

    Raises
    ------
    InvalidParameterError
        « `name` contient [unknown] mais doit être parmi [...] » listing every unknown value,
        or ``non_empty_message``.
    """
    selected = tuple(dict.fromkeys(values))
    unknown = [v for v in selected if v not in allowed]
    if unknown:
        raise InvalidParameterError(f"`{name}` contient {unknown} mais doit être parmi {list(allowed)}")
    if not selected and non_empty_message is not None:
        raise InvalidParameterError(non_empty_message)
    return selected


def positive_problem(value: float, name: str, *, strict: bool = True) -> str | None:
    """The French message saying ``value`` of ``name`` is not a positive number, or ``None`` if it is.

    NaN and infinities are never positive numbers; ``strict=False`` also accepts zero.
    """
    finite = isinstance(value, Integral) or (isinstance(value, Real) and math.isfinite(value))
    if finite and (value > 0 or (not strict and value == 0)):
        return None
    requirement = "strictement positif" if strict else "positif ou nul"
    return f"`{name}` doit être {requirement} (reçu : {value})"


def check_positive(value: float, name: str, *, strict: bool = True) -> None:
    """Raise unless ``value`` is a finite number above zero (or at least zero with ``strict=False``).

    Parameters
    ----------
    value
        The number received; NaN and infinities are refused.
    name
        The argument's name, as in the signature.
    strict
        Refuse zero too (the default).

    Raises
    ------
    InvalidParameterError
        « `name` doit être strictement positif (reçu : value) », or « positif ou nul ».
    """
    problem = positive_problem(value, name, strict=strict)
    if problem is not None:
        raise InvalidParameterError(problem)
