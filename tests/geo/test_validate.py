"""Parameter checks: one French message naming the argument and what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geo._errors import InvalidParameterError
from geo._validate import check_choice, check_choices, check_positive, choice_problem, positive_problem
from geo.analysis.profile import territory_profile
from geo.crs import projected_crs_for_zone
from geo.search import search_territories
from geo.territory import Scope

LEVELS = {"commune": "Commune", "dep": "Département"}


def test_choice_accepts_an_allowed_value_and_names_argument_and_values_otherwise() -> None:
    check_choice("dep", LEVELS, "level")
    with pytest.raises(InvalidParameterError) as error:
        check_choice("canton", LEVELS, "level")
    assert str(error.value) == "`level` vaut « canton » mais doit être l'un de ['commune', 'dep']"


def test_choice_problem_returns_the_message_instead_of_raising() -> None:
    assert choice_problem(2, (1, 2, 3, 4), "centrality") is None
    assert choice_problem(7, (1, 2, 3, 4), "centrality") == (
        "`centrality` vaut « 7 » mais doit être l'un de [1, 2, 3, 4]"
    )


def test_choices_drop_repeats_and_keep_the_order_received() -> None:
    assert check_choices(["dep", "commune", "dep"], LEVELS, "levels") == ("dep", "commune")
    assert check_choices(iter(["commune"]), LEVELS, "levels") == ("commune",)
    assert check_choices([], LEVELS, "levels") == ()


def test_choices_list_every_unknown_value_and_the_allowed_ones() -> None:
    with pytest.raises(InvalidParameterError) as error:
        check_choices(["bar", "dep", "canton"], LEVELS, "levels")
    assert str(error.value) == "`levels` contient ['bar', 'canton'] mais doit être parmi ['commune', 'dep']"


def test_choices_refuse_empty_only_when_asked() -> None:
    with pytest.raises(InvalidParameterError, match=r"^`levels` est vide : choisissez-en un\.$"):
        check_choices((), LEVELS, "levels", non_empty_message="`levels` est vide : choisissez-en un.")


@pytest.mark.parametrize("value", [1, 0.5, np.float64(3.0), np.int64(2), 10**400])
def test_positive_accepts_finite_numbers_above_zero(value: float) -> None:
    check_positive(value, "radius_km")
    assert positive_problem(value, "radius_km") is None


@pytest.mark.parametrize("value", [0, -1, -0.5, math.nan, math.inf, -math.inf, np.nan])
def test_positive_refuses_zero_negative_nan_and_infinity(value: float) -> None:
    with pytest.raises(InvalidParameterError) as error:
        check_positive(value, "radius_km")
    assert str(error.value) == f"`radius_km` doit être strictement positif (reçu : {value})"


def test_positive_or_zero_accepts_zero_but_not_nan() -> None:
    check_positive(0, "priority_weight", strict=False)
    check_positive(0.0, "priority_weight", strict=False)
    with pytest.raises(
        InvalidParameterError, match=r"`priority_weight` doit être positif ou nul \(reçu : -1\)"
    ):
        check_positive(-1, "priority_weight", strict=False)
    assert positive_problem(math.nan, "priority_weight", strict=False) == (
        "`priority_weight` doit être positif ou nul (reçu : nan)"
    )


def test_positive_refuses_what_is_not_a_number() -> None:
    with pytest.raises(InvalidParameterError, match="`limit` doit être strictement positif"):
        check_positive("10", "limit")  # type: ignore[arg-type]


def test_public_functions_speak_the_same_format() -> None:
    with pytest.raises(InvalidParameterError) as error:
        projected_crs_for_zone("mars")
    assert str(error.value).startswith("`zone` vaut « mars » mais doit être l'un de [")
    with pytest.raises(InvalidParameterError) as error:
        Scope("mars")
    assert "`zone` vaut « mars »" in str(error.value)
    with pytest.raises(InvalidParameterError) as error:
        search_territories(None, "Lyon", level="canton")  # type: ignore[arg-type]
    assert (
        str(error.value) == "`level` vaut « canton » mais doit être l'un de ['reg', 'dep', 'epci', 'commune']"
    )
    with pytest.raises(InvalidParameterError, match=r"`limit` doit être strictement positif \(reçu : 0\)"):
        search_territories(None, "Lyon", limit=0)  # type: ignore[arg-type]


def test_profile_refuses_a_nan_radius_before_any_work() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"`radius_km` doit être strictement positif \(reçu : nan\)"
    ):
        territory_profile(None, None, None, radius_km=math.nan)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"`themes` contient \['bar'\] mais doit être parmi \["):
        territory_profile(None, None, None, themes=("bar",))  # type: ignore[arg-type]
