"""Rapport annuel : pétitions citoyennes et panel citoyen tiré au sort.

Pétitions : ``obs.democratie`` (atteinte du seuil, courbes des signatures, synthèse).
Panel : ``obs.panel`` (quotas, tirage reproductible avec la graine publiée, audit,
probabilités de sélection). Aucun calcul ici. La liste des personnes tirées (pseudonymes)
n'est jamais publiée dans le rapport : seulement la composition du panel contre les quotas
et la population, comme l'audit qu'un conseil attend.

Exemple ::

    show(petitions(obs, a))
    show(panel(obs, a))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.errors import ObservatoireError
from observatoire.publish import blocks
from observatoire.publish.sections import Blocks, absent
from observatoire.publish.sections.democratie_annuel import (
    Annuel,
    count,
    days,
    plural,
    share,
    source,
)
from observatoire.views.democratie import grouped_bars, signatures_chart
from observatoire.views.format import format_date, format_number

MAX_CURVES = 4  # courbes de signatures dessinées (les pétitions les plus signées)


def _date(value: object) -> str:
    return format_date(pd.Timestamp(value).date(), long=False) if pd.notna(value) else ""


def _reached(row: Any) -> str:
    if pd.isna(row.seuil_atteint):
        return "seuil non fixé"
    if not row.seuil_atteint:
        return "non"
    when = f" le {_date(row.date_seuil)}" if pd.notna(row.date_seuil) else ""
    delay = (
        f" ({days(row.delai_seuil_jours)} après le dépôt)"
        if pd.notna(row.delai_seuil_jours)
        else ""
    )
    return f"oui{when}{delay}"


def _answer(row: Any) -> str:
    if pd.notna(row.date_reponse):
        delay = (
            f" ({days(row.delai_reponse_jours)} après le dépôt)"
            if pd.notna(row.delai_reponse_jours)
            else ""
        )
        return f"le {_date(row.date_reponse)}{delay}"
    return "pas encore de réponse" if row.statut != "irrecevable" else "sans objet (irrecevable)"


def petitions(obs: Any, a: Annuel) -> Blocks:
    """Chiffres clés, une ligne par pétition déposée dans l'année, courbes des signatures."""
    if not len(obs.table("petitions")):
        return []
    d = obs.democratie
    table = d.petitions(annee=a.annee)
    if table.empty:
        return absent(f"Aucune pétition n'a été déposée en {a.annee}.")
    src = source(obs, "petitions", "signatures", annee=a.annee)
    s = d.synthese_petitions(annee=a.annee).iloc[0]
    tiles = [("Pétitions déposées", format_number(s["petitions"]))]
    if s["irrecevables"]:
        tiles.append(("Irrecevables", format_number(s["irrecevables"])))
    if s["examinees"]:
        tiles.append(("Seuil atteint", f"{format_number(s['seuil_atteint'])} sur "
                      f"{format_number(s['examinees'])} ({share(s['part_seuil_atteint'])})"))  # fmt: skip
    if pd.notna(s["delai_seuil_median_jours"]):
        tiles.append(("Délai médian pour atteindre le seuil", days(s["delai_seuil_median_jours"])))
    tiles.append(("Pétitions répondues", format_number(s["repondues"])))
    if pd.notna(s["delai_reponse_median_jours"]):
        tiles.append(("Délai médian de réponse (depuis le dépôt)",
                      days(s["delai_reponse_median_jours"])))  # fmt: skip
    out: Blocks = [blocks.chiffres_cles(tiles, source=src, display=False)]
    rows = [[f"{r.id} — {r.titre}", str(r.noms_quartiers) if hasattr(r, "noms_quartiers") else "",
             _date(r.depot), count(r.signatures), count(r.seuil) if pd.notna(r.seuil) else "non fixé",
             _reached(r), str(r.statut), _answer(r)] for r in table.itertuples(index=False)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["Pétition", "Quartiers", "Dépôt", "Signatures", "Seuil",
                                        "Seuil atteint", "Statut", "Réponse"])  # fmt: skip
    if not frame["Quartiers"].astype(bool).any():
        frame = frame.drop(columns="Quartiers")
    out.append(blocks.tableau(frame, legende=f"Pétitions déposées en {a.annee}", source=src,
                              display=False))  # fmt: skip
    out += _curves(obs, d, table, a)
    return out


def _curves(obs: Any, d: Any, table: pd.DataFrame, a: Annuel) -> Blocks:
    """Une courbe par pétition qui a des relevés de signatures (les plus signées d'abord)."""
    if not len(obs.table("signatures")):
        return [blocks.texte("Les signatures ne sont pas relevées date par date : aucune "
                             "courbe de signatures n'est tracée.", display=False)]  # fmt: skip
    src = source(obs, "petitions", "signatures", annee=a.annee, mention=False)
    out: Blocks = []
    ranked = table.sort_values("signatures", ascending=False, na_position="last")
    drawn = 0
    without = []
    for r in ranked.itertuples(index=False):
        curve = d.courbe_signatures(petition=r.id)
        if curve.empty:
            without.append(str(r.id))
            continue
        if drawn >= MAX_CURVES:
            continue
        fig = signatures_chart(curve, seuil=r.seuil, titre=f"Signatures de la pétition {r.id}",
                               source=src, fictif=obs.fictif)  # fmt: skip
        out.append(blocks.figure(fig, legende=str(r.titre), display=False))
        drawn += 1
    curves = len(table) - len(without)
    if curves > drawn:
        out.append(blocks.texte(f"Courbes tracées pour les {drawn} pétitions les plus signées sur "
                                f"{curves} ; le tableau donne les totaux de toutes.", display=False))  # fmt: skip
    if without:
        out.append(blocks.texte(
            f"Sans relevé de signatures date par date : {', '.join(without)} (pas de courbe).",
            display=False))  # fmt: skip
    return out


# ---------------------------------------------------------------------- panel
AUDIT_COLUMNS = ["Critère", "Valeur", "Quota minimum", "Quota maximum", "Panel", "Quota tenu",
                 "Part dans le panel", "Part dans la population", "Part dans le vivier"]  # fmt: skip


def panel(obs: Any, a: Annuel) -> Blocks:
    """Quotas, composition du panel contre les quotas et la population, probabilités de
    sélection, graine publiée ; un tirage impossible est expliqué en une phrase."""
    p = obs.panel
    if p.vivier.empty:
        return []
    people = plural(len(p.vivier), "volontaire")
    if p.taille is None or p.graine is None:
        return absent(f"Le vivier du panel citoyen compte {people} ; aucun tirage n'est "
                      "configuré ([panel] taille et graine) : ni quotas ni panel à publier.")  # fmt: skip
    try:
        r = p.tirer()
    except ObservatoireError as exc:  # quotas impossibles, réglage invalide : dit en français
        return absent(f"Le panel citoyen n'a pas pu être tiré dans le vivier ({people}) : {exc}")
    figure_src = source(obs, "vivier", mention=False, population=True)
    src = source(obs, "vivier", population=True)
    sentences = [
        f"Panel de {plural(r.taille, 'siège')} tiré au sort parmi les {people} du vivier avec "
        f"l'algorithme {r.algorithme} de la bibliothèque sortition-algorithms et la graine "
        f"publiée {r.graine} : refaire le tirage avec la même graine donne le même panel "
        "(observatoire panel).",
        "La liste des personnes tirées (pseudonymes) n'est pas publiée ici ; le tableau "
        "donne la composition du panel face aux quotas, à la population et au vivier.",
    ]
    stats = dict(zip(r.probabilites["Statistique"], r.probabilites["Valeur"], strict=True))
    low, high = (
        stats.get("Probabilité de sélection minimale"),
        stats.get("Probabilité de sélection maximale"),
    )
    if low and high:
        sentences.append(f"Chaque volontaire avait entre {low} et {high} de chances d'être tiré "
                         "(fourchette des probabilités de sélection).")  # fmt: skip
    sentences += [n for n in r.notes if not n.startswith(("Données fictives", "Algorithme"))]
    if len(obs.table("petitions")):
        d_petitions = obs.democratie.petitions(annee=a.annee)
        trig = d_petitions[d_petitions["statut"] == "panel"]
        if len(trig):
            listed = ", ".join(f"{i} — {t}" for i, t in zip(trig["id"], trig["titre"], strict=True))
            sentences.append(f"Pétition{'s' if len(trig) > 1 else ''} de {a.annee} qui "
                             f"{'ont' if len(trig) > 1 else 'a'} atteint le seuil et saisi un panel "
                             f"citoyen : {listed}.")  # fmt: skip
    out: Blocks = [blocks.texte(*sentences, display=False)]
    audit = r.audit[[c for c in AUDIT_COLUMNS if c in r.audit.columns]]
    out.append(blocks.tableau(audit, legende=f"Quotas et composition du panel ({r.taille} sièges)",
                              source=src, display=False))  # fmt: skip
    raw = r.audit_brut
    if raw is not None and len(raw):
        single = raw[raw["critere"] != "age_sexe"]
        label = [f"{c} : {v}" for c, v in zip(single["libelle_critere"], single["libelle_valeur"], strict=True)]  # fmt: skip
        frame = pd.DataFrame({
            "Groupe": label,
            "panel": 100 * single["part_panel"].astype(float),
            "population": 100 * single["part_population"].astype(float),
            "vivier": 100 * single["part_vivier"].astype(float),
        })  # fmt: skip
        series = {"panel": "Panel", "population": "Population"}
        if frame["population"].isna().any():
            series["vivier"] = "Vivier"
        fig = grouped_bars(frame, label="Groupe", series=series,
                           titre="Composition du panel face à la population",
                           unite="%", source=figure_src, fictif=obs.fictif,
                           notes=["n.d. : population inconnue pour ce critère (quotas fondés "
                                  "sur le vivier)"] if "vivier" in series else None)  # fmt: skip
        out.append(blocks.figure(fig, display=False))
    out.append(blocks.tableau(r.probabilites, legende="Probabilités de sélection de chaque "
                              "volontaire (tirage équitable)", source=src, display=False))  # fmt: skip
    return out
