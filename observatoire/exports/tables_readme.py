"""Feuille « Lisez-moi » des tableaux exportés : territoire, sources, définitions, lecture.

Exemple ::

    rows = readme_rows(obs, "Tableau de bord — Hauts de Brumehaut", entries, absents,
                       q=q, periode=None, fingerprint="…")
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from observatoire import __version__
from observatoire.exports.tables_model import Absent, Table
from observatoire.publish import credits
from observatoire.publish.sections import catalogue_index
from observatoire.views.format import format_date

POLARITY = {-1: "une valeur élevée est défavorable", 1: "une valeur élevée est favorable",
            0: "indicateur neutre"}  # fmt: skip


def _producer(obs: Any, name: str) -> str:
    declared = credits.source_producer(obs.config, name)
    if declared:
        return declared
    v = obs.valeurs
    inds = sorted(set(v.loc[v["source"] == name, "indicateur"])) if len(v) else []
    found = sorted({credits.clean(catalogue_index(obs)["source"].get(i)) for i in inds} - {""})
    if found:
        return "; ".join(found) + " (source du catalogue ; producteur non déclaré)"
    return f"non déclaré ([sources.{name}] producteur)"


def _cat(cat: Any, column: str, ind: str) -> str:
    return credits.clean(cat[column].get(ind)) if column in cat else ""


WARNINGS_SHOWN = 50


def _warnings(obs: Any) -> list[list[Any]]:
    """Avertissements du chargement (lignes ignorées, valeurs corrigées…), jamais tus."""
    found = list(getattr(obs, "warnings", []) or [])
    if not found:
        return [["Avertissements", "aucun au chargement des données"]]
    rows = [["Avertissements", f"{len(found)} au chargement des données (liste complète : "
             "observatoire valider --tous-avertissements)"]]  # fmt: skip
    rows += [["", w.format_fr()] for w in found[:WARNINGS_SHOWN]]
    if len(found) > WARNINGS_SHOWN:
        rows.append(["", f"… et {len(found) - WARNINGS_SHOWN} autre(s)"])
    return rows


def _lecture(obs: Any, csv: bool) -> list[list[Any]]:
    seuil = obs.config.territoire.seuil_petits_effectifs
    numbers = (
        "Les nombres sont écrits avec une virgule décimale, sans séparateur de milliers ; les "
        "taux sont en points (43,9 signifie 43,9 %) ; les montants en euros."
        if csv else
        "Les nombres sont stockés en nombres (on peut calculer avec) et affichés à la "
        "française ; les taux sont stockés en fraction et affichés en pourcentage (0,439 "
        "s'affiche 43,9 %) ; les écarts de taux sont en points."
    )  # fmt: skip
    return [
        ["Lecture", numbers],
        ["", "Une valeur secrète, absente ou masquée n'est jamais 0 ni une case vide : la "
             "cellule dit « secret », « n.d. » (donnée non disponible), « < "
             f"{seuil} » ou « masqué », et la colonne « Statut » l'explique."],
        ["", f"Participation : tout effectif de 1 à {seuil - 1} personnes s'affiche « < {seuil} » "
             "et le taux qui en découle « masqué » ; « masqué » signale aussi une valeur cachée "
             "pour qu'un petit effectif ne puisse pas être recalculé à partir des autres "
             f"(seuil : [territoire] seuil_petits_effectifs = {seuil}). Les effectifs masqués "
             "ne figurent dans aucun tableau."],
        ["", "Un texte qui commence par =, +, -, @, une tabulation ou un retour chariot est "
             "précédé d'une apostrophe : un tableur ne l'exécute jamais comme une formule."],
        ["", "Évolutions : l'INSEE déconseille de mesurer une évolution entre deux millésimes "
             "consécutifs à l'échelle infra-communale et appelle à la prudence pour les revenus "
             "et la pauvreté ; voir la colonne « Précautions »."],
        ["", "Mêmes calculs que les tableaux de bord et le rapport d'évaluation (mêmes "
             "fonctions, mêmes données)."],
    ]  # fmt: skip


def readme_rows(
    obs: Any, title: str, entries: list[tuple[str, Table]], absents: list[Absent], *,
    q: Any = None, periode: Any = None, fingerprint: str = "", csv: bool = False,
) -> list[list[Any]]:  # fmt: skip
    """Lignes du Lisez-moi (rubrique, contenu, colonnes suivantes pour les listes)."""
    cfg = obs.config
    now = datetime.now()
    rows: list[list[Any]] = [["Tableaux exportés", title]]
    if obs.fictif:
        rows.append([credits.FICTIF, "Territoire de démonstration : tous les noms et tous les "
                     "chiffres sont fictifs (Données fictives)."])  # fmt: skip
    rows.append(["Territoire", cfg.territoire.nom])
    if q is not None:
        where = ", ".join(q.communes_noms)
        dep = obs.departements_du_quartier(q.code)
        rows.append(["Quartier", f"{q.nom} ({q.code})" + (f" — {where}" if where else "")
                     + (f" — {dep}" if dep else "")])  # fmt: skip
        rows.append(["Millésime retenu", str(q.millesime) if q.millesime else "aucun"])
    else:
        rows.append(["Quartiers", f"{len(obs.quartiers)} quartiers prioritaires (génération "
                     f"{cfg.territoire.generation}) ; dernier millésime de chacun"])  # fmt: skip
    if periode is not None:
        rows.append(["Période du contrat de ville", periode.libelle])
    for label, value in (("Producteur", credits.territory_producer(cfg)),
                         ("Mention", credits.territory_mention(cfg))):  # fmt: skip
        if value:
            rows.append([label, value])
    rows += [
        ["Généré le", f"{format_date(now)} à {now:%H:%M}"],
        ["Version d'observatoire", __version__],
        ["Configuration", cfg.path.name],
    ]
    if fingerprint:
        rows.append(["Empreinte des données", fingerprint])
    rows.append([])
    rows.append(["Contenu", "Tableau", "Description", "Lignes"])
    rows += [["", name, t.description, str(len(t.rows))] for name, t in entries]
    for a in absents:
        rows.append(["Sans données", a.sheet, a.reason])
    rows += _warnings(obs)
    rows.append([])
    rows += _lecture(obs, csv)
    rows.append([])
    rows.append(["Sources", "Source (configuration)", "Producteur", "Fichier", "Millésimes"])
    for f in credits.provenance(obs)["fichiers"]:
        rows.append(["", f["source"], _producer(obs, f["source"]), credits.clean(f["fichier"]),
                     credits.clean(f["millesime"]) or "non précisé"])  # fmt: skip
    used = sorted({i for _n, t in entries for i in t.indicators})
    if used:
        cat = catalogue_index(obs)
        rows.append([])
        rows.append(["Indicateurs", "Identifiant", "Libellé", "Unité", "Définition", "Source",
                     "Sens"])  # fmt: skip
        for ind in used:
            pol = cat["polarite"].get(ind) if "polarite" in cat else None
            rows.append(["", ind, _cat(cat, "libelle", ind) or ind, _cat(cat, "unite", ind),
                         _cat(cat, "definition", ind) or "définition non renseignée au catalogue",
                         _cat(cat, "source", ind) or "non précisée",
                         POLARITY.get(int(pol), "") if credits.clean(pol) else ""])  # fmt: skip
    return rows
