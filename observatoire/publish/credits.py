"""Ce que l'utilisateur déclare sur l'origine des données, repris dans chaque sortie.

``[territoire] producteur`` (la structure qui publie) et ``mention`` (mention de pied
de page) vont dans l'en-tête et le pied des rapports ; le ``producteur`` et le
``millesime_source`` de chaque ``[sources.NOM]`` remplacent la source générique du
catalogue dans les lignes « Source : … » des figures, cartes et tableaux.

Exemple ::

    figure_source(obs, "taux_pauvrete", 2019)
    # 'INSEE (test), millésime 2019 ; traitement : Observatoire fictif de Testville'
    territory_credit(obs.config)
    # 'Observatoire fictif de Testville — Mention test'
"""

from __future__ import annotations

import math
import weakref
from typing import Any

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
FICTIF = "Données fictives"


def clean(value: Any) -> str:
    """Texte déclaré, sans ``None`` ni ``nan`` (chaîne vide si rien n'est déclaré)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("none", "nan", "nat") else text


def territory_producer(config: Any) -> str:
    """``[territoire] producteur`` (vide s'il n'est pas déclaré)."""
    return clean(config.territoire.producteur)


def territory_mention(config: Any) -> str:
    """``[territoire] mention`` (vide si elle n'est pas déclarée)."""
    return clean(config.territoire.mention)


def territory_credit(config: Any) -> str:
    """Pied de page : « producteur — mention », ce qui est déclaré seulement."""
    parts = [territory_producer(config), territory_mention(config)]
    return " — ".join(p for p in parts if p)


def source_producer(config: Any, name: str) -> str:
    """Producteur déclaré d'une source de la configuration (vide sinon)."""
    src = config.sources.get(str(name))
    return src.producteur if src is not None else ""


def source_millesime(config: Any, name: str) -> str:
    """``millesime_source`` déclaré d'une source, sinon son option ``annee`` (vide sinon)."""
    src = config.sources.get(str(name))
    return src.millesime if src is not None else ""


def _sources_by_indicator(obs: Any) -> dict[tuple[str, int], tuple[str, ...]]:
    """Sources (noms de la configuration) de chaque couple (indicateur, millésime), une fois."""
    store = _CACHE.setdefault(obs, {})
    if "sources" not in store:
        v = obs.valeurs
        mapping: dict[tuple[str, int], list[str]] = {}
        if len(v) and "source" in v.columns:
            pairs = v[["indicateur", "annee", "source"]].drop_duplicates()
            for ind, year, src in pairs.itertuples(index=False, name=None):
                names = mapping.setdefault((str(ind), int(year)), [])
                if clean(src) and str(src) not in names:
                    names.append(str(src))
        store["sources"] = {k: tuple(sorted(n)) for k, n in mapping.items()}
    return store["sources"]


def _catalogue_source(obs: Any, indicateur: str) -> str:
    cat = obs.catalogue
    rows = cat.loc[cat["id"] == indicateur, "source"] if "id" in cat.columns else []
    return clean(rows.iloc[0]) if len(rows) else ""


def indicator_producers(obs: Any, indicateur: str, annee: Any = None) -> list[str]:
    """Producteurs déclarés des sources qui fournissent l'indicateur (au millésime ``annee``)."""
    mapping = _sources_by_indicator(obs)
    wanted = _years(annee)
    names = sorted(
        {n for (ind, year), ns in mapping.items() for n in ns if ind == indicateur}
        if not wanted
        else {n for y in wanted for n in mapping.get((indicateur, y), ())}
    )
    out: list[str] = []
    for name in names:
        prod = source_producer(obs.config, name)
        if prod and prod not in out:
            out.append(prod)
    return out


def _undeclared_sources(obs: Any, indicateur: str, annee: Any = None) -> bool:
    """Vrai si une source de l'indicateur (au millésime ``annee``) ne déclare pas de producteur."""
    mapping, wanted = _sources_by_indicator(obs), _years(annee)
    keys = [(indicateur, y) for y in wanted] or [k for k in mapping if k[0] == indicateur]
    return any(not source_producer(obs.config, n) for k in keys for n in mapping.get(k, ()))


def _years(annee: Any) -> list[int]:
    if annee is None:
        return []
    if isinstance(annee, list | tuple | set) or hasattr(annee, "tolist"):
        return [int(a) for a in annee if clean(a)]
    try:
        return [int(annee)]
    except (TypeError, ValueError):
        return []


def indicator_source(obs: Any, indicateur: str, annee: Any = None) -> str:
    """Qui a produit l'indicateur : producteurs déclarés, sinon source du catalogue.

    >>> indicator_source(obs, "taux_pauvrete", 2019)  # doctest: +SKIP
    'INSEE (test)'
    """
    declared = indicator_producers(obs, indicateur, annee)
    fallback = _catalogue_source(obs, indicateur) or "source non précisée"
    if declared and _undeclared_sources(obs, indicateur, annee):
        declared.append(fallback)  # des fichiers sans producteur déclaré : source du catalogue
    return " ; ".join(dict.fromkeys(declared)) if declared else fallback


def treatment(config: Any) -> str:
    """`` ; traitement : <producteur du territoire>`` (vide s'il n'est pas déclaré)."""
    prod = territory_producer(config)
    return f" ; traitement : {prod}" if prod else ""


def figure_source(obs: Any, indicateur: str, annee: Any = None) -> str:
    """Ligne de source d'une figure, d'une carte ou d'un tableau (sans « Source : »).

    ``annee`` : un millésime, ou ceux d'une série (« millésimes 2019 à 2021 »).

    « INSEE (test), millésime 2019 ; traitement : Observatoire de Testville — Données
    fictives » : producteur déclaré de la source (sinon catalogue), millésime des
    valeurs, structure qui publie, mention « Données fictives » pour la démonstration.
    """
    text = indicator_source(obs, indicateur, annee)
    years = sorted(set(_years(annee)))
    if len(years) > 1:  # une série : « millésimes 2019 à 2021 »
        text += f", millésimes {years[0]} à {years[-1]}"
    elif years:
        text += f", millésime {years[0]}"
    text += treatment(obs.config)
    return text + (f" — {FICTIF}" if obs.fictif else "")


def producers_of_sources(obs: Any, names: Any, indicateurs: Any) -> list[str]:
    """Producteur de chaque ligne (source, indicateur) : déclaré, sinon celui du catalogue."""
    out = []
    for name, ind in zip(names, indicateurs, strict=True):
        out.append(
            source_producer(obs.config, name) or _catalogue_source(obs, ind) or "non précisé"
        )
    return out


def named_sources(config: Any, names: Any) -> str:
    """Sources citées par leur producteur déclaré, sinon par leur nom : « Ville de Testville »."""
    out: list[str] = []
    for name in names:
        label = source_producer(config, name) or clean(name)
        if label and label not in out:
            out.append(label)
    return ", ".join(out)


def source_years(obs: Any) -> dict[str, str]:
    """Millésimes des valeurs lues dans chaque source (« 2018, 2020 »), calculés une fois."""
    store = _CACHE.setdefault(obs, {})
    if "years" not in store:
        years: dict[str, set[int]] = {}
        for (_ind, year), names in _sources_by_indicator(obs).items():
            for name in names:
                years.setdefault(name, set()).add(year)
        store["years"] = {n: ", ".join(str(y) for y in sorted(ys)) for n, ys in years.items()}
    return store["years"]


def provenance(obs: Any) -> dict[str, Any]:
    """``obs.provenance()`` où chaque fichier sans millésime déclaré reçoit ceux de ses valeurs."""
    data = obs.provenance()
    years = source_years(obs)
    for f in data.get("fichiers", []):
        if not clean(f.get("millesime")):
            f["millesime"] = years.get(str(f.get("source")), "")
    return data


def prepare(obs: Any) -> None:
    """Précalcule les sources de chaque indicateur (avant de forker un processus par rapport)."""
    source_years(obs)
