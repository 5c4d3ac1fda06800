"""Plan d'une agglomération fictive : communes, quartiers des deux générations, populations.

Les quartiers sont d'abord tracés dans la géographie 2015, puis la géographie 2024
en dérive : la plupart identiques ou modifiés à la marge, et (à partir de 8
quartiers) une scission, une fusion, un quartier sorti et un nouveau quartier,
plus un quartier à cheval sur deux communes. Calcul pur sur les îlots de
:mod:`shapes`.

Exemple ::

    plan = plan_agglomeration(np.random.default_rng(1), tiles, size=14, first=True)
    [q.generation for q in plan.quartiers][:3]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from observatoire.demo import shapes


@dataclass
class PlanQuartier:
    key: str  # clé locale, ex. "s3-2024"
    generation: int
    tiles: list[int]
    name_index: int
    suffix: str = ""
    merge_with: int | None = None  # indice du second nom (fusion)


@dataclass
class AggloPlan:
    owner: np.ndarray  # commune locale de chaque îlot
    commune_codes: list[str]
    quartiers: list[PlanQuartier] = field(default_factory=list)
    links: list[tuple[str | None, str | None, float | None, str]] = field(default_factory=list)
    tile_pop: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tile_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tile_y: np.ndarray = field(default_factory=lambda: np.zeros(0))


def plan_agglomeration(
    rng: np.random.Generator, tiles: shapes.Tiles, size: int, first: bool
) -> AggloPlan:
    """Découpe l'agglomération en communes et y place ``size`` quartiers 2024."""
    n_communes = int(np.clip(np.ceil(size / 3) + 1, 2 if not first else 4, 8))
    owner = _communes(rng, tiles, n_communes)
    plan = AggloPlan(owner, [str(k) for k in range(n_communes)])
    builder = _Builder(rng, tiles, owner, n_communes)
    builder.run(plan, size)
    _populate(rng, tiles, plan, builder)
    return plan


def _communes(rng: np.random.Generator, tiles: shapes.Tiles, count: int) -> np.ndarray:
    centers = tiles.centers
    radius = float(np.sqrt(tiles.outline.area / np.pi))
    anchors = [np.zeros(2)]
    start = rng.uniform(0, 2 * np.pi)
    for k in range(1, count):
        angle = start + 2 * np.pi * (k - 1) / (count - 1) + rng.normal(0, 0.2)
        anchors.append(radius * rng.uniform(0.5, 0.7) * np.array([np.cos(angle), np.sin(angle)]))
    seeds: list[int] = []
    for a in anchors:
        order = np.argsort(np.hypot(*(centers - a).T))
        seeds.append(int(next(i for i in order if int(i) not in seeds)))
    speeds = [1.8] + [1.0] * (count - 1)
    return shapes.grow_regions(rng, tiles, seeds, speeds)


class _Builder:
    """Place les quartiers (îlots) en évitant qu'ils se touchent, sauf les deux fusionnés."""

    def __init__(self, rng, tiles: shapes.Tiles, owner: np.ndarray, n_communes: int) -> None:
        self.rng, self.tiles, self.owner = rng, tiles, owner
        self.patches: list[list[int]] = []
        self.boost: dict[int, float] = {}  # îlot → surcroît de précarité
        qpv_communes = n_communes - 1 if n_communes >= 5 else n_communes
        weights = np.array([3.0] + [1.0 + 0.3 * rng.random() for _ in range(qpv_communes - 1)])
        self.commune_weights = weights / weights.sum()
        self.names = 0

    # ----------------------------------------------------------------- outils
    def blocked(self, exclude: tuple[int, ...] = ()) -> np.ndarray:
        mask = np.zeros(len(self.tiles), dtype=bool)
        for i, patch in enumerate(self.patches):
            if i in exclude:
                continue
            mask[patch] = True
            for t in patch:
                mask[self.tiles.neighbors[t]] = True
        return mask

    def grow(self, communes: list[int], size: int, exclude=(), near: list[int] | None = None):
        allowed = np.isin(self.owner, communes) & ~self.blocked(exclude)
        for p in self.patches:
            allowed[p] = False
        if near is not None:
            candidates = [t for t in shapes.frontier(self.tiles, near, allowed)]
        else:
            candidates = [int(i) for i in np.flatnonzero(allowed)]
            if not candidates:  # commune pleine : n'importe quelle commune de l'agglomération
                allowed = ~self.blocked(exclude)
                candidates = [int(i) for i in np.flatnonzero(allowed)]
        if not candidates:
            return None
        anchor = self.tiles.centers[self.anchor_tile(communes[0])]
        d = np.hypot(*(self.tiles.centers[candidates] - anchor).T)
        seed = candidates[int(np.argmin(d * self.rng.lognormal(0, 0.35, len(candidates))))]
        patch = shapes.grow_patch(self.rng, self.tiles, seed, size, allowed)
        poly = shapes.merge_tiles(self.tiles, patch)
        patch += [t for t in shapes.enclosed(self.tiles, poly, patch) if allowed[t]]
        self.patches.append(patch)
        return patch

    def anchor_tile(self, commune: int) -> int:
        members = np.flatnonzero(self.owner == commune)
        target = np.zeros(2) if commune == 0 else self.tiles.centers[members].mean(axis=0) * 0.8
        return int(members[np.argmin(np.hypot(*(self.tiles.centers[members] - target).T))])

    def pick_commune(self) -> int:
        return int(self.rng.choice(len(self.commune_weights), p=self.commune_weights))

    def new_name(self) -> int:
        self.names += 1
        return self.names - 1

    # ----------------------------------------------------------------- plan
    def run(self, plan: AggloPlan, size: int) -> None:
        rng, add = self.rng, plan.quartiers.append
        events = size >= 8
        n_same = size - (5 if events else 0)
        if events:
            self._bi(plan)
            self._split(plan)
            self._merge(plan)
            out = self.grow([self.pick_commune()], int(rng.integers(4, 8)))
            if out is not None:
                add(PlanQuartier("out-2015", 2015, out, self.new_name()))
                plan.links.append(("out-2015", None, None, "sortie"))
                self.boost.update({t: 0.2 for t in out})
        for s in range(n_same):
            patch = self.grow([self.pick_commune()], int(rng.integers(5, 14)))
            if patch is None:
                continue
            name = self.new_name()
            k15, k24 = f"same{s}-2015", f"same{s}-2024"
            add(PlanQuartier(k15, 2015, patch, name))
            change = rng.random()
            if change < 0.2 and len(patch) > 6:  # réduit : derniers îlots agrégés retirés
                new = patch[: len(patch) - int(rng.integers(1, 3))]
                add(PlanQuartier(k24, 2024, new, name))
                plan.links.append((k15, k24, None, "modification"))
            elif change < 0.4:  # étendu à quelques îlots voisins
                allowed = ~self.blocked(exclude=(len(self.patches) - 1,))
                extra = shapes.frontier(self.tiles, patch, allowed)[: int(rng.integers(1, 4))]
                self.patches[-1] = patch + extra
                add(PlanQuartier(k24, 2024, patch + extra, name))
                plan.links.append((k15, k24, None, "modification"))
            else:
                add(PlanQuartier(k24, 2024, list(patch), name))
                plan.links.append((k15, k24, 1.0, "identique"))
        if events:
            new = self.grow([self.pick_commune()], int(rng.integers(5, 10)))
            if new is not None:
                add(PlanQuartier("new-2024", 2024, new, self.new_name()))
                plan.links.append((None, "new-2024", None, "entree"))

    def _bi(self, plan: AggloPlan) -> None:
        """Un quartier à cheval sur la ville-centre et la commune voisine la plus liée."""
        pairs = np.zeros(len(self.commune_weights), dtype=int)
        for t in np.flatnonzero(self.owner == 0):
            for nb in self.tiles.neighbors[t]:
                if 0 < self.owner[nb] < len(pairs):
                    pairs[self.owner[nb]] += 1
        other = int(np.argmax(pairs))
        border = [
            int(t)
            for t in np.flatnonzero(self.owner == other)
            if any(self.owner[nb] == 0 for nb in self.tiles.neighbors[t])
        ]
        patch = None
        for size in (10, 14, 20, 30):
            patch = self.grow([0, other], size, near=border or None)
            if patch is not None and len(set(self.owner[patch])) == 2:
                break
            if patch is not None:
                self.patches.pop()
            patch = None
        if patch is None:  # aucune frontière exploitable : quartier de la ville-centre
            patch = self.grow([0], 10)
        name = self.new_name()
        plan.quartiers += [
            PlanQuartier("bi-2015", 2015, patch, name),
            PlanQuartier("bi-2024", 2024, list(patch), name),
        ]
        plan.links.append(("bi-2015", "bi-2024", 1.0, "identique"))

    def _split(self, plan: AggloPlan) -> None:
        patch = self.grow([0], int(self.rng.integers(14, 22)))
        if patch is None or len(patch) < 4:  # pas la place : l'agglomération sera agrandie
            if patch is not None:
                self.patches.pop()
            return
        name = self.new_name()
        plan.quartiers.append(PlanQuartier("split-2015", 2015, patch, name))
        halves = self._halves(patch)
        for half, suffix in zip(halves, ("Nord", "Sud"), strict=True):
            key = f"split-{suffix}"
            plan.quartiers.append(PlanQuartier(key, 2024, half, name, suffix=suffix))
            plan.links.append(("split-2015", key, None, "scission"))

    def _halves(self, patch: list[int]) -> tuple[list[int], list[int]]:
        pts = self.tiles.centers[patch]
        for angle in np.linspace(0.3, np.pi, 12):
            proj = pts @ np.array([np.sin(angle), np.cos(angle)])
            cut = np.median(proj)
            north = [t for t, v in zip(patch, proj, strict=True) if v > cut]
            south = [t for t, v in zip(patch, proj, strict=True) if v <= cut]
            if self._connected(north) and self._connected(south):
                return north, south
        half = len(patch) // 2  # ordre de croissance : un préfixe reste connexe
        return patch[:half], patch[half:]

    def _connected(self, members: list[int]) -> bool:
        if not members:
            return False
        inside, stack, seen = set(members), [members[0]], {members[0]}
        while stack:
            for nb in self.tiles.neighbors[stack.pop()]:
                if nb in inside and nb not in seen:
                    seen.add(nb)
                    stack.append(nb)
        return len(seen) == len(inside)

    def _merge(self, plan: AggloPlan) -> None:
        for _attempt in range(5):  # deux quartiers voisins (b pousse contre a)
            commune = self.pick_commune()
            a = self.grow([commune], int(self.rng.integers(5, 9)))
            if a is None:
                continue
            b = self.grow(
                [commune], int(self.rng.integers(5, 9)), exclude=(len(self.patches) - 1,), near=a
            )
            if b is not None:
                break
            self.patches.pop()
        else:  # pas la place : l'agglomération sera agrandie
            return
        na, nb = self.new_name(), self.new_name()
        plan.quartiers += [
            PlanQuartier("mergeA-2015", 2015, a, na),
            PlanQuartier("mergeB-2015", 2015, b, nb),
            PlanQuartier("merge-2024", 2024, a + b, na, merge_with=nb),
        ]
        plan.links += [
            ("mergeA-2015", "merge-2024", 1.0, "fusion"),
            ("mergeB-2015", "merge-2024", 1.0, "fusion"),
        ]


def _populate(rng: np.random.Generator, tiles: shapes.Tiles, plan: AggloPlan, builder) -> None:
    """Population et précarité par îlot ; quartiers d'au moins 1 000 habitants."""
    radius = float(np.sqrt(tiles.outline.area / np.pi))
    d = np.hypot(*tiles.centers.T) / radius
    area_km2 = shapely.area(tiles.polygons) / 1e6
    density = 500 + 6500 * np.exp(-((d / 0.45) ** 2))
    pop = area_km2 * density * rng.lognormal(0, 0.35, len(tiles))
    p = 0.25 * np.exp(-((d / 0.5) ** 2)) - 0.35 * d + rng.normal(0, 0.12, len(tiles))
    in_qpv = np.zeros(len(tiles), dtype=bool)
    for patch in builder.patches:
        in_qpv[patch] = True
        p[patch] += rng.uniform(0.85, 1.3) + rng.normal(0, 0.08, len(patch))
        pop[patch] = area_km2[patch] * rng.uniform(5500, 10000) * rng.lognormal(0, 0.2, len(patch))
    for t, shift in builder.boost.items():
        p[t] -= shift
    for q in plan.quartiers:
        total = pop[q.tiles].sum()
        if total < 1100:
            pop[q.tiles] *= 1100 / total * rng.uniform(1.0, 1.4)
    # au plus 40 % de la population d'une commune en QPV : ses QPV restent plus pauvres qu'elle
    for k in range(len(plan.commune_codes)):
        rest = (plan.owner == k) & ~in_qpv
        qpv_pop, rest_pop = pop[(plan.owner == k) & in_qpv].sum(), pop[rest].sum()
        if qpv_pop > 0.4 * (qpv_pop + rest_pop) and rest_pop > 0:
            pop[rest] *= qpv_pop * 1.5 / rest_pop
    plan.tile_pop = pop
    plan.tile_p = p
    plan.tile_y = 0.5 * p + rng.normal(0, 0.25, len(tiles))
    # correspondances : part de la population 2015 reprise, quand elle n'est pas 1
    by_key = {q.key: q for q in plan.quartiers}
    links = []
    for k15, k24, part, relation in plan.links:
        if part is None and k15 and k24:
            src, dst = by_key[k15].tiles, set(by_key[k24].tiles)
            part = round(float(pop[[t for t in src if t in dst]].sum() / pop[src].sum()), 4)
        links.append((k15, k24, part, relation))
    plan.links = links
