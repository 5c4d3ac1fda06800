"""Tableaux du contrat de ville : programmation, financements, euros par habitant, besoins.

Mêmes appels que :mod:`observatoire.publish.sections.contrat` (``obs.contrat.synthese``,
``totaux``, ``concentration``, ``euros_par_habitant``, ``besoins_moyens``,
``actions_quartier``) ; montants en euros exacts (``Decimal``).

Exemple ::

    p = contrat.periode(obs, None, None, None)
    evaluation(obs, p)        # tableaux du rapport d'évaluation
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.exports.tables_model import Absent, Column, Table, Value, is_missing, number_or
from observatoire.publish import credits
from observatoire.publish.sections import contrat as section
from observatoire.publish.sections import fictif_suffix

AMOUNTS = (("demande", "Demandé"), ("accorde", "Accordé"), ("verse", "Versé"))
STATUS_LABELS = {"depose": "déposé", "instruit": "instruit", "accorde": "accordé",
                 "refuse": "refusé", "solde": "soldé", "abandonne": "abandonné"}  # fmt: skip
NO_PROGRAMME = "Aucune programmation du contrat de ville n'est déclarée dans la configuration."


def source(api: Any, obs: Any) -> str:
    """« Programmation du contrat de ville (producteurs) » comme dans les rapports."""
    names = sorted(set(api.obs.actions["source"].dropna())) if len(api.obs.actions) else []
    label = credits.named_sources(obs.config, names) or "configuration"
    return "Programmation du contrat de ville (" + label + ")" + fictif_suffix(obs)


def _no_actions(obs: Any, api: Any, p: Any = None) -> str | None:
    if obs.actions.empty:
        return NO_PROGRAMME
    if p is not None and not set(api.annees) & set(p.annees):
        return f"Aucune action programmée entre {p.debut} et {p.fin} sur ce périmètre."
    return None


def _euros(value: object) -> Any:
    return number_or(value, "non renseigné")


def _amounts(obs: Any, frame: pd.DataFrame, key: str, header: str, sheet: str, slug: str,
             description: str, src: str) -> Table:  # fmt: skip
    columns = [Column(header, "annee" if key == "annee" else "texte")]
    if "actions" in frame:
        columns.append(Column("Actions", "entier"))
    present = [(c, n) for c, n in AMOUNTS if c in frame]
    columns += [Column(n, "euros2") for _c, n in present] + [Column("Source")]
    rows = []
    for _, r in frame.iterrows():
        label = r[key]
        label = ("non renseigné" if is_missing(label) else
                 int(label) if key == "annee" else str(label))  # fmt: skip
        row = [label] + ([int(r["actions"])] if "actions" in frame else [])
        rows.append(row + [_euros(r[c]) for c, _n in present] + [src])
    return Table(sheet, slug, description, columns, rows)


def evaluation(obs: Any, p: Any) -> list[Table | Absent]:
    """Tableaux du rapport d'évaluation : programmation, financeurs, €/habitant, besoins."""
    api = section.contrat_api(obs, p)
    names = ("Programmation", "Programmation par année", "Programmation par pilier",
             "Financeurs", "Concentration des porteurs", "Euros par habitant",
             "Besoins et moyens")  # fmt: skip
    if msg := _no_actions(obs, api, p):
        return [Absent(n, msg) for n in names]
    src = source(api, obs)
    s = api.synthese(p.annees)
    key = [
        ("Actions programmées", number_or(s["actions"]), "entier"),
        ("Porteurs", number_or(s["porteurs"]), "entier"),
        ("Montant demandé", _euros(s["demande"]), "euros2"),
        ("Montant accordé", _euros(s["accorde"]), "euros2"),
        ("Montant versé", _euros(s["verse"]), "euros2"),
        ("Taux de refus (dossiers)", number_or(s["taux_refus"]), "pourcent"),
        ("Taux d'exécution (versé / accordé)", number_or(s["taux_execution"]), "pourcent"),
        ("Effet levier (€ de cofinancement par € de l'État)", number_or(s["effet_levier"]),
         "decimal2"),
        ("Actions reliées à aucun quartier", number_or(s["non_relies"]), "entier"),
    ]  # fmt: skip
    rows = [[k, Value(v, kind) if not isinstance(v, str) else v, src] for k, v, kind in key]
    out: list[Table | Absent] = [
        Table(names[0], "programmation", f"Chiffres clés de la programmation {p.libelle}",
              [Column("Chiffre clé"), Column("Valeur", "nombre"), Column("Source")], rows),
        _amounts(obs, api.totaux("annee", p.annees), "annee", "Année", names[1],
                 "programmation-annee", "Programmation par année", src),
        _amounts(obs, api.totaux("pilier", p.annees), "pilier", "Pilier", names[2],
                 "programmation-pilier", "Programmation par pilier", src),
        _amounts(obs, api.totaux("financeur", p.annees), "financeur", "Financeur", names[3],
                 "financeurs", "Montants par financeur", src),
    ]  # fmt: skip
    conc = api.concentration(10, None, p.annees)
    if len(conc) and not is_missing(conc["part_premiers"].iloc[0]):
        r = conc.iloc[0]
        out.append(Table(names[4], "concentration", "Concentration des montants accordés sur "
                         "les 10 premiers porteurs", [
            Column("Porteurs", "entier"), Column("Montant accordé", "euros2"),
            Column("Part des 10 premiers (%)", "pourcent"), Column("Indice de Herfindahl", "decimal3"),
            Column("Porteurs équivalents", "decimal1"), Column("Source")],
            [[int(r["porteurs"]), _euros(r["accorde"]), number_or(r["part_premiers"]),
              number_or(r["herfindahl"]), number_or(r["porteurs_equivalents"]), src]]))  # fmt: skip
    else:
        out.append(Absent(names[4], "Aucun montant accordé : concentration non calculable."))
    out.append(euros_par_habitant(obs, api, p.annees, src, names[5]))
    out += besoins_moyens(obs, api, p.annees, src, names[6])
    return out


def euros_par_habitant(obs: Any, api: Any, years: list[int], src: str, name: str) -> Table | Absent:
    """Euros accordés par habitant et par quartier, rang (1 = le mieux doté)."""
    table = api.euros_par_habitant(years)
    if table.empty:
        return Absent(name, "Aucun quartier n'est ciblé par les actions de la période.")
    t = table.sort_values("euros_par_habitant", ascending=False, na_position="last")
    known = t["euros_par_habitant"].dropna().to_numpy(dtype=float)
    rows = []
    for r in t.itertuples(index=False):
        value = r.euros_par_habitant  # rang du tableau de bord : 1 + quartiers mieux dotés
        rank = "non classé" if is_missing(value) else int((known > value).sum()) + 1
        rows.append([r.quartier, str(r.nom), _euros(r.montant),
                     number_or(r.population, "population inconnue"),
                     number_or(value, "non calculable"), rank, src])  # fmt: skip
    columns = [Column("Code quartier"), Column("Quartier"),
               Column("Montant accordé attribué", "euros2"), Column("Population", "entier"),
               Column("Euros par habitant", "euros2"), Column("Rang", "entier"), Column("Source")]  # fmt: skip
    return Table(name, "euros-par-habitant", "Euros accordés par habitant, par quartier "
                 f"({years[0]}–{years[-1]} ; rang 1 = le plus doté)", columns, rows)  # fmt: skip


def besoins_moyens(
    obs: Any, api: Any, years: list[int], src: str, name: str
) -> list[Table | Absent]:
    """Euros par habitant face au besoin (par quartier) et résumé des corrélations."""
    table, summary = api.besoins_moyens(years)
    if summary.get("n", 0) < 3:
        return [Absent(name, "Moins de trois quartiers ont à la fois un besoin mesuré et des "
                       "moyens : la comparaison n'est pas calculable.")]  # fmt: skip
    rows = [[r.quartier, str(r.nom), number_or(r.besoin), number_or(r.euros_par_habitant),
             number_or(r.rang_besoin), number_or(r.rang_moyens), number_or(r.ecart_rangs),
             number_or(r.attendu), number_or(r.residu), number_or(r.residu_standardise),
             "oui" if r.sous_dote else "non", src] for r in table.itertuples(index=False)]  # fmt: skip
    inds = summary.get("indicateurs", {})
    besoin = " + ".join(f"{k} × {v:g}" for k, v in inds.items())
    columns = [Column("Code quartier"), Column("Quartier"), Column("Besoin", "decimal1"),
               Column("Euros par habitant", "euros2"), Column("Rang du besoin", "entier"),
               Column("Rang des moyens", "entier"), Column("Écart des rangs", "entier"),
               Column("Euros par habitant attendus", "euros2"), Column("Résidu", "euros2"),
               Column("Résidu standardisé", "decimal2"), Column("Nettement sous-doté"),
               Column("Source")]  # fmt: skip
    resume = [
        ("Quartiers comparés", summary["n"], "entier"),
        ("Corrélation de Pearson", summary.get("pearson"), "decimal2"),
        ("Corrélation de Spearman (rangs)", summary.get("spearman"), "decimal2"),
        ("Pente (€ par habitant par unité de besoin)", summary.get("pente"), "decimal2"),
        ("Seuil de sous-dotation (résidu standardisé)", summary.get("seuil"), "decimal2"),
    ]
    rrows = [[k, Value(v, kind) if not is_missing(v) else "non calculable", src]
             for k, v, kind in resume]  # fmt: skip
    rrows.append(["Quartiers nettement sous-dotés",
                  ", ".join(summary.get("noms_sous_dotes") or []) or "aucun", src])  # fmt: skip
    rrows.append(["Exclus faute de données", ", ".join(summary.get("noms_exclus") or []) or "aucun",
                  src])  # fmt: skip
    return [
        Table(name, "besoins-moyens", f"Euros par habitant face au besoin ({besoin})",
              columns, rows, set(inds)),
        Table("Besoins et moyens (résumé)", "besoins-moyens-resume",
              "Corrélation entre besoin et moyens, quartiers sous-dotés",
              [Column("Mesure"), Column("Valeur", "nombre"), Column("Source")], rrows),
    ]  # fmt: skip


def quartier(obs: Any, qs: list[Any]) -> list[Table | Absent]:
    """Tableaux du tableau de bord : actions ciblant le quartier et leurs piliers."""
    multi = len(qs) > 1
    names = ("Piliers par quartier" if multi else "Piliers du quartier",
             "Actions par quartier" if multi else "Actions du quartier")  # fmt: skip
    api = obs.contrat
    if msg := _no_actions(obs, api):
        return [Absent(n, msg) for n in names]
    src = source(api, obs)
    piliers, actions = [], []
    for q in qs:
        acts = api.actions_quartier(q.code)
        if acts.empty:
            continue
        grouped = acts.assign(pilier=acts["pilier"].fillna("non renseigné")).groupby(
            "pilier", sort=True).agg(actions=("id", "nunique"),
                                     montant=("accorde_quartier", lambda s: s.dropna().sum()))  # fmt: skip
        for label, r in grouped.iterrows():
            piliers.append([q.code, q.nom, str(label), int(r["actions"]), r["montant"], src])
        top = acts.sort_values("accorde_quartier", ascending=False, na_position="last")
        for r in top.itertuples(index=False):
            actions.append([q.code, q.nom, str(r.id), int(r.annee), str(r.intitule),
                            "non renseigné" if is_missing(r.porteur) else str(r.porteur),
                            "non renseigné" if is_missing(r.pilier) else str(r.pilier),
                            "non renseigné" if is_missing(r.thematique) else str(r.thematique),
                            STATUS_LABELS.get(r.statut, r.statut), float(r.poids),
                            _euros(r.accorde_quartier), src])  # fmt: skip
    if not actions:
        reason = "Aucune action de la programmation ne cible ce quartier."
        return [Absent(n, reason) for n in names]
    q_cols = [Column("Code quartier"), Column("Quartier")]
    return [
        Table(names[0], "piliers-quartier", "Actions ciblant le quartier, par pilier (part du "
              "montant accordé attribuée au quartier)", q_cols + [
              Column("Pilier"), Column("Actions", "entier"),
              Column("Accordé (part du quartier)", "euros2"), Column("Source")], piliers),
        Table(names[1], "actions-quartier", "Toutes les actions ciblant le quartier, des plus "
              "grosses parts aux plus petites", q_cols + [
              Column("Dossier"), Column("Année", "annee"), Column("Action"), Column("Porteur"),
              Column("Pilier"), Column("Thématique"), Column("Statut"),
              Column("Poids du quartier", "fraction"), Column("Accordé (part du quartier)", "euros2"),
              Column("Source")], actions),
    ]  # fmt: skip
