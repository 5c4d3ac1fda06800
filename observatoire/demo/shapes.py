"""Géométrie du territoire fictif : îlots de Voronoï, communes et quartiers par croissance.

Une agglomération est un pavage en petits « îlots » (cellules de Voronoï de
points tirés au hasard dans un contour irrégulier). Les communes et les quartiers
sont des réunions d'îlots obtenues par croissance (Dijkstra à poids aléatoires) :
les frontières sont irrégulières, les communes jointives, et un quartier est
toujours inclus dans la réunion de ses communes. Calcul pur, en mètres, centré
sur l'origine (le placement en Lambert-93 est fait par :mod:`geography`).

Exemple ::

    rng = np.random.default_rng(1)
    tiles = tessellate(rng, radius=5000.0, spacing=300.0)
    owner = grow_regions(rng, tiles, seeds=[0, 40, 80])
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import Voronoi
from shapely.geometry import Polygon


@dataclass
class Tiles:
    """Pavage d'une agglomération : îlots, centres, voisinages, contour."""

    polygons: np.ndarray  # tableau shapely de Polygon
    centers: np.ndarray  # (n, 2) en mètres
    neighbors: list[list[int]]
    outline: Polygon

    def __len__(self) -> int:
        return len(self.polygons)


def irregular_outline(rng: np.random.Generator, radius: float, points: int = 120) -> Polygon:
    """Contour d'agglomération irrégulier (cercle déformé par quelques harmoniques)."""
    theta = np.linspace(0.0, 2 * np.pi, points, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 7):
        r += rng.uniform(0.02, 0.14 / (k - 1)) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r *= radius * (1 + rng.normal(0, 0.01, theta.size))
    return Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))


def tessellate(rng: np.random.Generator, radius: float, spacing: float) -> Tiles:
    """Îlots de Voronoï (grille perturbée) découpés par un contour irrégulier."""
    outline = irregular_outline(rng, radius)
    n = int(np.ceil(radius * 1.4 / spacing))
    grid = np.arange(-n, n + 1) * spacing
    xx, yy = np.meshgrid(grid, grid)
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    pts = pts + rng.uniform(-0.42, 0.42, pts.shape) * spacing
    inside = shapely.contains_xy(outline, pts[:, 0], pts[:, 1])
    pts = pts[inside]
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(pts), extend_to=outline.buffer(spacing * 4), ordered=True
    )
    polys = shapely.intersection(np.asarray(shapely.get_parts(cells)), outline)
    polys = np.array([_largest(p) for p in polys], dtype=object)
    keep = shapely.area(polys) > spacing * spacing * 0.05
    polys, pts = polys[keep], pts[keep]
    neighbors = _neighbors(pts, polys, outline)
    return Tiles(polys, pts, neighbors, outline)


def _largest(geom) -> Polygon:
    if isinstance(geom, Polygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    return max(parts, key=lambda g: g.area) if parts else Polygon()


def _neighbors(pts: np.ndarray, polys: np.ndarray, outline: Polygon) -> list[list[int]]:
    """Voisins : îlots séparés par une arête de Voronoï entièrement dans le contour."""
    vor = Voronoi(pts)
    ridges = np.asarray(vor.ridge_points)
    verts = np.asarray(vor.ridge_vertices)
    finite = (verts >= 0).all(axis=1)
    ridges, verts = ridges[finite], verts[finite]
    inside = shapely.contains_xy(outline, vor.vertices[:, 0], vor.vertices[:, 1])
    ridges = ridges[inside[verts[:, 0]] & inside[verts[:, 1]]]
    neighbors: list[list[int]] = [[] for _ in range(len(pts))]
    for a, b in sorted((int(min(a, b)), int(max(a, b))) for a, b in ridges):
        neighbors[a].append(b)
        neighbors[b].append(a)
    return neighbors


def grow_regions(
    rng: np.random.Generator,
    tiles: Tiles,
    seeds: Sequence[int],
    speeds: Sequence[float] | None = None,
) -> np.ndarray:
    """Partage TOUS les îlots entre les germes (Dijkstra multi-sources, poids aléatoires).

    Renvoie pour chaque îlot l'indice du germe propriétaire ; chaque région est connexe.
    """
    speeds = speeds or [1.0] * len(seeds)
    jitter = rng.lognormal(0.0, 0.6, len(tiles))
    owner = np.full(len(tiles), -1, dtype=int)
    heap: list[tuple[float, int, int]] = [(0.0, s, k) for k, s in enumerate(seeds)]
    heapq.heapify(heap)
    while heap:
        cost, node, k = heapq.heappop(heap)
        if owner[node] >= 0:
            continue
        owner[node] = k
        for nb in tiles.neighbors[node]:
            if owner[nb] < 0:
                heapq.heappush(heap, (cost + jitter[nb] / speeds[k], nb, k))
    return owner


def grow_patch(
    rng: np.random.Generator,
    tiles: Tiles,
    seed: int,
    size: int,
    allowed: np.ndarray,
) -> list[int]:
    """Réunit ``size`` îlots connexes autour de ``seed`` parmi les îlots ``allowed``."""
    jitter = rng.lognormal(0.0, 0.5, len(tiles))
    taken: list[int] = []
    seen = {seed}
    heap = [(0.0, seed)]
    while heap and len(taken) < size:
        cost, node = heapq.heappop(heap)
        if not allowed[node]:
            continue
        taken.append(node)
        for nb in tiles.neighbors[node]:
            if nb not in seen and allowed[nb]:
                seen.add(nb)
                dist = float(np.hypot(*(tiles.centers[nb] - tiles.centers[seed])))
                heapq.heappush(heap, (cost + jitter[nb] + dist / 2000.0, nb))
    return taken


def frontier(tiles: Tiles, members: Iterable[int], allowed: np.ndarray) -> list[int]:
    """Îlots ``allowed`` voisins d'un ensemble d'îlots (triés, donc déterministes)."""
    inside = set(members)
    out = {nb for m in inside for nb in tiles.neighbors[m] if nb not in inside and allowed[nb]}
    return sorted(out)


def merge_tiles(tiles: Tiles, members: Iterable[int]) -> Polygon:
    """Réunion d'îlots voisins en un seul polygone (normalisé : sortie déterministe)."""
    union = shapely.coverage_union_all(tiles.polygons[sorted(members)])
    return _largest(shapely.make_valid(union)).normalize()


def enclosed(tiles: Tiles, polygon: Polygon, members: Iterable[int]) -> list[int]:
    """Îlots entièrement entourés par ``polygon`` mais absents de ``members``."""
    inside = set(members)
    hits = shapely.contains_xy(polygon, tiles.centers[:, 0], tiles.centers[:, 1])
    return [int(i) for i in np.flatnonzero(hits) if int(i) not in inside]
