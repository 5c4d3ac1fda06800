"""Démarches de concertation : programme, bilans, participants, contributions et suites.

Fonctions pures : tables canoniques (``concertations``, ``contributions``, ``evenements``,
``presences``, ``valeurs``, ``territoires``) en entrée, tables de résultats en sortie ;
ni lecture de fichier ni dessin.

Définitions :
- **bilan publié** : ``date_bilan`` renseignée. La part des démarches avec un bilan
  publié se calcule sur les démarches **terminées** (un bilan n'est dû qu'après la fin) ;
- **délai fin → bilan** : ``date_bilan − fin`` en jours (négatif si le bilan paraît avant
  la fin annoncée) ; médiane sur les démarches où les deux dates sont connues ;
- **participants d'une démarche** : somme des participants des événements liés (colonne
  ``demarche`` de ``evenements``), un effectif inconnu n'étant jamais compté 0 ;
  **participants uniques** : personnes distinctes des présences individuelles de ces
  événements (NA sans présences) ;
- **suites** : parts de « retenue », « partiellement retenue », « non retenue »,
  « hors sujet » et « sans suite » (suite vide) parmi toutes les contributions ;
- **taux de prise en compte** = (retenues + partiellement retenues) / contributions ayant
  reçu une suite, les « hors sujet » exclus du dénominateur (et du numérateur) ; les
  contributions sans suite n'y entrent pas.

Exemple ::

    repartition(obs.table("concertations"), "niveau")
    prise_en_compte(obs.table("contributions"), par=("demarche",))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from observatoire.analysis import representativite as rp
from observatoire.schemas.democratie import NIVEAUX, SUITES

NON_RENSEIGNE = "non renseigné"
SANS_SUITE = "sans suite"
SUITES_AFFICHEES = (*SUITES, SANS_SUITE)
PAR = ("niveau", "dispositif", "quartier", "service", "statut", "annee")
_LISTES = {"dispositif": "dispositifs", "quartier": "quartiers"}


def split_list(value: object) -> list[str]:
    """``"a;b"`` → ``["a", "b"]`` (valeurs vides retirées, doublons retirés, ordre gardé)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return list(dict.fromkeys(p.strip() for p in str(value).split(";") if p.strip()))


def filtrer(
    concertations: pd.DataFrame, annee: int | None = None, quartier: str | None = None
) -> pd.DataFrame:
    """Démarches de l'année ``annee`` (année du début) et/ou citant le quartier ``quartier``.

    ``quartier = ""`` : démarches de tout le territoire (sans quartier).
    """
    out = concertations
    if annee is not None:
        out = out[out["annee"] == int(annee)]
    if quartier is not None:
        codes = out["quartiers"].map(split_list)
        keep = codes.map(lambda c: c == [] if quartier == "" else quartier in c)
        out = out.loc[keep.astype(bool)]  # booléen même vide (sinon : sélection de colonnes)
    return out.reset_index(drop=True)


def repartition(concertations: pd.DataFrame, par: str = "niveau") -> pd.DataFrame:
    """Nombre de démarches par ``par`` (niveau, dispositif, quartier, service, statut, annee).

    Une démarche à plusieurs dispositifs (ou quartiers) compte une fois dans chacun :
    la colonne ``part`` (part des démarches) ne somme alors pas à 1. Quartier vide :
    tout le territoire ; service ou dispositif absent : « non renseigné ». Les niveaux
    sont rangés du moins au plus engageant.

    >>> repartition(pd.DataFrame({"id": ["A", "B"], "niveau": ["information"] * 2}))
    ... # doctest: +SKIP
    """
    if par not in PAR:
        raise ValueError(f"ventilation inconnue : {par} (attendu : {', '.join(PAR)})")
    frame = concertations[["id"]].copy()
    if par in _LISTES:
        lists = concertations[_LISTES[par]].map(split_list)
        empty = "" if par == "quartier" else NON_RENSEIGNE
        frame[par] = lists.map(lambda v: v or [empty])
        frame = frame.explode(par)
    else:
        frame[par] = (
            concertations[par].astype(object).where(concertations[par].notna(), NON_RENSEIGNE)
        )
    total = concertations["id"].nunique()
    out = frame.groupby(par, sort=True)["id"].nunique().rename("demarches").reset_index()
    out["demarches"] = out["demarches"].astype(int)
    out["part"] = out["demarches"] / total if total else np.nan
    if par == "niveau":
        order = {n: i for i, n in enumerate(NIVEAUX)}
        out = out.sort_values("niveau", key=lambda s: s.map(order).fillna(len(order)))
    return out.reset_index(drop=True)


def delais_bilan(concertations: pd.DataFrame) -> pd.Series:
    """Délai fin → bilan en jours par démarche (``Float64`` ; NA si une date manque)."""
    days = (concertations["date_bilan"] - concertations["fin"]).dt.days
    return days.astype("Float64")


def bilans(concertations: pd.DataFrame, par: Sequence[str] = ()) -> pd.DataFrame:
    """Démarches, terminées, terminées avec bilan publié, part, délai fin → bilan (médiane).

    Colonnes : ``demarches``, ``terminees``, ``avec_bilan`` (toutes démarches),
    ``terminees_avec_bilan``, ``part_bilan_publie`` (sur les terminées ; NA sans démarche
    terminée), ``delai_bilan_connu`` (démarches où fin et bilan sont datés),
    ``delai_bilan_median_jours``.
    """
    frame = concertations.copy()
    frame["_terminee"] = frame["statut"] == "terminée"
    frame["_bilan"] = frame["date_bilan"].notna()
    frame["_delai"] = delais_bilan(frame)
    keys = list(par)
    if not keys:
        frame["_tout"] = "ensemble"
        keys = ["_tout"]
    rows = []
    for key, group in frame.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        done = int(group["_terminee"].sum())
        done_bilan = int((group["_terminee"] & group["_bilan"]).sum())
        delays = group["_delai"].dropna()
        rows.append({**dict(zip(keys, key, strict=True)),
                     "demarches": len(group), "terminees": done,
                     "avec_bilan": int(group["_bilan"].sum()),
                     "terminees_avec_bilan": done_bilan,
                     "part_bilan_publie": done_bilan / done if done else np.nan,
                     "delai_bilan_connu": len(delays),
                     "delai_bilan_median_jours": float(delays.median()) if len(delays) else np.nan,
                     })  # fmt: skip
    columns = [*keys, "demarches", "terminees", "avec_bilan", "terminees_avec_bilan",
               "part_bilan_publie", "delai_bilan_connu", "delai_bilan_median_jours"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).drop(columns=["_tout"], errors="ignore")


def evenements_lies(evenements: pd.DataFrame, demarche: str | None = None) -> pd.DataFrame:
    """Événements liés à une démarche (``demarche`` renseignée ; toutes si ``None``)."""
    if "demarche" not in evenements.columns:
        return evenements.iloc[0:0].assign(demarche=pd.Series(dtype=object))
    linked = evenements[evenements["demarche"].notna()]
    if demarche is not None:
        linked = linked[linked["demarche"] == demarche]
    return linked.reset_index(drop=True)


def participants(
    concertations: pd.DataFrame, evenements: pd.DataFrame, presences: pd.DataFrame
) -> pd.DataFrame:
    """Par démarche : événements liés, participants (somme connue), participants uniques.

    Colonnes : ``demarche``, ``evenements``, ``evenements_effectif_connu``,
    ``participants`` (NA si aucun effectif connu), ``presences_individuelles``,
    ``participants_uniques`` (NA sans présence individuelle identifiée).
    """
    linked = evenements_lies(evenements)
    rows = []
    for demarche in concertations["id"]:
        ev = linked[linked["demarche"] == demarche]
        pres = presences[presences["evenement"].isin(ev["id"])]
        people = pres["personne"].dropna()
        rows.append({"demarche": demarche, "evenements": len(ev),
                     "evenements_effectif_connu": int(ev["participants"].notna().sum()),
                     "participants": ev["participants"].astype("Float64").sum(min_count=1),
                     "presences_individuelles": len(pres),
                     "participants_uniques": people.nunique() if len(people) else pd.NA})  # fmt: skip
    out = pd.DataFrame(rows, columns=["demarche", "evenements", "evenements_effectif_connu",
                                      "participants", "presences_individuelles",
                                      "participants_uniques"])  # fmt: skip
    out["participants"] = out["participants"].astype("Float64")
    out["participants_uniques"] = out["participants_uniques"].astype("Int64")
    return out


def representativite(
    evenements: pd.DataFrame,
    presences: pd.DataFrame,
    valeurs: pd.DataFrame,
    territoires: pd.DataFrame,
    codes: Sequence[str],
    tranches_exclues: Sequence[str] = ("0-14",),
) -> pd.DataFrame:
    """Représentativité des participants des événements ``evenements`` (ceux d'une démarche)
    contre la population des quartiers ``codes`` : celle de
    :mod:`observatoire.analysis.representativite`, sans secret (à protéger avant publication)."""
    pres = presences[presences["evenement"].isin(evenements["id"])]
    part = rp.participants_par_groupe(evenements, pres, tranches_exclues)
    pop = rp.population_par_groupe(valeurs, territoires, list(codes), tranches_exclues)
    return rp.representativite(part, pop)


def _label(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), NON_RENSEIGNE)


def par_theme(contributions: pd.DataFrame, par: Sequence[str] = ()) -> pd.DataFrame:
    """Contributions par thème (thème absent : « non renseigné ») et part dans le groupe."""
    frame = contributions.assign(theme=_label(contributions["theme"]))
    keys = [*par, "theme"]
    out = frame.groupby(keys, sort=True).size().rename("contributions").reset_index()
    totals = out.groupby(list(par))["contributions"].transform("sum") if par else None
    total = totals if totals is not None else out["contributions"].sum()
    out["part"] = (out["contributions"] / total).astype(float)
    out = out.sort_values([*par, "contributions", "theme"], ascending=[*[True] * len(par), False,
                                                                        True])  # fmt: skip
    return out.reset_index(drop=True)


def suites(contributions: pd.DataFrame, par: Sequence[str] = ()) -> pd.DataFrame:
    """Par suite (retenue … hors sujet, « sans suite ») : contributions et part parmi toutes.

    Toutes les suites figurent (0 compris) dès que le groupe a des contributions.
    """
    frame = contributions.assign(suite=contributions["suite"].fillna(SANS_SUITE))
    keys = list(par)
    rows = []
    groups = frame.groupby(keys, sort=True) if keys else [((), frame)] if len(frame) else []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        counts = group["suite"].value_counts()
        for suite in SUITES_AFFICHEES:
            n = int(counts.get(suite, 0))
            rows.append({**dict(zip(keys, key, strict=True)), "suite": suite,
                         "contributions": n, "part": n / len(group)})  # fmt: skip
    return pd.DataFrame(rows, columns=[*keys, "suite", "contributions", "part"])


def prise_en_compte(contributions: pd.DataFrame, par: Sequence[str] = ()) -> pd.DataFrame:
    """Taux de prise en compte = (retenues + partiellement retenues) / contributions ayant
    une suite, hors sujet exclus.

    Colonnes : ``contributions``, ``avec_suite``, ``hors_sujet``, ``base`` (avec suite −
    hors sujet), ``retenues``, ``partiellement``, ``non_retenues``, ``sans_suite``,
    ``taux_prise_en_compte`` (NA si ``base`` = 0).
    """
    keys = list(par)
    rows = []
    groups = contributions.groupby(keys, sort=True) if keys else (
        [((), contributions)] if len(contributions) else [])  # fmt: skip
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        counts = group["suite"].value_counts()
        kept, partly = int(counts.get("retenue", 0)), int(counts.get("partiellement retenue", 0))
        off, with_suite = int(counts.get("hors sujet", 0)), int(group["suite"].notna().sum())
        base = with_suite - off
        rows.append({**dict(zip(keys, key, strict=True)), "contributions": len(group),
                     "avec_suite": with_suite, "hors_sujet": off, "base": base,
                     "retenues": kept, "partiellement": partly,
                     "non_retenues": int(counts.get("non retenue", 0)),
                     "sans_suite": len(group) - with_suite,
                     "taux_prise_en_compte": (kept + partly) / base if base else np.nan})  # fmt: skip
    columns = [*keys, "contributions", "avec_suite", "hors_sujet", "base", "retenues",
               "partiellement", "non_retenues", "sans_suite", "taux_prise_en_compte"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
