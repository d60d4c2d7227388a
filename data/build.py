"""Build the bundled datasets of ``data/`` from the raw open data of ``../shared/data``.

Usage: ``python -m data.build [--raw ../shared/data] [--out data]`` (``make data``).

Deterministic: the same raw files give the same tables. Rows that cannot be placed in one of
the six zones (metropolitan France and the five DROM) are not silently dropped: they are
written to ``rejected_rows.csv`` with their reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84, zone_from_dep
from geo.fmt import fr_percent
from geo.io.commune_points import address_evidence, commune_point_checks
from geo.io.datasets import read_linkage_exceptions, write_dataset
from geo.io.linkage import link_places
from geo.io.placement import PRECISION_COMMUNE, CommuneLocator, commune_locator
from geo.io.places import (
    LABEL_FABRIQUE,
    LABEL_MANUFACTURE,
    france_services_from_table,
    places_from_records,
    records_from_anct_per_commune,
    records_from_cget,
    split_unlocated,
)
from geo.themes import KEYWORD_RULES, THEMES, keyword_rule_quality
from geo.typologies import typologies_from_tables

DEFAULT_RAW = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DEFAULT_OUT = Path(__file__).resolve().parent
LABELLED_PLACES = DEFAULT_OUT.parent / "tests" / "fixtures" / "themes" / "labelled_places.csv"
"""Hand-labelled sample of bundled places that measures the keyword rules (see its README)."""

PLACE_FILES = {
    "cget_2019": "tierslieux/cget_tierslieux_2019_sans_contacts.csv",
    "anct_fabriques_2024": "tierslieux/anct_fabriques_de_territoire_2024-01_par_commune.geojson",
    "anct_manufactures_2022": "tierslieux/anct_manufactures_de_proximite_2022-01_par_commune.geojson",
}
TYPOLOGY_FILES = {
    "densite": "territoires/typologies/densite_communes.csv",
    "centralite": "territoires/typologies/centralite_communes.csv",
    "ruralite": "territoires/typologies/ruralite_communes.csv",
    "massif": "territoires/typologies/montagne_communes.csv",
}
LINKAGE_DECISIONS = "linkage_decisions.csv"


def _zone_column(deps: pd.Series) -> pd.Series:
    return deps.map(zone_from_dep)


def build_communes(raw: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Commune points (all communes of the six zones) and polygons, plus rejected rows."""
    polygons = gpd.read_parquet(raw / "territoires/communes_2026_s200m.parquet")
    table = pd.read_csv(
        raw / "territoires/communes_2026.csv",
        dtype={"code_insee": str, "dep": str, "reg": str, "epci_siren": str, "codes_postaux": str},
    )
    in_zones = table["zone"].isin(["metro", "drom"])
    rejected = pd.DataFrame(
        {
            "dataset": "communes",
            "identifiant": table.loc[~in_zones, "code_insee"],
            "nom": table.loc[~in_zones, "nom"],
            "raison": "collectivité d'outre-mer hors des six zones de l'Atlas (pas de contour)",
        }
    )
    table = table[in_zones].copy()
    points = polygons.set_index("code_insee").geometry.representative_point()
    table["point_method"] = table["code_insee"].map(
        lambda c: "point_representatif" if c in points.index else "absent"
    )
    geometry = gpd.GeoSeries(table["code_insee"].map(points), crs=WGS84)
    communes = gpd.GeoDataFrame(
        {
            "code_insee": table["code_insee"].astype(str),
            "nom": table["nom"].astype(str),
            "dep": table["dep"].astype(str),
            "nom_dep": table["nom_dep"].astype(str),
            "reg": table["reg"].astype(str),
            "nom_reg": table["nom_reg"].astype(str),
            "epci_siren": table["epci_siren"].fillna("").astype(str),
            "epci_nom": table["epci_nom"].fillna("").astype(str),
            "population": table["population"].fillna(0).astype("int64"),
            "zone": _zone_column(table["dep"].astype(str)),
            "point_method": table["point_method"],
            "codes_postaux": table["codes_postaux"].fillna("").astype(str),
        },
        geometry=geometry.to_numpy(),
        crs=WGS84,
    ).sort_values("code_insee", ignore_index=True)
    absent = communes[communes["point_method"] == "absent"]
    rejected = pd.concat(
        [
            rejected,
            pd.DataFrame(
                {
                    "dataset": "communes",
                    "identifiant": absent["code_insee"],
                    "nom": absent["nom"],
                    "raison": "commune recréée après 2018 sans contour ni point : gardée (population) "
                    "mais exclue des calculs de distance",
                }
            ),
        ]
    )
    commune_polygons = polygons[["code_insee", "geometry"]].sort_values("code_insee", ignore_index=True)
    return communes, commune_polygons, rejected


def _majority(communes: pd.DataFrame, by: str, column: str) -> pd.Series:
    weights = communes.groupby([by, column])["population"].sum().reset_index()
    weights = weights.sort_values([by, "population", column], ascending=[True, False, True])
    return weights.drop_duplicates(by).set_index(by)[column]


def build_territories(raw: Path, communes: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """EPCI, départements and régions with population (sum of their communes) and zone."""
    deps = gpd.read_parquet(raw / "territoires/departements_2026_s200m.parquet")
    deps = deps[["dep", "nom_dep", "reg", "nom_reg", "population", "geometry"]]
    deps["zone"] = _zone_column(deps["dep"])
    regs = gpd.read_parquet(raw / "territoires/regions_2026_s200m.parquet")[
        ["reg", "nom_reg", "population", "geometry"]
    ]
    reg_zone = deps.drop_duplicates("reg").set_index("reg")["zone"]
    regs["zone"] = regs["reg"].map(reg_zone)
    epci = gpd.read_parquet(raw / "territoires/epci_2026_s200m.parquet")[
        ["epci_siren", "epci_nom", "population_municipale", "geometry"]
    ].rename(columns={"population_municipale": "population"})
    members = communes[communes["epci_siren"] != ""]
    epci["dep"] = epci["epci_siren"].map(_majority(members, "epci_siren", "dep"))
    epci["reg"] = epci["epci_siren"].map(_majority(members, "epci_siren", "reg"))
    epci["deps"] = epci["epci_siren"].map(
        members.groupby("epci_siren")["dep"].agg(lambda s: ";".join(sorted(set(s))))
    )
    epci["zone"] = _zone_column(epci["dep"])
    out = {}
    for name, frame, key in (
        ("epci", epci, "epci_siren"),
        ("departements", deps, "dep"),
        ("regions", regs, "reg"),
    ):
        # Populations are re-summed from the communes so that the 7 communes re-created after
        # 2018 (no outline, absent from the dissolved layers) count in their territory.
        totals = communes.groupby(key)["population"].sum()
        summed = frame.assign(population=frame[key].map(totals).fillna(0).astype("int64"))
        out[name] = summed.sort_values(key, ignore_index=True)
    return out


def build_programmes(raw: Path, communes: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """ACV, PVD and (historical) ZRR membership by 2026 commune code, plus unmatched rows."""
    acv_raw = pd.read_csv(raw / "territoires/acv_communes.csv", dtype=str)
    acv = pd.DataFrame({"code_insee": acv_raw["insee_com_2026"], "programme_id": acv_raw["id_acv"]})
    pvd_raw = pd.read_csv(raw / "territoires/pvd_communes_2021.csv", dtype=str, keep_default_na=False)
    pvd = pd.DataFrame({"code_insee": pvd_raw["insee_com_2026"], "programme_id": pvd_raw["id_pvd"]})
    zrr_raw = pd.read_csv(raw / "territoires/zrr_communes_cog2021.csv", dtype=str)
    rank = {"C": 2, "P": 1, "NC": 0}
    zrr_raw["rank"] = zrr_raw["classement_zrr"].str.split(" - ").str[0].map(rank).fillna(0)
    zrr = zrr_raw.groupby("insee_com_2026").agg(rank=("rank", "max"), n_communes_2021=("rank", "size"))
    labels = {2: "classée", 1: "partiellement classée", 0: "non classée"}
    zrr = pd.DataFrame(
        {
            "code_insee": zrr.index.astype(str),
            "zrr": zrr["rank"].astype(int).map(labels).to_numpy(),
            "n_communes_2021": zrr["n_communes_2021"].astype("int64").to_numpy(),
        }
    )
    known = set(communes["code_insee"])
    out = {}
    rejected = []
    for name, frame in (("acv", acv), ("pvd", pvd), ("zrr", zrr)):
        unknown = ~frame["code_insee"].isin(known)
        rejected.append(
            pd.DataFrame(
                {
                    "dataset": name,
                    "identifiant": frame.loc[unknown, "code_insee"],
                    "nom": "",
                    "raison": "code commune absent des six zones de l'Atlas",
                }
            )
        )
        kept = frame[~unknown].drop_duplicates("code_insee")
        out[name] = kept.sort_values("code_insee", ignore_index=True)
    return out, pd.concat(rejected, ignore_index=True)


def build_qpv(raw: Path) -> gpd.GeoDataFrame:
    """QPV 2024 as points at their commune centroid, with the precision of each point."""
    table = pd.read_csv(raw / "territoires/qpv2024_points_commune_centroid.csv", dtype=str)
    precision = pd.Series(PRECISION_COMMUNE, index=table.index)
    precision[table["n_communes"].astype(int) > 1] = "moyenne_centroides_communes"
    precision[table["plm_city_centroid"] == "True"] = "centroide_ville_plm"
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": table["code_qp"],
            "lib_qp": table["lib_qp"],
            "dep": table["insee_dep"],
            "zone": _zone_column(table["insee_dep"]),
            "codes_insee": table["insee_com"],
            "lib_com": table["lib_com"],
            "location_precision": precision,
        },
        geometry=gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)),
        crs=WGS84,
    )
    return qpv.sort_values("code_qp", ignore_index=True)


def build_passage(raw: Path) -> pd.DataFrame:
    """Former INSEE codes → COG 2026 codes (the COG passage table), for lists on an older COG."""
    table = pd.read_csv(raw / "territoires/passage_codes_anciens_vers_cog2026.csv", dtype=str)
    return table[["code_ancien", "code_insee_2026"]].sort_values("code_ancien", ignore_index=True)


def build_typologies(raw: Path, communes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The commune typologies (density grid, centralities, ruralities, massifs), and the communes
    of the Atlas that a typology does not class (none expected: listed if any)."""
    tables = {
        name: pd.read_csv(raw / path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        for name, path in TYPOLOGY_FILES.items()
    }
    typologies = typologies_from_tables(tables, communes["code_insee"])
    missing = typologies[typologies["densite"] == ""]
    rejected = pd.DataFrame(
        {
            "dataset": "typologies",
            "identifiant": missing["code_insee"],
            "nom": missing["code_insee"].map(communes.set_index("code_insee")["nom"]),
            "raison": "commune absente de la grille de densité (typologies non renseignées)",
        }
    )
    return typologies, rejected


def build_places(
    raw: Path, locator: CommuneLocator, exceptions: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """The consolidated tiers-lieux table (one row per place, duplicates merged), the rows that
    could not be placed in a zone, and the linkage decisions."""
    records = pd.concat(
        [
            records_from_cget(raw / PLACE_FILES["cget_2019"]),
            records_from_anct_per_commune(
                raw / PLACE_FILES["anct_fabriques_2024"],
                source="anct_fabriques_2024",
                label=LABEL_FABRIQUE,
            ),
            records_from_anct_per_commune(
                raw / PLACE_FILES["anct_manufactures_2022"],
                source="anct_manufactures_2022",
                label=LABEL_MANUFACTURE,
            ),
        ],
        ignore_index=True,
    )
    located, rejected = split_unlocated(places_from_records(records, locator))
    located = located.reset_index(drop=True)
    commune_names = located["code_insee"].map(locator.communes["nom"]).fillna("")
    merged, decisions = link_places(located, commune_names, exceptions=exceptions)
    merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=WGS84).drop(columns=["x_m", "y_m"])
    return merged.sort_values("place_id", ignore_index=True), rejected, decisions


def build_all(raw: Path, out: Path) -> dict[str, int]:
    """Build every bundled dataset from ``raw`` into ``out``; return the row count of each."""
    communes, commune_polygons, rejected_communes = build_communes(raw)
    datasets: dict[str, pd.DataFrame] = {"communes": communes, "communes_polygons": commune_polygons}
    datasets.update(build_territories(raw, communes))
    programmes, rejected_programmes = build_programmes(raw, communes)
    datasets.update(programmes)
    datasets["qpv"] = build_qpv(raw)
    datasets["communes_passage"] = build_passage(raw)
    datasets["typologies"], rejected_typologies = build_typologies(raw, communes)
    locator = commune_locator(communes, commune_polygons, datasets["communes_passage"])
    places, rejected_places, decisions = build_places(raw, locator, read_linkage_exceptions())
    datasets["places"] = places
    services_raw = pd.read_csv(
        raw / "tierslieux/anct_france_services_2024-08-01.csv", dtype=str, keep_default_na=False
    )
    datasets["france_services"], rejected_services = france_services_from_table(services_raw, locator)
    evidence = address_evidence(datasets["france_services"], places)
    datasets["commune_points"] = commune_point_checks(communes, commune_polygons, evidence)

    counts = {}
    for name, frame in datasets.items():
        write_dataset(frame, name, out)
        counts[name] = len(frame)
    decisions.to_csv(out / LINKAGE_DECISIONS, index=False)
    counts["linkage_decisions"] = len(decisions)
    rejected = pd.concat(
        [rejected_communes, rejected_programmes, rejected_typologies, rejected_places, rejected_services],
        ignore_index=True,
    )
    rejected.to_csv(out / "rejected_rows.csv", index=False)
    counts["rejected_rows"] = len(rejected)
    (out / "build_counts.json").write_text(json.dumps(counts, indent=2, sort_keys=True) + "\n")
    return counts


README_RULES = ("<!-- keyword-rules:start -->", "<!-- keyword-rules:end -->")
README_QUALITY = ("<!-- keyword-quality:start -->", "<!-- keyword-quality:end -->")


def keyword_rules_markdown() -> str:
    """The keyword rules of :mod:`geo.themes` as a Markdown table (for data/README.md)."""
    lines = ["| thème | motifs | exclusions |", "|---|---|---|"]
    for rule in KEYWORD_RULES:
        # A « | » inside a regex would split the Markdown table cell.
        patterns = ", ".join(f"`{p}`".replace("|", "\\|") for p in rule.patterns)
        exclusions = ", ".join(f"`{p}`".replace("|", "\\|") for p in rule.exclusions) or "—"
        lines.append(f"| `{rule.theme}` | {patterns} | {exclusions} |")
    return "\n".join(lines)


def read_labelled_places(path: Path = LABELLED_PLACES) -> pd.DataFrame:
    """The labelled sample (empty cells stay empty strings, labels are integers)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False).astype(dict.fromkeys(THEMES, int))


def keyword_quality_markdown(labelled: pd.DataFrame) -> str:
    """Precision and recall of the keyword rules on ``labelled`` as a Markdown table (French)."""
    quality = keyword_rule_quality(labelled)
    lines = [
        "| thème | lieux du thème dans l'échantillon | détectés par les mots-clés | précision | rappel |",
        "|---|---|---|---|---|",
    ]
    for _, row in quality.iterrows():
        cells = [
            row["Thème"],
            str(row["lieux du thème"]),
            str(row["détectés"]),
            fr_percent(row["précision"], 0),
            fr_percent(row["rappel"], 0),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _replace_block(text: str, markers: tuple[str, str], content: str) -> str:
    start, end = markers
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{content}\n{end}{after}"


def update_readme_rules(readme: Path) -> None:
    """Rewrite the keyword-rules and rule-quality blocks of ``readme`` so the docs follow the code."""
    text = readme.read_text(encoding="utf-8")
    text = _replace_block(text, README_RULES, keyword_rules_markdown())
    text = _replace_block(text, README_QUALITY, keyword_quality_markdown(read_labelled_places()))
    readme.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="dossier des données brutes")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="dossier de sortie")
    args = parser.parse_args(argv)
    if not (args.raw / "SOURCES.md").exists():
        print(f"Données brutes introuvables dans {args.raw} (SOURCES.md absent).", file=sys.stderr)
        return 2
    counts = build_all(args.raw, args.out)
    readme = args.out / "README.md"
    if readme.exists():
        update_readme_rules(readme)
    for name, count in counts.items():
        print(f"{name:20s} {count:>8,d}".replace(",", "\u202f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
