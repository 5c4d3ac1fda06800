"""Construction du territoire fictif : communes, quartiers 2015 et 2024, correspondances.

Chaque agglomération est un pavage d'îlots (:mod:`shapes`) ; les communes et les
quartiers sont des réunions d'îlots. La population et la « précarité » latente
sont portées par les îlots, ce qui rend toutes les valeurs agrégées cohérentes
(un quartier sur deux communes, une commune et ses quartiers, les deux
générations). Coordonnées en Lambert-93, en plein océan Atlantique.

Exemple ::

    geo = build_geography(np.random.default_rng(2024), n_quartiers=14)
    geo.model.quartiers[0].code      # 'QN00001A'
    geo.shapes["QN00001A"].area      # m²
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from observatoire.demo import names, shapes
from observatoire.demo.model import DemoCommune, DemoEpci, DemoModel, DemoQuartier
from observatoire.demo.plan import AggloPlan, plan_agglomeration

# Codes à deux chiffres qui ne désignent aucun département actuel.
DEPARTEMENTS = [
    ("00", "Département fictif"),
    ("20", "Département fictif Nord"),
    ("96", "Département fictif Sud"),
]
EPCI_FIRST = 200000099
CENTER_DEMO = (-5.5, 46.0)  # lon, lat : plein océan Atlantique
CENTER_NATIONAL = (-6.2, 45.8)
MIN_QUARTIERS = 3  # participation et contrat de ville supposent plusieurs quartiers
MAX_QUARTIERS = 2500
SINGLE_AGGLO_MAX = 40


@dataclass
class DemoGeography:
    """Le modèle partagé + ce que seuls les générateurs de géographie et d'indicateurs voient."""

    model: DemoModel
    tile_pop: np.ndarray  # population de référence (2020) par îlot
    tile_p: np.ndarray  # précarité latente (0 : moyenne nationale ; ~1 : QPV typique)
    tile_y: np.ndarray  # jeunesse latente
    tile_commune: np.ndarray  # code commune par îlot
    members: dict[str, np.ndarray] = field(default_factory=dict)  # quartier → îlots
    shapes: dict[str, Polygon] = field(default_factory=dict)  # quartier → polygone L93
    commune_shapes: dict[str, Polygon] = field(default_factory=dict)  # L93

    def population(self, code: str) -> int:
        return int(round(self.tile_pop[self.members[code]].sum()))


def build_geography(rng: np.random.Generator, n_quartiers: int = 14) -> DemoGeography:
    """Construit le territoire fictif (``n_quartiers`` quartiers 2024)."""
    if not MIN_QUARTIERS <= n_quartiers <= MAX_QUARTIERS:
        raise ValueError(
            f"nombre de quartiers hors bornes : {n_quartiers} ({MIN_QUARTIERS} à {MAX_QUARTIERS})"
        )
    sizes = _agglo_sizes(rng, n_quartiers)
    national = len(sizes) > 1
    spacing_tiles = 340.0 if national else 260.0
    centers = _agglo_centers(len(sizes), national)
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    origin = np.array(to_l93.transform(*(CENTER_NATIONAL if national else CENTER_DEMO)))
    model = DemoModel(
        nom=(
            "Territoire national synthétique (données fictives)"
            if national
            else f"Agglomération de {names.AGGLO_NAME} (données fictives)"
        ),
        epci_code=str(EPCI_FIRST),
        epci_nom=f"Communauté d'agglomération de {names.AGGLO_NAME}",
        departement_code=DEPARTEMENTS[0][0],
        departement_nom=DEPARTEMENTS[0][1],
        communes=[],
        quartiers=[],
    )
    used_depts: dict[str, int] = {}
    counters = {"com": {}, "qn": {}, "qp": {}}
    pops, ps, ys, coms = [], [], [], []
    geo = DemoGeography(model, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=object))
    for i, size in enumerate(sizes):
        dep = DEPARTEMENTS[i % len(DEPARTEMENTS)][0] if national else DEPARTEMENTS[0][0]
        used_depts[dep] = 1
        radius = (900.0 if national else 1200.0) * np.sqrt(max(size, 3)) + 800.0
        offset = origin + centers[i]
        epci = DemoEpci(
            str(EPCI_FIRST + i),
            model.epci_nom if i == 0 else f"Communauté de communes de {names.invented_word(rng)}",
            dep,
        )
        model.epcis.append(epci)
        for _attempt in range(6):  # agglomération trop petite pour ses quartiers : on l'agrandit
            tiles = shapes.tessellate(rng, radius, spacing_tiles)
            plan = plan_agglomeration(rng, tiles, size, first=(i == 0))
            if sum(q.generation == 2024 for q in plan.quartiers) == size:
                break
            radius *= 1.2
        else:
            raise RuntimeError(f"impossible de placer {size} quartiers dans une agglomération")
        base = sum(len(p) for p in pops)
        _register(geo, plan, tiles, epci, offset, base, counters, rng)
        pops.append(plan.tile_pop)
        ps.append(plan.tile_p)
        ys.append(plan.tile_y)
        coms.append(np.array([plan.commune_codes[k] for k in plan.owner], dtype=object))
    geo.tile_pop = np.concatenate(pops)
    geo.tile_p = np.concatenate(ps)
    geo.tile_y = np.concatenate(ys)
    geo.tile_commune = np.concatenate(coms)
    model.departements = [d for d in DEPARTEMENTS if d[0] in used_depts]
    for c in model.communes:
        c.population = int(round(geo.tile_pop[geo.tile_commune == c.code].sum()))
    for q in model.quartiers + model.quartiers_2015:
        q.population = geo.population(q.code)
    return geo


def _agglo_sizes(rng: np.random.Generator, n: int) -> list[int]:
    if n <= SINGLE_AGGLO_MAX:
        return [n]
    sizes = [14]
    while sum(sizes) < n:
        sizes.append(int(rng.integers(3, 26)))
    sizes[-1] -= sum(sizes) - n
    if sizes[-1] < 3:  # dernier trop petit : reversé au précédent
        last = sizes.pop()
        sizes[-1] += last
    return sizes


def _agglo_centers(count: int, national: bool) -> np.ndarray:
    if not national:
        return np.zeros((1, 2))
    cols = int(np.ceil(np.sqrt(count)))
    step = 17000.0
    idx = np.arange(count)
    xy = np.column_stack([(idx % cols) - (cols - 1) / 2, (idx // cols) - (cols - 1) / 2])
    return xy * step


def _next(counter: dict[str, int], key: str, start: int) -> int:
    counter[key] = counter.get(key, start - 1) + 1
    return counter[key]


def _qn_code(dep: str, index: int) -> str:
    num, letter = index % 99 + 1, chr(ord("A") + index // 99)
    return f"QN0{dep}{num:02d}{letter}"


def _register(
    geo: DemoGeography,
    plan: AggloPlan,
    tiles: shapes.Tiles,
    epci: DemoEpci,
    offset: np.ndarray,
    base: int,
    counters: dict[str, dict[str, int]],
    rng: np.random.Generator,
) -> None:
    """Attribue les codes, place les polygones en Lambert-93 et remplit le modèle."""
    model = geo.model
    dep = epci.departement
    com_names = names.commune_names(rng, len(plan.commune_codes), offset=0 if base == 0 else 1)
    local_to_code: dict[int, str] = {}
    for k in range(len(plan.commune_codes)):
        code = f"{dep}{_next(counters['com'], dep, 101):03d}"
        local_to_code[k] = code
        model.communes.append(DemoCommune(code, com_names[k], 0, epci.code, dep))
        members = np.flatnonzero(plan.owner == k)
        poly = shapes.merge_tiles(tiles, members)
        geo.commune_shapes[code] = _place(poly, offset)
    plan.commune_codes = [local_to_code[k] for k in range(len(plan.commune_codes))]
    count = 1 + max(max(q.name_index, q.merge_with or 0) for q in plan.quartiers)
    q_names = names.quartier_names(rng, count, first_agglo=(base == 0))
    codes: dict[str, str] = {}
    for pq in plan.quartiers:
        if pq.generation == 2024:
            code = _qn_code(dep, _next(counters["qn"], dep, 0))
        else:
            code = f"QP0{dep}{_next(counters['qp'], dep, 1):03d}"
        codes[pq.key] = code
        nom = q_names[pq.name_index]
        if pq.merge_with is not None:
            nom = f"{nom} – {q_names[pq.merge_with]}"
        if pq.suffix:
            nom = f"{nom} {pq.suffix}"
        communes = sorted({plan.commune_codes[k] for k in plan.owner[pq.tiles]})
        quartier = DemoQuartier(code, nom, communes, 0, pq.generation)
        (model.quartiers if pq.generation == 2024 else model.quartiers_2015).append(quartier)
        geo.members[code] = np.asarray(sorted(pq.tiles), dtype=int) + base
        geo.shapes[code] = _place(shapes.merge_tiles(tiles, pq.tiles), offset)
    for c15, c24, part, relation in plan.links:
        model.correspondances.append(
            (codes.get(c15) if c15 else None, codes.get(c24) if c24 else None, part, relation)
        )


def _place(poly: Polygon, offset: np.ndarray) -> Polygon:
    """Translate en Lambert-93 et arrondit au centimètre (sortie déterministe)."""
    moved = shapely.transform(poly, lambda xy: np.round(xy + offset, 2))
    return shapely.make_valid(moved).normalize() if not moved.is_valid else moved
