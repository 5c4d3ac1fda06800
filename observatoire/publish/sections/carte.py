"""Section « Carte » du tableau de bord : le quartier dans sa commune et parmi ses voisins.

Carte interactive hors ligne (page HTML) et carte statique (PDF, dessinée seulement si
le PDF est demandé), cadrées sur le quartier et sa ou ses communes, avec pour contexte
les quartiers de comparaison (:mod:`.groupe`) proches — jamais tout un département.

Exemple ::

    show(carte(obs, q))
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from observatoire.publish import blocks, narrative
from observatoire.publish.sections import (
    Blocks,
    absent,
    cached,
    quartier,
    quartiers,
    wanted_formats,
)
from observatoire.publish.sections.groupe import GroupView, comparaison
from observatoire.publish.sections.quartier import Quartier


def map_years(obs: Any) -> pd.DataFrame:
    """Millésimes des valeurs ``ok`` des quartiers en vigueur, par indicateur, avec la
    position de leur première ligne dans ``obs.valeurs`` (calculé une fois par territoire,
    dans :func:`observatoire.publish.sections.quartier.prepare`)."""
    return cached(obs, "carte:millesimes", lambda: _map_years(obs))


def _map_years(obs: Any) -> pd.DataFrame:
    v = obs.valeurs
    keep = (v["niveau"] == "qpv") & v["code"].isin(obs.quartiers["code"]) & (v["statut"] == "ok")
    rows = pd.DataFrame(
        {"indicateur": v["indicateur"], "annee": v["annee"], "position": np.arange(len(v))}
    )[keep.to_numpy()]
    return rows.groupby(["indicateur", "annee"], sort=False, as_index=False)["position"].min()


def _map_indicator(obs: Any, q: Quartier, preferred: str) -> tuple[str, int] | None:
    """Indicateur de la carte (``preferred`` s'il a des valeurs) et son millésime ≤ celui du rapport.

    À défaut de ``preferred``, ``revenu_median_uc`` ou ``taux_emploi`` : le premier
    indicateur de la table qui a une valeur (même choix qu'en parcourant ``obs.valeurs``)."""
    v = map_years(obs)
    if q.millesime is not None:
        v = v[v["annee"] <= q.millesime]
    first = v.sort_values("position", kind="stable")["indicateur"].head(1).tolist()
    for ind in (preferred, "revenu_median_uc", "taux_emploi", *first):
        years = v.loc[v["indicateur"] == ind, "annee"]
        if len(years):
            return str(ind), int(years.max())
    return None


def carte(obs: Any, q: Quartier, indicateur: str = "taux_pauvrete") -> Blocks:
    """Le quartier dans sa commune et parmi les autres quartiers (interactive + statique).

    La carte statique (pour le PDF) n'est dessinée que si le PDF est demandé
    (:func:`observatoire.publish.sections.wanted_formats`).
    """
    if obs.contours.empty:
        return absent("Aucun contour de quartier n'est déclaré : carte indisponible.")
    chosen = _map_indicator(obs, q, indicateur)
    if chosen is None:
        return absent("Aucun indicateur n'a de valeur pour colorer la carte des quartiers.")
    indicateur, annee = chosen
    groupe = comparaison(obs, q)
    maps = (  # index des valeurs partagés avec obs.indicateurs (mêmes tables)
        obs.indicateurs.restricted(GroupView(obs, groupe.codes))
        if len(groupe.codes) < len(quartiers(obs))
        else obs.indicateurs
    )
    interactive = maps.carte(indicateur, annee=annee, surligner=q.code, voisinage=q.code)
    static = None
    if "pdf" in wanted_formats():
        static = maps.carte_statique(indicateur, annee=annee, surligner=q.code, voisinage=q.code)
    from observatoire.views.charts import alt_text

    described = (
        alt_text(static) if static is not None else getattr(interactive, "obs_description", "")
    )
    communes = narrative.enumeration(q.communes_noms)
    alt = (
        f"Carte du quartier {q.nom}, mis en évidence (contour épais), dans sa commune "
        f"({communes}), avec les quartiers proches parmi les {groupe.libelle}. {described}"
    )
    return [
        blocks.carte(
            interactive, static, alt=alt, source=quartier._source(obs, indicateur, annee),
            legende=f"{q.nom} et les quartiers proches : {quartier.cat_label(obs, indicateur)}.",
            display=False,
        )
    ]  # fmt: skip
