"""Atlas des tiers-lieux — entry point: page config, navigation, shared sidebar, footer."""

from __future__ import annotations

import streamlit as st

from ui.after_map import begin_page, end_page
from ui.assets import ensure_vendor_assets, french_shell
from ui.components import footer
from ui.state import sidebar_filters, sync_url

st.set_page_config(page_title="Atlas des tiers-lieux", page_icon="🗺️", layout="wide")
ensure_vendor_assets()
with st.sidebar:  # before any page can st.stop() the run
    french_shell()

# Material icons ship with Streamlit's frontend: drawn offline, on any system fonts.
pages = [
    st.Page(
        "pages/overview.py",
        title="Vue d'ensemble",
        icon=":material/dashboard:",
        default=True,
        url_path="vue-d-ensemble",
    ),
    st.Page("pages/coverage.py", title="Couverture", icon=":material/location_on:", url_path="couverture"),
    st.Page(
        "pages/gaps.py", title="Zones blanches", icon=":material/crisis_alert:", url_path="zones-blanches"
    ),
    st.Page(
        "pages/services.py",
        title="Services publics",
        icon=":material/support_agent:",
        url_path="services-publics",
    ),
    st.Page("pages/themes.py", title="Thématiques", icon=":material/category:", url_path="thematiques"),
    st.Page(
        "pages/profile.py",
        title="Fiche territoire",
        icon=":material/account_balance:",
        url_path="fiche-territoire",
    ),
    st.Page("pages/planner.py", title="Simulateur", icon=":material/calculate:", url_path="simulateur"),
    st.Page("pages/data.py", title="Données", icon=":material/upload_file:", url_path="donnees"),
    st.Page("pages/about.py", title="À propos des données", icon=":material/info:", url_path="a-propos"),
    st.Page(
        "pages/accessibility.py",
        title="Accessibilité",
        icon=":material/accessibility:",
        url_path="accessibilite",
    ),
]
navigation = st.navigation(pages)
st.session_state["filters"] = sidebar_filters()
begin_page()
navigation.run()
end_page()
sync_url()
footer()
