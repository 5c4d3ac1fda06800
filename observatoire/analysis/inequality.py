"""Inégalités entre quartiers pour un indicateur et un millésime (fonctions pures).

- dispersion : min, max, quartiles, écart interquartile (Q3 − Q1, quantiles
  linéaires de pandas), rapport max / min ;
- indice de Theil pondéré par la population, T = Σ (pᵢ/P)·(yᵢ/μ)·ln(yᵢ/μ) avec
  μ = Σ pᵢyᵢ / P, et sa décomposition exacte T = T_inter + T_intra par commune :
  T_inter = Σ_g s_g·ln(μ_g/μ), T_intra = Σ_g s_g·T_g, où s_g = P_g·μ_g / (P·μ) ;
  un quartier sur plusieurs communes est rattaché à sa **première** commune
  (commune principale dans les listes nationales) ;
- rapport interdécile D9/D1 par quartier quand les déciles de revenu existent
  (``revenu_d9_uc`` / ``revenu_d1_uc``, sinon ``rapport_interdecile`` publié).

Les valeurs secrètes ou absentes sont exclues et comptées.

Exemple ::

    theil_index([10, 20], [100, 100])          # 0.0566…
    inequality_summary(obs.valeurs, obs.territoires, obs.quartiers["code"],
                       "taux_pauvrete", 2021)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from observatoire.analysis.aggregates import DEFAULT_WEIGHT, lookup_nearest
from observatoire.analysis.gaps import split_communes


def theil_index(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """Indice de Theil (T) pondéré ; 0 = égalité parfaite. Valeurs ≥ 0 requises.

    >>> round(theil_index([10, 20], [100, 100]), 4)
    0.0566
    """
    y = np.asarray(values, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    keep = ~(np.isnan(y) | np.isnan(w)) & (w > 0)
    y, w = y[keep], w[keep]
    if len(y) == 0:
        return float("nan")
    if (y < 0).any():
        raise ValueError("l'indice de Theil exige des valeurs positives ou nulles")
    mu = float((w * y).sum() / w.sum())
    if mu == 0:
        return float("nan")
    r = y / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float((w * terms).sum() / w.sum())


def theil_decomposition(
    values: Sequence[float], weights: Sequence[float], groups: Sequence[str]
) -> dict:
    """Décompose T en ``inter`` (entre groupes) et ``intra`` (dans les groupes).

    Renvoie ``{"theil", "inter", "intra", "part_inter", "groupes"}`` où ``groupes``
    est une table (groupe, population, moyenne, theil, part_revenu).

    >>> d = theil_decomposition([10, 20, 30], [1, 1, 2], ["a", "a", "b"])
    >>> round(d["inter"] + d["intra"] - d["theil"], 12)
    0.0
    """
    frame = pd.DataFrame({"y": values, "w": weights, "g": groups}).dropna()
    frame = frame[frame["w"] > 0]
    total = theil_index(frame["y"], frame["w"])
    mu = (frame["w"] * frame["y"]).sum() / frame["w"].sum()
    rows = []
    for g, part in frame.groupby("g", sort=True):
        pop = part["w"].sum()
        mu_g = (part["w"] * part["y"]).sum() / pop
        share = pop * mu_g / (frame["w"].sum() * mu)
        rows.append((g, pop, mu_g, theil_index(part["y"], part["w"]), share))
    table = pd.DataFrame(rows, columns=["groupe", "population", "moyenne", "theil", "part_revenu"])
    with np.errstate(divide="ignore", invalid="ignore"):
        between = float(
            (table["part_revenu"] * np.log(table["moyenne"] / mu))
            .where(table["moyenne"] > 0, 0)
            .sum()
        )
    within = float((table["part_revenu"] * table["theil"].fillna(0)).sum())
    return {
        "theil": total,
        "inter": between,
        "intra": within,
        "part_inter": 100 * between / total if total else float("nan"),
        "groupes": table,
    }


def spread(values: pd.Series) -> dict:
    """Dispersion d'une série indexée par code : min, max, quartiles, rapport max/min.

    >>> spread(pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"]))["rapport_max_min"]
    4.0
    """
    v = values.dropna().astype(float)
    if v.empty:
        keys = ("min", "max", "q1", "mediane", "q3", "ecart_interquartile", "rapport_max_min")
        return {k: np.nan for k in keys} | {"code_min": None, "code_max": None}
    q1, med, q3 = v.quantile([0.25, 0.5, 0.75])
    return {
        "min": float(v.min()),
        "code_min": str(v.idxmin()),
        "max": float(v.max()),
        "code_max": str(v.idxmax()),
        "q1": float(q1),
        "mediane": float(med),
        "q3": float(q3),
        "ecart_interquartile": float(q3 - q1),
        "rapport_max_min": float(v.max() / v.min()) if v.min() > 0 else np.nan,
    }


def d9_d1(valeurs: pd.DataFrame, codes: Iterable[str], annee: int) -> pd.DataFrame:
    """Rapport interdécile D9/D1 par territoire (calculé, ou publié à défaut).

    Colonnes : code, d1, d9, rapport, origine (``calculé`` / ``publié`` / NA).
    """
    codes = list(codes)
    sub = valeurs[valeurs["code"].isin(codes) & (valeurs["annee"] == annee)]
    sub = sub[sub["statut"] == "ok"].drop_duplicates(["code", "indicateur"])
    wide = sub.pivot(index="code", columns="indicateur", values="valeur").reindex(codes)
    d1 = wide.get("revenu_d1_uc", pd.Series(np.nan, index=wide.index))
    d9 = wide.get("revenu_d9_uc", pd.Series(np.nan, index=wide.index))
    published = wide.get("rapport_interdecile", pd.Series(np.nan, index=wide.index))
    computed = (d9 / d1).where((d1 > 0) & d9.notna())
    rapport = computed.fillna(published)
    origine = pd.Series(
        np.where(computed.notna(), "calculé", np.where(published.notna(), "publié", None)),
        index=wide.index,
    )
    out = pd.DataFrame({"d1": d1, "d9": d9, "rapport": rapport, "origine": origine})
    out.index.name = "code"
    return out.reset_index()


def inequality_summary(
    valeurs: pd.DataFrame,
    territoires: pd.DataFrame,
    codes: Iterable[str],
    indicateur: str,
    annee: int,
    *,
    poids: str = DEFAULT_WEIGHT,
) -> dict:
    """Résumé des inégalités entre ``codes`` pour ``indicateur`` au millésime ``annee``.

    Clés : ``n``, ``n_exclus``, ``codes_exclus``, ``population_exclue``, celles de
    :func:`spread`, ``theil``, ``theil_inter``, ``theil_intra``, ``part_inter`` (%),
    ``groupes`` (table par commune), ``d9_d1`` (table par quartier, si déciles).
    """
    codes = list(dict.fromkeys(codes))
    rows = valeurs[
        (valeurs["indicateur"] == indicateur)
        & (valeurs["annee"] == annee)
        & valeurs["code"].isin(codes)
    ].drop_duplicates("code")
    rows = rows.set_index("code").reindex(codes)
    ok = rows["statut"].fillna("absent") == "ok"
    values = rows.loc[ok, "valeur"].astype(float)
    population = lookup_nearest(valeurs, poids, annee, codes)
    excluded = [c for c in codes if not ok[c]]
    quartiers = territoires[territoires["niveau"] == "qpv"].drop_duplicates("code")
    commune = quartiers.set_index("code")["communes"].map(
        lambda t: (split_communes(t) or [None])[0]
    )
    groups = commune.reindex(values.index).fillna("(commune inconnue)")
    weights = population.reindex(values.index)
    has_w = weights > 0
    result: dict = {
        "indicateur": indicateur,
        "annee": int(annee),
        "n": int(ok.sum()),
        "n_exclus": len(excluded),
        "codes_exclus": tuple(excluded),
        "population_exclue": float(population.reindex(excluded).sum()),
    }
    result |= spread(values)
    if has_w.any() and (values[has_w] >= 0).all():
        dec = theil_decomposition(values[has_w], weights[has_w], groups[has_w])
        result |= {
            "theil": dec["theil"],
            "theil_inter": dec["inter"],
            "theil_intra": dec["intra"],
            "part_inter": dec["part_inter"],
            "groupes": dec["groupes"],
            "n_sans_poids": int((~has_w).sum()),
        }
    else:
        result |= {
            "theil": np.nan,
            "theil_inter": np.nan,
            "theil_intra": np.nan,
            "part_inter": np.nan,
            "groupes": pd.DataFrame(),
            "n_sans_poids": int((~has_w).sum()),
        }
    deciles = d9_d1(valeurs, codes, annee)
    result["d9_d1"] = deciles[deciles["rapport"].notna()].reset_index(drop=True)
    return result
