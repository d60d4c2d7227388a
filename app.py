"""Atlas des tiers-lieux — entry point: page config, navigation, shared sidebar, footer."""

from __future__ import annotations

import streamlit as st

from ui.assets import ensure_vendor_assets
from ui.components import footer
from ui.state import sidebar_filters, sync_url

st.set_page_config(page_title="Atlas des tiers-lieux", page_icon="🗺️", layout="wide")
ensure_vendor_assets()

pages = [
    st.Page("pages/overview.py", title="Vue d'ensemble", icon="🧭", default=True, url_path="vue-d-ensemble"),
    st.Page("pages/coverage.py", title="Couverture", icon="📍", url_path="couverture"),
    st.Page("pages/gaps.py", title="Zones blanches", icon="🎯", url_path="zones-blanches"),
    st.Page("pages/themes.py", title="Thématiques", icon="🧩", url_path="thematiques"),
    st.Page("pages/profile.py", title="Fiche territoire", icon="🏛️", url_path="fiche-territoire"),
    st.Page("pages/planner.py", title="Simulateur", icon="🧮", url_path="simulateur"),
    st.Page("pages/data.py", title="Données", icon="📥", url_path="donnees"),
    st.Page("pages/about.py", title="À propos des données", icon="ℹ️", url_path="a-propos"),
]
navigation = st.navigation(pages)
st.session_state["filters"] = sidebar_filters()
navigation.run()
sync_url()
footer()
