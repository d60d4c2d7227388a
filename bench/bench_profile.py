"""Fiche territoire: profile and one-click briefing pack of a PVD commune, a département and a
région (target ≤ 5 s each)."""

from __future__ import annotations

import time

from bench.common import Row, median_seconds
from geo.analysis.profile import profile_basis, territory_profile
from geo.io.atlas import load_atlas, load_commune_polygons
from geo.render.briefing import briefing_pack
from geo.search import resolve_territory, territory_by_key

PVD_COMMUNE = "commune:89418"  # Tonnerre (Yonne), Petites villes de demain
TARGET_S = 5.0


def rows() -> list[Row]:
    atlas = load_atlas()
    polygons = load_commune_polygons()
    start = time.perf_counter()
    basis = profile_basis(atlas, polygons)
    basis_s = time.perf_counter() - start
    territory = territory_by_key(basis.index, PVD_COMMUNE)

    def profile_and_pack() -> bytes:
        profile = territory_profile(atlas, basis, territory, radius_km=10)
        return briefing_pack(basis, profile).zip_bytes()

    profile = territory_profile(atlas, basis, territory, radius_km=10)
    pack = briefing_pack(basis, profile)
    departement = territory_profile(atlas, basis, territory_by_key(basis.index, "dep:34"), radius_km=10)
    region = territory_profile(atlas, basis, territory_by_key(basis.index, "reg:76"), radius_km=10)
    return [
        Row("Fiche : index, surfaces et densités (une fois par version des données)", basis_s, "s"),
        Row(
            "Dossier complet d'une commune PVD (profil + PDF + PPTX + HTML + ZIP)",
            median_seconds(profile_and_pack, repeat=3),
            "s",
            TARGET_S,
            "Tonnerre (89418), tous thèmes, 10 km",
        ),
        Row(
            "Profil seul (commune PVD)",
            median_seconds(lambda: territory_profile(atlas, basis, territory, radius_km=10), repeat=5),
            "s",
        ),
        Row(
            "Dossier seul d'un département (Hérault)",
            median_seconds(lambda: briefing_pack(basis, departement), repeat=3),
            "s",
            TARGET_S,
        ),
        Row(
            "Dossier seul d'une région (Occitanie)",
            median_seconds(lambda: briefing_pack(basis, region), repeat=3),
            "s",
            TARGET_S,
        ),
        Row(
            "Recherche « saint etienne »",
            1000 * median_seconds(lambda: resolve_territory(basis.index, "saint etienne"), repeat=5),
            "ms",
        ),
        Row("Taille du PDF", len(pack.pdf) / 1024, "Ko"),
        Row("Taille du PowerPoint", len(pack.pptx) / 1024, "Ko"),
        Row("Taille de la carte HTML autonome", len(pack.html) / 1024, "Ko"),
    ]
