"""The shared sidebar (zone, territory, types of communes, themes, distance, basemap) and its mirror
in the URL.

Widget values live in ``st.session_state`` under ``f_*`` keys; on the first run of a
session they are read from ``st.query_params`` (invalid values are ignored with a notice),
and after every run the current values are written back, so a copied link reproduces the
view. Pages register their own URL parameters with :func:`url_choice` (choice widgets) or
:func:`url_backed` (any other widget).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.common import user_key_from_element_id

from geo.crs import ZONES
from geo.render.maps import BASEMAPS
from geo.territory import Scope
from geo.themes import THEMES
from geo.typologies import (
    CENTRALITY_LEVELS,
    DENSITY_GROUPS,
    DENSITY_LEVELS,
    MASSIFS,
    RURAL_DEFINITION,
    RURAL_LEVELS,
    RURALITY_CLASSES,
    CommuneTypes,
)
from ui.data import atlas, territory_choices, type_choices

ALL = ""
RADIUS_CHOICES = (1, 2, 5, 10, 15, 20, 30, 50)
DEFAULT_RADIUS_KM = 10

_URL_KEYS: dict[str, str] = {}
"""Session-state key → URL parameter name, for every URL-backed widget (sidebar and pages)."""

_RUN_KEYS = "_url_keys_this_run"
"""Session-state key of the URL-backed keys met in the last full run: the link carries the shared
filters and the page's own widgets, never another page's."""
_HOLDING_KEY = "_url_holding"
"""Session-state key: the last full run held part of the page back (:func:`hold_link_params`)."""


@dataclass(frozen=True)
class Filters:
    """What the shared sidebar selected."""

    scope: Scope
    themes: tuple[str, ...]
    radius_km: float
    basemap: str

    @property
    def analysis(self) -> tuple[Scope, tuple[str, ...], float]:
        """What the figures depend on (scope, themes, distance; not the basemap): a cache key."""
        return (self.scope, self.themes, self.radius_km)


def _parse_list(raw: str) -> list[str]:
    return [part for part in raw.split(",") if part]


def parse_flag(raw: str) -> bool:
    """A toggle's value in a link (« True » / « False »); anything else is refused."""
    if raw not in ("True", "False"):
        raise ValueError(raw)
    return raw == "True"


def url_backed(
    key: str,
    param: str,
    default: Any,
    *,
    allowed: Sequence[Any] | None = None,
    parse: Callable[[str], Any] = str,
    explain: Callable[[str], str] | None = None,
) -> None:
    """Make session-state ``key`` follow URL parameter ``param``.

    The first time the session meets the widget, a valid URL value wins over ``default``;
    afterwards the widget's own value is kept, also across runs that do not draw it: a list
    keeps its items still in ``allowed``, a single value no longer allowed goes back to ``default``.
    A session that starts on a page already open in the browser (server restarted,
    disconnected session expired, another server process behind the proxy) is the
    exception: the browser sends the values on screen, including the change the user has
    just made, so they win over the link, which is one change behind. Call it before
    creating the widget, which must then be created **without** a default value. ``explain``
    says why a refused value is refused (« valeur inconnue » by default).
    """
    _URL_KEYS[key] = param
    st.session_state.setdefault(_RUN_KEYS, set()).add(key)
    loaded = st.session_state.setdefault("_url_loaded", set())
    if key not in loaded:
        loaded.add(key)
        if key in _keys_sent_by_browser():
            return
        raw: list[str] | str | None = (
            st.query_params.get_all(param) if isinstance(default, list) else st.query_params.get(param)
        )
        if raw:
            value: Any
            try:
                if isinstance(raw, list):
                    value = [parse(v) for item in raw for v in _parse_list(item)]
                else:
                    value = parse(raw)
            except ValueError:
                value = None
            valid = value is not None and (
                allowed is None
                or (all(v in allowed for v in value) if isinstance(value, list) else value in allowed)
            )
            if valid:
                st.session_state[key] = value
            else:
                shown = raw if isinstance(raw, str) else ",".join(raw)
                reason = explain(shown) if explain else "valeur inconnue"
                st.session_state.setdefault("_url_rejected", []).append(f"{param}={shown} ({reason})")
    # Streamlit forgets a widget's value when a run does not draw it (a threshold shown for one
    # rule only): the last value is kept aside, so that the widget comes back as the user left it.
    kept: dict[str, Any] = st.session_state.setdefault("_url_kept", {})
    current = st.session_state.get(key, kept.get(key, default))
    if allowed is not None:
        if isinstance(current, list):  # keep what is still offered (another rule, another zone…)
            current = [v for v in current if v in allowed]
        elif current not in allowed:
            current = default
    st.session_state[key] = kept[key] = current


def _keys_sent_by_browser() -> set[str]:
    """Keys of the widgets whose values the browser sent with this run's request.

    Empty on a fresh page load; on a page that outlived its session (a restarted server),
    the browser resends every widget it shows, with the user's latest change.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return set()
    keys = (user_key_from_element_id(state.id) for state in ctx.session_state.get_widget_states())
    return {key for key in keys if key is not None}


def url_choice(
    widget: Callable[..., Any],
    label: str,
    choices: Mapping[Any, str],
    *,
    key: str,
    param: str,
    default: Any,
    parse: Callable[[str], Any] = str,
    **kwargs: Any,
) -> Any:
    """A choice widget over ``choices`` (value → French label), kept in URL parameter ``param``.

    ``widget`` is ``st.selectbox``, ``st.radio``, ``st.multiselect`` or ``st.select_slider``
    (or the same method of a container); ``kwargs`` go to it, and ``format_func`` defaults to
    the labels of ``choices``. Returns the widget's value.
    """
    url_backed(key, param, default, allowed=list(choices), parse=parse)
    kwargs.setdefault("format_func", choices.__getitem__)
    return widget(label, options=list(choices), key=key, **kwargs)


def warn_rejected_params() -> None:
    """Show the link parameters a page's :func:`url_backed` widgets refused, in this run.

    The sidebar reports its own before the page runs; a page calls this after creating its
    URL-backed widgets so that a bad value of one of its parameters is reported at once.
    """
    rejected = st.session_state.pop("_url_rejected", None)
    if rejected:
        st.warning("Paramètres de lien ignorés : " + ", ".join(rejected) + ".")


def hold_link_params() -> None:
    """Say that this run holds part of the page back (``ui.after_map``): until that part runs,
    the link keeps the parameters that no widget of this run wrote (its widgets' own)."""
    st.session_state[_HOLDING_KEY] = True


def sync_url() -> None:
    """Write the URL-backed values of this run into the address bar (defaults included)."""
    this_run = st.session_state.get(_RUN_KEYS, set())
    params: dict[str, str | list[str]] = {}
    if st.session_state.get(_HOLDING_KEY):
        written = {param for key, param in _URL_KEYS.items() if key in this_run}
        params = {p: v for p, v in st.query_params.to_dict().items() if p not in written}
    for key, param in _URL_KEYS.items():
        if key not in st.session_state or key not in this_run:
            continue
        value = st.session_state[key]
        if isinstance(value, list):
            if value:
                params[param] = ",".join(str(v) for v in value)
        elif value not in (None, ALL):
            params[param] = str(value)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def page_section(body: Callable[[], None]) -> Callable[[], None]:
    """``body`` as a fragment: a change of one of its widgets reruns this section only.

    The page above it, the sidebar and the footer are not run again; the section writes its
    widgets' values into the link itself (:func:`sync_url`), since ``app.py`` does not run.
    """

    @st.fragment
    @functools.wraps(body)
    def section() -> None:
        try:
            body()
        finally:
            ctx = get_script_run_ctx()
            if ctx is not None and ctx.fragment_ids_this_run:
                sync_url()

    return section


def sidebar_filters() -> Filters:
    """Draw the shared sidebar and return the selection."""
    communes = atlas().communes
    st.session_state[_RUN_KEYS] = set()  # a full run: the page registers its own keys again
    st.session_state[_HOLDING_KEY] = False
    with st.sidebar:
        st.header("Filtres")
        zone_labels = {code: z.label for code, z in ZONES.items()}
        zone = url_choice(st.selectbox, "Zone", zone_labels, key="f_zone", param="zone", default="metro")
        regs = territory_choices("reg", Scope(zone))
        reg = _territory_select("f_reg", "reg", "Région", regs, disabled=zone != "metro")
        deps = territory_choices("dep", Scope(zone, reg or None))
        dep = _territory_select("f_dep", "dep", "Département", deps, disabled=zone != "metro")
        epcis = territory_choices("epci", Scope(zone, reg or None, dep or None))
        epci = _territory_select("f_epci", "epci", "EPCI (intercommunalité)", epcis)
        types = _commune_types(zone)
        themes = url_choice(
            st.multiselect,
            "Thèmes (aucun = tous les tiers-lieux)",
            THEMES,
            key="f_themes",
            param="themes",
            default=[],
            placeholder="Tous les thèmes",
            help="Thèmes issus de la typologie des sources, des labels de programme, ou de règles "
            "par mots-clés sur les noms (indicatif) : voir « À propos des données ».",
        )
        url_backed("f_radius", "rayon", DEFAULT_RADIUS_KM, allowed=list(RADIUS_CHOICES), parse=int)
        radius = st.select_slider(
            "Distance d'accès (km, à vol d'oiseau)", options=list(RADIUS_CHOICES), key="f_radius"
        )
        basemap = url_choice(
            st.radio, "Fond de carte", BASEMAPS, key="f_basemap", param="fond", default="ign_plan"
        )
        warn_rejected_params()
    if dep and not reg:
        reg = str(communes.loc[communes["dep"] == dep, "reg"].iloc[0])
    return Filters(
        scope=Scope(zone, reg or None, dep or None, epci or None, types=types),
        themes=tuple(themes),
        radius_km=float(radius),
        basemap=basemap,
    )


_OUTSIDE = {
    "reg": "hors de la zone choisie",
    "dep": "hors de la région choisie",
    "epci": "hors du département choisi",
}


def _outside_scope(level: str, raw: str) -> str:
    """Why a territory of the link is refused: outside the territory chosen above it, or unknown."""
    known = any(raw in territory_choices(level, Scope(zone)) for zone in ZONES)
    return _OUTSIDE[level] if known else "valeur inconnue"


TYPE_WIDGETS: dict[str, tuple[str, str]] = {
    "densite": ("f_densite", "Densité (grille communale de l'INSEE)"),
    "centralite": ("f_centralite", "Niveau d'équipements et de services (centralités)"),
    "ruralite": ("f_ruralite", "Typologie des ruralités (communes rurales)"),
    "massif": ("f_massif", "Massif (loi Montagne)"),
}
"""Typology → (session-state key, label) of its sidebar filter; the URL parameter is the typology code."""

_TYPE_LABELS: dict[str, dict[Any, str]] = {
    "densite": {
        level: f"{label} ({DENSITY_GROUPS[level].lower()})" for level, label in DENSITY_LEVELS.items()
    },
    "centralite": dict(CENTRALITY_LEVELS),
    "ruralite": dict(RURALITY_CLASSES),
    "massif": dict(MASSIFS),
}


def select_rural_communes(zone: str) -> None:
    """Callback: keep the rural communes only (INSEE definition), like choosing their levels — those
    present in ``zone`` (La Réunion has no commune of the rural levels 6 and 7)."""
    present = set(type_choices(zone)["densite"])
    st.session_state["f_densite"] = [level for level in RURAL_LEVELS if level in present]


def _commune_types(zone: str) -> CommuneTypes:
    """The « Types de communes » filters (values present in the zone only), kept in the URL."""
    present = type_choices(zone)
    choices = {name: {value: _TYPE_LABELS[name][value] for value in present[name]} for name in TYPE_WIDGETS}
    for name, (key, _) in TYPE_WIDGETS.items():  # read the link first: a selection opens the expander
        parse = int if name in ("densite", "centralite") else str
        url_backed(key, name, [], allowed=list(choices[name]), parse=parse)
    # .get: after a server restart the browser sends the values, known only once the widgets exist.
    selected = any(st.session_state.get(key) for key, _ in TYPE_WIDGETS.values())
    with st.expander("Types de communes", expanded=selected):
        for name, (key, label) in TYPE_WIDGETS.items():
            url_choice(
                st.multiselect,
                label,
                choices[name],
                key=key,
                param=name,
                default=[],
                parse=int if name in ("densite", "centralite") else str,
                placeholder="Toutes",
                disabled=len(choices[name]) < 2,
            )
        st.button(
            "Communes rurales seulement",
            key="f_rural_only",
            on_click=select_rural_communes,
            args=(zone,),
            help=f"Rural : {RURAL_DEFINITION}.",
            width="stretch",
        )
        st.caption(
            "Un filtre vide garde toutes les communes ; plusieurs filtres se cumulent. Sources : INSEE "
            "(densité), ANCT – INRAE (centralités), ANCT (ruralités, massifs)."
        )
    return CommuneTypes(**{name: tuple(st.session_state[key]) for name, (key, _) in TYPE_WIDGETS.items()})


def _territory_select(
    key: str, param: str, label: str, options: dict[str, str], *, disabled: bool = False
) -> str:
    choices = [ALL, *options]
    url_backed(key, param, ALL, allowed=choices, explain=lambda raw: _outside_scope(param, raw))
    if disabled:
        st.session_state[key] = ALL
    return str(
        st.selectbox(
            label,
            options=choices,
            format_func=lambda code: "Toutes / tous" if code == ALL else options.get(code, code),
            key=key,
            disabled=disabled or not options,
        )
    )
