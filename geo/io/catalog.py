"""The catalogue: every bundled dataset described once (file, producer, licence, vintage, schema)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geo._validate import check_choice
from geo.io.commune_points import POINT_COLUMNS

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "data"
"""Where the committed datasets live (``data/`` at the top of the repository)."""

ETALAB = "Licence Ouverte / Etalab 2.0"


@dataclass(frozen=True)
class Dataset:
    """One bundled dataset: where it is, who made it, and the schema the loader checks."""

    name: str
    filename: str
    title: str
    producer: str
    licence: str
    vintage: str
    key: str
    required_columns: tuple[str, ...]
    geometry: str | None = "Point"
    """Expected geometry family (``"Point"``, ``"Polygon"``) or ``None`` for a plain table."""
    missing_geometry_allowed: bool = False
    url: str = ""
    notes: str = ""
    dtypes: dict[str, str] = field(default_factory=dict)
    """Column → pandas dtype kind expected (``"string"``, ``"number"``, ``"bool"``)."""
    optional: bool = False
    """Loaded only when its file exists (bundled or refreshed); the app works without it."""
    built_by: str = "data.build"
    """Module that writes the bundled file (``python -m <built_by>``)."""

    @property
    def citation(self) -> str:
        """Short French credit line: « producer, title (vintage), licence »."""
        return f"{self.producer}, {self.title} ({self.vintage}), {self.licence}"


@dataclass(frozen=True)
class PlaceSource:
    """A source of tiers-lieux rows in the ``places`` dataset."""

    code: str
    title: str
    producer: str
    licence: str
    vintage: str
    location: str
    """How the points were located, in French."""
    short: str = ""
    """Short name with its year, for tables and popups (« CGET 2019 »)."""


PLACE_SOURCES: dict[str, PlaceSource] = {
    "cget_2019": PlaceSource(
        "cget_2019",
        "Mission Coworking : liste nationale des tiers-lieux",
        "CGET (aujourd'hui ANCT)",
        ETALAB,
        "printemps 2019",
        "adresse géocodée",
        "CGET 2019",
    ),
    "anct_fabriques_2024": PlaceSource(
        "anct_fabriques_2024",
        "Fabriques de territoire",
        "ANCT",
        ETALAB,
        "janvier 2024",
        "centroïde de la commune",
        "Fabrique de territoire 2024",
    ),
    "anct_manufactures_2022": PlaceSource(
        "anct_manufactures_2022",
        "Manufactures de proximité",
        "ANCT",
        ETALAB,
        "janvier 2022",
        "centroïde de la commune",
        "Manufacture de proximité 2022",
    ),
}


def place_sources_in(codes: Iterable[str]) -> list[PlaceSource]:
    """The catalogued sources among ``codes`` (the ``sources`` column of the places in use, codes
    « ; »-joined for merged places), in catalogue order: an import or a refreshed list is credited
    by its own label instead."""
    present = {part for code in codes for part in str(code).split(";")}
    return [source for code, source in PLACE_SOURCES.items() if code in present]


def sources_label(sources: str, *, other: str = "") -> str:
    """« CGET 2019 + Fabrique de territoire 2024 » for a place's ``sources`` (« ; »-joined codes);
    ``other`` names the sources outside the catalogue (an import), else their code is shown."""
    labels: list[str] = []
    for code in str(sources).split(";"):
        known = PLACE_SOURCES.get(code)
        label = known.short if known else (other or code)
        if code and label not in labels:
            labels.append(label)
    return " + ".join(labels)


_COG = "IGN ADMIN EXPRESS 2018 recodé COG 2026"
_TERRITORY_COLUMNS = ("code_insee", "nom", "dep", "reg", "epci_siren", "population", "zone")

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            name="places",
            filename="places.parquet",
            title="Tiers-lieux (liste consolidée)",
            producer="CGET/ANCT (Mission Coworking 2019, Fabriques de territoire, Manufactures de proximité)",
            licence=ETALAB,
            vintage="2019 – janvier 2024",
            key="place_id",
            required_columns=(
                "place_id",
                "name",
                "source",
                "source_id",
                "label",
                "source_typology",
                "themes",
                "code_insee",
                "dep",
                "reg",
                "epci_siren",
                "zone",
                "lon",
                "lat",
                "location_precision",
                "url",
                "vintage",
                "licence",
                "placement",
                "placement_note",
                "placement_distance_m",
                "source_records",
                "sources",
                "aliases",
                "possible_duplicate_of",
                "theme_fabrication",
                "theme_coworking",
                "theme_alimentation",
                "theme_reemploi",
                "theme_culture",
                "theme_numerique",
            ),
            dtypes={"place_id": "string", "code_insee": "string", "lon": "number", "lat": "number"},
            notes="Thèmes dérivés (typologie source, label, mots-clés indicatifs) ; doublons fusionnés "
            "(une ligne par lieu, toutes ses fiches sources dans « source_records ») ; commune vérifiée "
            "contre le point (verdict dans « placement »).",
        ),
        Dataset(
            name="france_services",
            filename="france_services.parquet",
            title="Liste des structures France services",
            producer="ANCT / Banque des Territoires",
            licence=ETALAB,
            vintage="1er août 2024",
            key="fs_id",
            required_columns=(
                "fs_id",
                "name",
                "code_insee",
                "dep",
                "zone",
                "type_fs",
                "format_fs",
                "placement",
                "placement_note",
            ),
            dtypes={"fs_id": "string", "code_insee": "string"},
            url="https://www.data.gouv.fr/api/1/datasets/r/f49fe9e1-f9bb-4dbd-8dfe-b9fad31899ef",
        ),
        Dataset(
            name="communes",
            filename="communes.parquet",
            title="Communes 2026 (point représentatif)",
            producer=_COG + " / INSEE",
            licence=ETALAB,
            vintage="COG 2026, population 2023",
            key="code_insee",
            required_columns=(
                *_TERRITORY_COLUMNS,
                "nom_dep",
                "nom_reg",
                "epci_nom",
                "point_method",
                "codes_postaux",
            ),
            missing_geometry_allowed=True,
            dtypes={"code_insee": "string", "population": "number"},
            notes="Point représentatif situé dans la commune (shapely representative_point).",
        ),
        Dataset(
            name="communes_polygons",
            filename="communes_polygons.parquet",
            title="Contours des communes 2026 (simplifiés 200 m)",
            producer=_COG,
            licence=ETALAB,
            vintage="contours 2018, codes 2026",
            key="code_insee",
            required_columns=("code_insee",),
            geometry="Polygon",
        ),
        Dataset(
            name="epci",
            filename="epci.parquet",
            title="EPCI 2026",
            producer=_COG,
            licence=ETALAB,
            vintage="COG 2026, population 2023",
            key="epci_siren",
            required_columns=("epci_siren", "epci_nom", "dep", "reg", "zone", "population"),
            geometry="Polygon",
        ),
        Dataset(
            name="departements",
            filename="departements.parquet",
            title="Départements 2026",
            producer=_COG,
            licence=ETALAB,
            vintage="COG 2026, population 2023",
            key="dep",
            required_columns=("dep", "nom_dep", "reg", "zone", "population"),
            geometry="Polygon",
        ),
        Dataset(
            name="regions",
            filename="regions.parquet",
            title="Régions 2026",
            producer=_COG,
            licence=ETALAB,
            vintage="COG 2026, population 2023",
            key="reg",
            required_columns=("reg", "nom_reg", "zone", "population"),
            geometry="Polygon",
        ),
        Dataset(
            name="acv",
            filename="acv.parquet",
            title="Action Cœur de Ville (communes)",
            producer="ANCT",
            licence=ETALAB,
            vintage="avril 2024",
            key="code_insee",
            required_columns=("code_insee", "programme_id"),
            geometry=None,
        ),
        Dataset(
            name="pvd",
            filename="pvd.parquet",
            title="Petites villes de demain (communes)",
            producer="ANCT",
            licence=ETALAB,
            vintage="janvier 2021",
            key="code_insee",
            required_columns=("code_insee", "programme_id"),
            geometry=None,
            url="https://www.data.gouv.fr/fr/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e",
            notes="Liste de 2021 (1 606 communes) ; le programme en compte aujourd'hui environ 1 645.",
        ),
        Dataset(
            name="zrr",
            filename="zrr.parquet",
            title="Zones de revitalisation rurale (historique)",
            producer="ANCT – Observatoire des territoires",
            licence=ETALAB,
            vintage="COG 2021, dispositif remplacé par FRR le 1er juillet 2024",
            key="code_insee",
            required_columns=("code_insee", "zrr"),
            geometry=None,
        ),
        Dataset(
            name="typologies",
            filename="typologies.parquet",
            title="Typologies des communes (densité, centralités, ruralités, massifs)",
            producer="INSEE (grille communale de densité) ; ANCT – INRAE (centralités) ; ANCT (typologie "
            "des ruralités, massifs de la loi Montagne), via l'Observatoire des territoires",
            licence=ETALAB,
            vintage="export de l'Observatoire des territoires, juillet 2026 (COG 2026)",
            key="code_insee",
            required_columns=(
                "code_insee",
                "densite_niveau",
                "densite",
                "densite_groupe",
                "centralite_niveau",
                "centralite",
                "ruralite",
                "massif",
            ),
            geometry=None,
            dtypes={"code_insee": "string", "densite_niveau": "number", "centralite_niveau": "number"},
        ),
        Dataset(
            name="commune_points",
            filename="commune_points.parquet",
            title="Contrôle des points représentatifs des communes",
            producer="Calcul de l'Atlas (adresses des France services et des tiers-lieux géocodés, "
            "contours des communes)",
            licence=ETALAB,
            vintage="calculé à la construction des données",
            key="code_insee",
            required_columns=("code_insee", *POINT_COLUMNS),
            geometry=None,
            dtypes={"code_insee": "string", "point_evidence_m": "number", "point_approximate": "bool"},
            notes="Distance du point représentatif de chaque commune à l'adresse connue la plus proche "
            "dans la commune ; point signalé approximatif au-delà de 5 km (ou, sans adresse connue, "
            "commune étendue à plus de 10 km de son point).",
        ),
        Dataset(
            name="communes_passage",
            filename="communes_passage.parquet",
            title="Table de passage des anciens codes communes au COG 2026",
            producer="INSEE (COG) via @etalab/decoupage-administratif",
            licence=ETALAB,
            vintage="COG 2026",
            key="code_ancien",
            required_columns=("code_ancien", "code_insee_2026"),
            geometry=None,
            dtypes={"code_ancien": "string", "code_insee_2026": "string"},
        ),
        Dataset(
            name="communes_deleguees",
            filename="communes_deleguees.parquet",
            title="Communes déléguées et associées (noms d'anciennes communes)",
            producer="INSEE (COG) via @etalab/decoupage-administratif 6.0.0",
            licence=ETALAB,
            vintage="COG 2026",
            key="code_ancien",
            required_columns=("nom", "code_ancien", "code_insee_2026", "type"),
            geometry=None,
            dtypes={"nom": "string", "code_ancien": "string", "code_insee_2026": "string"},
            notes="Noms des communes fusionnées encore connues comme communes déléguées ou associées "
            "(« Morez » dans Hauts de Bienne) : reconnus à l'import d'une liste.",
            built_by="data.build_former_names",
        ),
        Dataset(
            name="qpv",
            filename="qpv.parquet",
            title="Quartiers prioritaires de la politique de la ville 2024",
            producer="ANCT",
            licence=ETALAB,
            vintage="génération 2024",
            key="code_qp",
            required_columns=("code_qp", "lib_qp", "dep", "zone", "codes_insee", "location_precision"),
            url="https://www.data.gouv.fr/fr/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119",
            notes="Points situés au centroïde de la commune du quartier (approximatif).",
        ),
        Dataset(
            name="qpv_polygons",
            filename="qpv_polygons.parquet",
            title="Contours des quartiers prioritaires (QPV) 2024",
            producer="ANCT",
            licence=ETALAB,
            vintage="génération 2024",
            key="code_qp",
            required_columns=("code_qp", "lib_qp", "dep", "zone", "codes_insee"),
            geometry="Polygon",
            optional=True,
            notes="Facultatif : quand ce fichier est présent, la distance d'un QPV se mesure "
            "depuis son contour (0 à l'intérieur) au lieu du centroïde de sa commune.",
        ),
    )
}


def dataset(name: str) -> Dataset:
    """Return the catalogue entry ``name``.

    Raises
    ------
    InvalidParameterError
        If ``name`` is not in :data:`DATASETS`.
    """
    check_choice(name, sorted(DATASETS), "name")
    return DATASETS[name]
