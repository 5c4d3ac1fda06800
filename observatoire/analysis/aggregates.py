"""Agrégats pondérés d'indicateurs sur un ensemble de territoires (fonctions pures).

Règles (voir la section « Analyses des indicateurs » du README) :

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

from collections.abc import Callable, Iterable, Sequence

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
    subset = valeurs[valeurs["code"].isin(codes)]  # une fois : les filtres suivants sont petits
    rows = subset[(subset["indicateur"] == indicateur) & (subset["annee"] == annee)]
    rows = rows.drop_duplicates("code").set_index("code").reindex(codes)
    weight_id = weight_indicator(catalogue, indicateur)
    return _aggregate(
        codes,
        indicateur,
        int(annee),
        catalogue_row(catalogue, indicateur).get("unite"),
        weight_id,
        _columns(rows),
        lookup_nearest(subset, DEFAULT_WEIGHT, annee, codes).to_numpy(dtype=float),
        lambda: lookup_nearest(subset, weight_id, annee, codes).to_numpy(dtype=float),
        seuil_denominateur,
    )


def _columns(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """statut (« absent » si pas de ligne), valeur, numérateur, dénominateur en tableaux."""
    n = len(rows)

    def numeric(name: str) -> np.ndarray:
        if name not in rows:
            return np.full(n, np.nan)
        return pd.to_numeric(rows[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    statut = rows["statut"].fillna("absent").to_numpy(dtype=object)
    return statut, numeric("valeur"), numeric("numerateur"), numeric("denominateur")


def _aggregate(
    codes: list[str],
    indicateur: str,
    annee: int,
    unite: object,
    weight_id: str,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    population: np.ndarray,
    weights: Callable[[], np.ndarray],
    seuil_denominateur: float,
    note: bool = True,
) -> dict:
    """Cœur de :func:`weighted_aggregate` sur des tableaux alignés sur ``codes``."""
    statut, valeur, num, den = columns
    ok = statut == "ok"
    no_weight = np.zeros(len(codes), dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        if unite == "nombre":
            methode = "somme"
            included = ok
            value = float(_nansum(valeur[ok])) if ok.any() else np.nan
        elif ok.any() and not np.isnan(num[ok]).any() and (den[ok] > 0).all():
            methode = "rapport des sommes (numérateurs / dénominateurs)"
            included = ok
            scale = _scale_arrays(valeur[ok], num[ok], den[ok], unite)
            value = float(num[ok].sum() / den[ok].sum() * scale)
        else:
            methode = f"moyenne pondérée (poids : {weight_id})"
            w_all = weights()
            no_weight = ok & ~(w_all > 0)
            included = ok & ~no_weight
            if included.any():
                w = w_all[included]
                value = float(_nansum(valeur[included] * w) / w.sum())
            else:
                value = np.nan
        excluded = ~included
        small = [
            c for c, keep in zip(codes, included & (den < seuil_denominateur), strict=True) if keep
        ]
        known = not np.isnan(population).all()
        pop_total = float(_nansum(population)) if known else np.nan
        pop_excl = float(_nansum(population[excluded])) if known else np.nan
    result = {
        "indicateur": indicateur,
        "annee": int(annee),
        "valeur": value,
        "methode": methode,
        "n_territoires": len(codes),
        "n_inclus": int(included.sum()),
        "n_exclus": int(excluded.sum()),
        "codes_exclus": tuple(c for c, out in zip(codes, excluded, strict=True) if out),
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
    result["note"] = _note(result) if note else ""
    return result


def _nansum(values: np.ndarray) -> float:
    """Somme sans les NaN, comme ``Series.sum()`` (NaN remplacés par 0, même ordre)."""
    return np.where(np.isnan(values), 0.0, values).sum()


def _scale_arrays(valeur: np.ndarray, num: np.ndarray, den: np.ndarray, unite: object) -> float:
    """:func:`_scale` sur des tableaux (lignes ``ok`` seulement)."""
    usable = (num > 0) & (den > 0)
    if usable.any():
        observed = float(np.median(valeur[usable] * den[usable] / num[usable]))
        return min((1.0, 100.0, 1000.0), key=lambda s: abs(np.log(observed / s)))
    return 100.0 if unite == "%" else 1.0


class AggregateIndex:
    """Agrégats répétés sur une même table, indexée une fois (même résultat que
    :func:`weighted_aggregate`, sans refiltrer toute la table à chaque appel).

    >>> index = AggregateIndex(valeurs, catalogue)
    >>> index.aggregate(["00101", "00102"], "taux_pauvrete", 2021)["valeur"]  # doctest: +SKIP
    """

    def __init__(
        self,
        valeurs: pd.DataFrame,
        catalogue: pd.DataFrame,
        *,
        seuil_denominateur: float = SMALL_DENOMINATOR,
    ) -> None:
        self.catalogue = catalogue
        self.seuil = seuil_denominateur
        first = valeurs.drop_duplicates(["indicateur", "annee", "code"])
        statut, valeur, num, den = _columns(first)
        keys = zip(first["indicateur"], first["annee"], first["code"], strict=True)
        self._rows = dict(zip(keys, zip(statut, valeur, num, den, strict=True), strict=True))
        ok = valeurs[valeurs["statut"] == "ok"]
        self._ok = {ind: part for ind, part in ok.groupby("indicateur", sort=False)}
        self._codes = valeurs["code"].unique().tolist()
        self._nearest: dict[tuple[str, int], dict[str, float]] = {}
        self._info: dict[str, tuple[object, str]] = {}

    def nearest(self, indicateur: str, annee: int, codes: Sequence[str]) -> np.ndarray:
        """:func:`lookup_nearest` (valeurs alignées sur ``codes``, NaN si aucune)."""
        key = (indicateur, int(annee))
        if key not in self._nearest:
            rows = self._ok.get(indicateur)
            found = {}
            if rows is not None:
                series = lookup_nearest(rows, indicateur, annee, rows["code"].unique())
                found = series.dropna().to_dict()
            self._nearest[key] = found
        found = self._nearest[key]
        return np.array([found.get(c, np.nan) for c in codes], dtype=float)

    def aggregate(
        self, codes: Sequence[str], indicateur: str, annee: int, *, note: bool = True
    ) -> dict:
        """Même dict que ``weighted_aggregate(valeurs, catalogue, codes, indicateur, annee)``
        (``note=False`` : phrase ``note`` non rédigée, plus rapide)."""
        codes = list(dict.fromkeys(codes))
        if indicateur not in self._info:
            unite = catalogue_row(self.catalogue, indicateur).get("unite")
            self._info[indicateur] = (unite, weight_indicator(self.catalogue, indicateur))
        unite, weight_id = self._info[indicateur]
        missing = ("absent", np.nan, np.nan, np.nan)
        found = [self._rows.get((indicateur, annee, c), missing) for c in codes]
        columns = (
            np.array([f[0] for f in found], dtype=object),
            np.array([f[1] for f in found], dtype=float),
            np.array([f[2] for f in found], dtype=float),
            np.array([f[3] for f in found], dtype=float),
        )
        return _aggregate(
            codes,
            indicateur,
            int(annee),
            unite,
            weight_id,
            columns,
            self.nearest(DEFAULT_WEIGHT, annee, codes),
            lambda: self.nearest(weight_id, annee, codes),
            self.seuil,
            note,
        )


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
    index = AggregateIndex(
        valeurs[valeurs["code"].isin(codes)], catalogue, seuil_denominateur=seuil_denominateur
    )  # indexée une fois : même résultat que weighted_aggregate pour chaque paire
    records = [index.aggregate(codes, ind, int(an)) for ind, an in pairs.itertuples(index=False)]
    columns = list(weighted_aggregate(valeurs.iloc[:0], catalogue, [], "population", 2000).keys())
    return pd.DataFrame.from_records(records, columns=columns)
