"""Valeurs fictives des indicateurs, cohérentes entre territoires et millésimes.

Chaque îlot porte une population et une précarité latente ; un indicateur d'un
territoire (quartier, commune, EPCI, département) est l'agrégat de ses îlots :
les taux sont des rapports numérateur / dénominateur, les effectifs des sommes,
la pyramide des âges se somme exactement à la population. Les départements
ajoutent un « reste rural » virtuel ; France et ensemble des QPV sont des
territoires virtuels. Quelques cellules reçoivent un marqueur de secret
(``s``), d'absence (``nd``) ou une tranche.

Exemple ::

    table = compute_values(geo, rng)
    table.query("indicateur == 'taux_pauvrete' and annee == 2021")
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from observatoire.demo.geography import DemoGeography

BANDS = ("0_14", "15_29", "30_44", "45_59", "60_74", "75_plus")
PYRAMIDE = [f"pop_{sexe}_{b}" for b in BANDS for sexe in ("hommes", "femmes")]
_BASE_SHARES = np.array([17.5, 17.0, 18.5, 19.5, 17.0, 10.5])
_YOUTH_COEF = np.array([0.55, 0.3, 0.05, -0.1, -0.45, -0.6])
_FEMALE = np.array([0.488, 0.495, 0.51, 0.512, 0.53, 0.61])

# taux : (ordonnée, pente précarité, pente jeunesse, bornes, dénominateur)
RATES: dict[str, tuple[float, float, float, tuple[float, float], str]] = {
    "taux_pauvrete": (14.0, 28.0, 0.0, (4, 75), "pop"),
    "part_prestations": (5.5, 21.0, 0.0, (1, 60), "pop"),
    "taux_emploi": (67.0, -19.0, 0.0, (25, 85), "pop"),
    "taux_emploi_precaire": (14.0, 9.0, 0.0, (5, 45), "pop"),
    "taux_chomage": (10.0, 16.0, 0.0, (3, 50), "pop"),
    "part_etrangers": (7.0, 13.0, 3.0, (0.5, 60), "pop"),
    "part_familles_monoparentales": (20.0, 14.0, 0.0, (5, 60), "pop"),
    "part_demandeurs_jeunes": (15.0, 2.0, 4.0, (5, 35), "demandeurs_emploi"),
    "part_allocataires_rsa": (14.0, 18.0, 0.0, (3, 70), "allocataires_caf"),
    "part_dependance_prestations": (22.0, 20.0, 0.0, (5, 75), "allocataires_caf"),
    "part_css": (11.0, 24.0, 0.0, (2, 70), "pop"),
    "taux_scolarisation_16_24": (62.0, -10.0, 0.0, (30, 92), "pop_15_24"),
    "part_non_diplomes": (27.0, 20.0, 0.0, (8, 75), "pop"),
    "part_logements_sociaux": (16.0, 52.0, 0.0, (0.5, 98), "logements"),
    "part_retard_6e": (9.0, 9.0, 0.0, (1, 40), "eleves_6e"),
}
INCOME = ("taux_pauvrete", "revenu_median_uc", "revenu_d1_uc", "revenu_d9_uc")
REVENUS = (*INCOME, "rapport_interdecile", "part_prestations")
AGES = ("part_0_14", "part_15_24", "part_25_59", "part_60_plus", "indice_jeunesse", "part_femmes")
COUNTS = ("population", "demandeurs_emploi", "allocataires_caf")
ALL_INDICATORS = (*COUNTS, *AGES, *RATES, *REVENUS[1:5], *PYRAMIDE)

FRANCE = ("FR", "france", "France (données fictives)")
ENSEMBLE_QPV = ("ENSQPV", "ensemble_qpv", "Ensemble des QPV (données fictives)")


@dataclass
class _Territory:
    code: str
    niveau: str
    nom: str
    tiles: np.ndarray  # indices d'îlots (réels ou virtuels)
    years: tuple[int, ...]
    generation: int | None = None


def compute_values(geo: DemoGeography, rng: np.random.Generator) -> pd.DataFrame:
    """Table longue : code, niveau, nom, generation, indicateur, annee, valeur, numerateur,
    denominateur, marqueur (vide, ``s``, ``nd`` ou tranche)."""
    model = geo.model
    pop, p, y, virtual = _tiles_with_virtual(geo)
    territories = _territories(geo, virtual)
    years = sorted({a for t in territories for a in t.years})
    growth = rng.normal(0.002, 0.006, pop.size)
    drift = rng.normal(-0.01, 0.02, pop.size)
    noise = {name: rng.normal(0, 1.6, (len(years), pop.size)) for name in RATES}
    female = np.clip(_FEMALE + rng.normal(0, 0.006, (pop.size, 6)), 0.4, 0.7)
    rows: list[pd.DataFrame] = []
    flat = np.concatenate([t.tiles for t in territories])
    ptr = np.cumsum([0] + [len(t.tiles) for t in territories])[:-1]
    for yi, year in enumerate(years):
        pop_y = pop * (1 + growth * (year - 2020))
        p_y = p + drift * (year - 2018) / 3
        shares = _BASE_SHARES * np.exp(np.outer(y, _YOUTH_COEF))
        bands = pop_y[:, None] * shares / shares.sum(axis=1, keepdims=True)
        q: dict[str, np.ndarray] = {"pop": pop_y, "p_pop": p_y * pop_y}
        for b in range(6):
            q[f"f{b}"] = bands[:, b] * female[:, b]
            q[f"h{b}"] = bands[:, b] * (1 - female[:, b])
        q["pop_15_24"] = bands[:, 1] * 0.64
        q["moins_20"] = bands[:, 0] + bands[:, 1] * 0.34
        q["demandeurs_emploi"] = pop_y * np.clip(0.065 + 0.045 * p_y, 0.02, 0.2)
        q["allocataires_caf"] = pop_y * np.clip(0.2 + 0.1 * p_y, 0.05, 0.5)
        q["logements"] = pop_y / np.clip(2.2 + 0.2 * p_y, 1.6, 3.2)
        q["eleves_6e"] = bands[:, 0] / 15 * 1.0
        for name, (a, slope, ys, (lo, hi), den) in RATES.items():
            rate = np.clip(a + slope * p_y + ys * y + noise[name][yi], lo, hi)
            q[f"d_{name}"] = q[den]
            q[f"n_{name}"] = q[den] * rate / 100
        keys = list(q)
        sums = np.add.reduceat(np.column_stack([q[k] for k in keys])[flat], ptr, axis=0)
        agg = pd.DataFrame(sums, columns=keys)
        rows.append(_indicators(agg, territories, year))
    table = pd.concat(rows, ignore_index=True)
    table = table[[a in t for a, t in zip(table["annee"], table["_years"], strict=True)]]
    table = table.drop(columns="_years").reset_index(drop=True)
    table["marqueur"] = ""
    _apply_secrets(table, model)
    return table


def _tiles_with_virtual(geo: DemoGeography):
    """Îlots réels + virtuels (reste rural de chaque département, France, ensemble des QPV)."""
    model = geo.model
    extra_pop, extra_p, extra_y, virtual = [], [], [], {}
    n = geo.tile_pop.size
    for dep, _ in model.departements:
        communes = [
            c.code for c in model.communes if (c.departement or model.departement_code) == dep
        ]
        urban = geo.tile_pop[np.isin(geo.tile_commune, communes)].sum()
        virtual[dep] = n + len(extra_pop)
        extra_pop.append(urban * 1.6)
        extra_p.append(-0.3)
        extra_y.append(-0.3)
    for code, value, pv, yv in (
        (FRANCE[0], 64_870_000, 0.0, 0.0),
        (ENSEMBLE_QPV[0], 5_310_000, 1.0, 0.7),
    ):
        virtual[code] = n + len(extra_pop)
        extra_pop.append(value)
        extra_p.append(pv)
        extra_y.append(yv)
    pop = np.concatenate([geo.tile_pop, extra_pop])
    return (
        pop,
        np.concatenate([geo.tile_p, extra_p]),
        np.concatenate([geo.tile_y, extra_y]),
        virtual,
    )


def _territories(geo: DemoGeography, virtual: dict[str, int]) -> list[_Territory]:
    model = geo.model
    years24, years15 = tuple(model.annees), tuple(model.annees_2015)
    refs = tuple(sorted(set(years24) | set(years15)))
    out = [
        _Territory(q.code, "qpv", q.nom, geo.members[q.code], years24, 2024)
        for q in model.quartiers
    ]
    out += [
        _Territory(q.code, "qpv", q.nom, geo.members[q.code], years15, 2015)
        for q in model.quartiers_2015
    ]
    by_commune = pd.Series(np.arange(geo.tile_commune.size)).groupby(geo.tile_commune).agg(list)
    for c in model.communes:
        out.append(_Territory(c.code, "commune", c.nom, np.asarray(by_commune[c.code]), refs))
    epcis = model.epcis or []
    for e in epcis:
        tiles = np.concatenate([by_commune[c.code] for c in model.communes if c.epci == e.code])
        out.append(_Territory(e.code, "epci", e.nom, tiles, refs))
    for dep, nom in model.departements:
        codes = [c.code for c in model.communes if c.departement == dep]
        tiles = np.concatenate([by_commune[c] for c in codes] + [[virtual[dep]]])
        out.append(_Territory(dep, "departement", nom, tiles.astype(int), refs))
    for code, niveau, nom in (FRANCE, ENSEMBLE_QPV):
        out.append(_Territory(code, niveau, nom, np.array([virtual[code]]), refs))
    return out


def _largest_remainder(values: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Arrondit chaque ligne en entiers dont la somme vaut ``total`` (méthode des plus forts restes)."""
    base = np.floor(values)
    missing = (total - base.sum(axis=1)).astype(int)
    order = np.argsort(-(values - base), axis=1, kind="stable")
    ranks = np.argsort(order, axis=1, kind="stable")
    return (base + (ranks < missing[:, None])).astype(int)


def _indicators(agg: pd.DataFrame, territories: list[_Territory], year: int) -> pd.DataFrame:
    pop = np.round(agg["pop"].to_numpy()).astype(int)
    cols = [agg[f"{s}{b}"].to_numpy() for b in range(6) for s in ("h", "f")]
    pyr = _largest_remainder(np.column_stack(cols) * (pop / agg["pop"].to_numpy())[:, None], pop)
    band = pyr.reshape(-1, 6, 2).sum(axis=2)
    v: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = {}
    v["population"] = (pop.astype(float), None, None)
    p15_24 = np.round(agg["pop_15_24"].to_numpy() * pop / agg["pop"].to_numpy())
    old = band[:, 4] + band[:, 5]
    for name, num in (
        ("part_0_14", band[:, 0]),
        ("part_15_24", p15_24),
        ("part_25_59", band[:, 1] + band[:, 2] + band[:, 3] - p15_24),
        ("part_60_plus", old),
        ("part_femmes", pyr[:, 1::2].sum(axis=1)),
    ):
        v[name] = (np.round(100 * num / pop, 1), num.astype(float), pop.astype(float))
    young = np.round(agg["moins_20"].to_numpy() * pop / agg["pop"].to_numpy())
    v["indice_jeunesse"] = (np.round(young / old, 2), young, old.astype(float))
    for i, name in enumerate(PYRAMIDE):
        v[name] = (pyr[:, i].astype(float), None, None)
    for name in ("demandeurs_emploi", "allocataires_caf"):
        v[name] = (np.round(agg[name].to_numpy()), None, None)
    for name in RATES:
        num, den = np.round(agg[f"n_{name}"].to_numpy()), np.round(agg[f"d_{name}"].to_numpy())
        den = np.maximum(den, 1)
        v[name] = (np.round(100 * num / den, 1), num, den)
    pbar = agg["p_pop"].to_numpy() / agg["pop"].to_numpy()
    trend = 1 + 0.014 * (year - 2018)
    median = 22800 * np.exp(-0.5 * pbar) * trend
    d1 = median * np.clip(0.53 - 0.14 * pbar, 0.25, 0.6)
    d9 = median * (1.85 + 0.12 * np.clip(pbar, -0.5, 1.8))
    v["revenu_median_uc"] = (np.round(median, -1), None, None)
    v["revenu_d1_uc"] = (np.round(d1, -1), None, None)
    v["revenu_d9_uc"] = (np.round(d9, -1), None, None)
    v["rapport_interdecile"] = (np.round(np.round(d9, -1) / np.round(d1, -1), 1), None, None)
    frames = []
    base = pd.DataFrame(
        {
            "code": [t.code for t in territories],
            "niveau": [t.niveau for t in territories],
            "nom": [t.nom for t in territories],
            "generation": pd.array([t.generation for t in territories], dtype="Int64"),
            "_years": [t.years for t in territories],
        }
    )
    for name in ALL_INDICATORS:
        val, num, den = v[name]
        f = base.copy()
        f["indicateur"] = name
        f["annee"] = year
        f["valeur"] = val
        f["numerateur"] = num if num is not None else np.nan
        f["denominateur"] = den if den is not None else np.nan
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _apply_secrets(table: pd.DataFrame, model) -> None:
    """Secret statistique, valeurs non disponibles et tranches, sur quelques quartiers."""
    is_pop = table["indicateur"] == "population"
    sub = table[is_pop]
    pops = {
        (c, int(a)): v for c, a, v in zip(sub["code"], sub["annee"], sub["valeur"], strict=True)
    }
    marks: list[tuple[str, int, str, str]] = []
    epci_of = {c.code: c.epci or model.epci_code for c in model.communes}
    for gen, quartiers, years in (
        (2024, model.quartiers, model.annees),
        (2015, model.quartiers_2015, model.annees_2015),
    ):
        by_epci: dict[str, list[str]] = {}
        for q in quartiers:
            by_epci.setdefault(epci_of[q.communes[0]], []).append(q.code)
        for codes in by_epci.values():
            ranked = sorted(codes, key=lambda c: (pops[(c, years[0])], c))
            small = ranked[0]
            second = ranked[1] if len(ranked) > 1 else small
            if gen == 2024:
                marks += [(small, years[0], name, "s") for name in REVENUS]
                marks += [
                    (small, years[1], n, "nd") for n in ("revenu_d1_uc", "rapport_interdecile")
                ]
                marks += [(small, years[1], "part_etrangers", "s")]
                marks += [(second, years[-1], "part_retard_6e", "nd")]
                marks += [(small, years[-1], "demandeurs_emploi", "[tranche]")]
            else:
                marks += [(small, years[0], n, "s") for n in ("part_etrangers", "taux_pauvrete")]
    position = _positions(table)
    markers = table["marqueur"].to_numpy(dtype=object)
    for code, year, name, marker in marks:
        i = position[(code, year, name)]
        if marker == "[tranche]":  # effectif publié en tranche de 50
            low = int(table["valeur"].iat[i] // 50 * 50)
            marker = f"[{low};{low + 50}["
        markers[i] = marker
    table["marqueur"] = markers


def _positions(table: pd.DataFrame) -> dict[tuple[str, int, str], int]:
    """(code QPV, année, indicateur) → position dans la table."""
    qpv = np.flatnonzero((table["niveau"] == "qpv").to_numpy())
    keys = zip(
        table["code"].to_numpy()[qpv],
        table["annee"].to_numpy()[qpv].tolist(),
        table["indicateur"].to_numpy()[qpv],
        strict=True,
    )
    return {key: int(i) for key, i in zip(keys, qpv, strict=True)}
