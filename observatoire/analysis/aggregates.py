"""Agrégats pondérés d'indicateurs sur un ensemble de territoires (fonctions pures).

Règles (voir ``docs/readme/40-analyses-cartes.md``) :

- un indicateur de comptage (unité « nombre ») s'agrège par **somme** ;
- un taux dont tous les territoires retenus publient numérateur et dénominateur
  s'agrège par **rapport des sommes** (Σ numérateurs / Σ dénominateurs) ;
- sinon **moyenne pondérée** par l'indicateur de pondération du catalogue
  (colonne ``poids``, par défaut ``population``) du même millésime (à défaut, du
  millésime disponible le plus proche) ;
- une valeur secrète, absente, ou sans poids connu est **exclue et comptée** : le
  résultat indique combien de territoires et quelle population il laisse de côté ;
- un dénominateur inférieur à ``seuil_denominateur`` est signalé.

Exemple ::

    agg = weighted_aggregate(valeurs, catalogue, ["QN00001A", "QN00002A"],
                             "taux_pauvrete", 2021)
    agg["valeur"], agg["population_exclue"]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

DEFAULT_WEIGHT = "population"
SMALL_DENOMINATOR = 50  # en dessous, un taux est fragile (signalé, pas supprimé)


def catalogue_row(catalogue: pd.DataFrame, indicateur: str) -> dict:
    """Ligne du catalogue pour ``indicateur`` (dict vide si inconnu)."""
    rows = catalogue[catalogue["id"] == indicateur]
    return rows.iloc[0].to_dict() if len(rows) else {}


def weight_indicator(catalogue: pd.DataFrame, indicateur: str) -> str:
    """Indicateur de pondération déclaré au catalogue (``population`` à défaut)."""
    poids = catalogue_row(catalogue, indicateur).get("poids")
    return str(poids) if isinstance(poids, str) and poids else DEFAULT_WEIGHT


def lookup_nearest(
    valeurs: pd.DataFrame, indicateur: str, annee: int, codes: Iterable[str]
) -> pd.Series:
    """Valeur ``ok`` de ``indicateur`` par code, au millésime ``annee`` ou au plus proche.

    À distance égale, le millésime antérieur est préféré. Codes sans valeur : NaN.

    >>> lookup_nearest(valeurs, "population", 2021, ["QN00001A"])  # doctest: +SKIP
    """
    codes = list(dict.fromkeys(codes))
    rows = valeurs[
        (valeurs["indicateur"] == indicateur)
        & (valeurs["statut"] == "ok")
        & valeurs["code"].isin(codes)
    ]
    if rows.empty:
        return pd.Series(np.nan, index=pd.Index(codes, name="code"), dtype=float)
    rows = rows.assign(
        _dist=(rows["annee"] - annee).abs(), _after=(rows["annee"] > annee).astype(int)
    ).sort_values(["code", "_dist", "_after"])
    best = rows.drop_duplicates("code").set_index("code")["valeur"].astype(float)
    return best.reindex(codes)


def _scale(rows: pd.DataFrame, unite: str | None) -> float:
    """Facteur entre numérateur/dénominateur et valeur publiée (100 pour un taux en %)."""
    usable = rows[(rows["numerateur"] > 0) & (rows["denominateur"] > 0)]
    if len(usable):
        observed = float(
            np.median(usable["valeur"] * usable["denominateur"] / usable["numerateur"])
        )
        return min((1.0, 100.0, 1000.0), key=lambda s: abs(np.log(observed / s)))
    return 100.0 if unite == "%" else 1.0


def weighted_aggregate(
    valeurs: pd.DataFrame,
    catalogue: pd.DataFrame,
    codes: Sequence[str],
    indicateur: str,
    annee: int,
    *,
    seuil_denominateur: float = SMALL_DENOMINATOR,
) -> dict:
    """Agrège ``indicateur`` (millésime ``annee``) sur ``codes`` ; renvoie un dict.

    Clés : ``valeur`` (NaN si rien d'agrégeable), ``methode``, ``n_territoires``,
    ``n_inclus``, ``n_exclus``, ``codes_exclus``, ``exclus_secret``,
    ``exclus_absent``, ``exclus_sans_poids``, ``population_totale``,
    ``population_exclue``, ``part_population_exclue`` (en %), ``petits_denominateurs``
    (codes), ``note`` (phrase française).

    >>> weighted_aggregate(v, cat, ["A", "B"], "taux_pauvrete", 2021)["valeur"]  # doctest: +SKIP
    40.0
    """
    codes = list(dict.fromkeys(codes))
    info = catalogue_row(catalogue, indicateur)
    unite = info.get("unite")
    rows = valeurs[
        (valeurs["indicateur"] == indicateur)
        & (valeurs["annee"] == annee)
        & valeurs["code"].isin(codes)
    ].drop_duplicates("code")
    rows = rows.set_index("code").reindex(codes)
    statut = rows["statut"].fillna("absent")
    ok = statut == "ok"
    weight_id = weight_indicator(catalogue, indicateur)
    population = lookup_nearest(valeurs, DEFAULT_WEIGHT, annee, codes)
    empty = pd.Series(float("nan"), index=rows.index)
    num = pd.to_numeric(rows["numerateur"], errors="coerce") if "numerateur" in rows else empty
    den = pd.to_numeric(rows["denominateur"], errors="coerce") if "denominateur" in rows else empty
    no_weight = pd.Series(False, index=rows.index)

    if unite == "nombre":
        methode = "somme"
        included = ok
        value = float(rows.loc[included, "valeur"].sum()) if included.any() else np.nan
    elif ok.any() and num[ok].notna().all() and (den[ok] > 0).all():
        methode = "rapport des sommes (numérateurs / dénominateurs)"
        included = ok
        scale = _scale(rows[ok].assign(numerateur=num, denominateur=den), unite)
        value = float(num[ok].sum() / den[ok].sum() * scale)
    else:
        methode = f"moyenne pondérée (poids : {weight_id})"
        weights = lookup_nearest(valeurs, weight_id, annee, codes)
        no_weight = ok & ~(weights > 0)
        included = ok & ~no_weight
        if included.any():
            w = weights[included]
            value = float((rows.loc[included, "valeur"] * w).sum() / w.sum())
        else:
            value = np.nan
    excluded = ~included
    small = den[included & (den < seuil_denominateur)].index.tolist()
    pop_total = float(population.sum(min_count=1)) if population.notna().any() else np.nan
    pop_excl = float(population[excluded].sum()) if population.notna().any() else np.nan
    result = {
        "indicateur": indicateur,
        "annee": int(annee),
        "valeur": value,
        "methode": methode,
        "n_territoires": len(codes),
        "n_inclus": int(included.sum()),
        "n_exclus": int(excluded.sum()),
        "codes_exclus": tuple(rows.index[excluded]),
        "exclus_secret": int((statut == "secret").sum()),
        "exclus_absent": int((statut == "absent").sum()),
        "exclus_sans_poids": int(no_weight.sum()),
        "population_totale": pop_total,
        "population_exclue": pop_excl,
        "part_population_exclue": (
            100 * pop_excl / pop_total if pop_total and not np.isnan(pop_total) else np.nan
        ),
        "petits_denominateurs": tuple(small),
    }
    result["note"] = _note(result)
    return result


def _note(r: dict) -> str:
    from observatoire.views.format import format_number, format_percent

    if r["n_exclus"] == 0:
        text = f"Agrégat sur les {r['n_inclus']} territoires ({r['methode']})."
    else:
        parts = []
        if r["exclus_secret"]:
            parts.append(f"{r['exclus_secret']} sous secret statistique")
        if r["exclus_absent"]:
            parts.append(f"{r['exclus_absent']} sans donnée")
        if r["exclus_sans_poids"]:
            parts.append(f"{r['exclus_sans_poids']} sans pondération connue")
        text = (
            f"Agrégat sur {r['n_inclus']} territoires sur {r['n_territoires']} "
            f"({r['methode']}) ; exclus : {', '.join(parts)}"
        )
        if not np.isnan(r["population_exclue"]):
            text += (
                f", soit {format_number(r['population_exclue'])} habitants "
                f"({format_percent(r['part_population_exclue'])} de la population) laissés de côté"
            )
        text += "."
    if r["petits_denominateurs"]:
        text += (
            f" Effectifs faibles (dénominateur < seuil) pour : "
            f"{', '.join(r['petits_denominateurs'])} — taux fragiles."
        )
    return text


def aggregate_table(
    valeurs: pd.DataFrame,
    catalogue: pd.DataFrame,
    codes: Sequence[str],
    indicateurs: Iterable[str] | None = None,
    annees: Iterable[int] | None = None,
    *,
    seuil_denominateur: float = SMALL_DENOMINATOR,
) -> pd.DataFrame:
    """Table des agrégats de ``codes`` : une ligne par indicateur × millésime.

    >>> aggregate_table(obs.valeurs, obs.catalogue, obs.quartiers["code"])  # doctest: +SKIP
    """
    codes = list(codes)
    subset = valeurs[valeurs["code"].isin(codes)]
    if indicateurs is not None:
        subset = subset[subset["indicateur"].isin(list(indicateurs))]
    if annees is not None:
        subset = subset[subset["annee"].isin(list(annees))]
    pairs = subset[["indicateur", "annee"]].drop_duplicates().sort_values(["indicateur", "annee"])
    records = [
        weighted_aggregate(
            valeurs, catalogue, codes, ind, int(an), seuil_denominateur=seuil_denominateur
        )
        for ind, an in pairs.itertuples(index=False)
    ]
    columns = list(weighted_aggregate(valeurs.iloc[:0], catalogue, [], "population", 2000).keys())
    return pd.DataFrame.from_records(records, columns=columns)
