"""Rapport annuel : budget participatif de l'édition de l'année.

Chiffres de ``obs.democratie`` (votants pour 1 000 habitants, structure par âge des
votants, moins de 25 ans contre la population, projets et euros par quartier, réalisation
et volet jeunes) ; montants en euros exacts. Aucun calcul ici ; les votants (des personnes)
sous le seuil des petits effectifs sont masqués. Les votes sont toujours agrégés.

Exemple ::

    show(budget_participatif(obs, a))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks, narrative
from observatoire.publish.sections import Blocks, absent
from observatoire.publish.sections.democratie_annuel import (
    Annuel,
    masked,
    plural,
    seuil,
    share,
    source,
)
from observatoire.views.democratie import grouped_bars
from observatoire.views.format import format_euros, format_number


def _quartier(code: object, nom: object) -> str:
    if code is None or pd.isna(code) or str(code) == "":
        return "Tout le territoire (ou hors QPV)"
    return f"{nom} ({code})" if nom is not None and pd.notna(nom) else str(code)


def _euros(value: object) -> str:
    return "n.d." if value is None or pd.isna(value) else format_euros(value)


def budget_participatif(obs: Any, a: Annuel) -> Blocks:
    """Projets, votants, âge des votants, euros par quartier, réalisation, volet jeunes."""
    projets, votes = obs.table("projets_bp"), obs.table("votes_bp")
    if not (len(projets) or len(votes)):
        return []
    editions = sorted({int(e) for t in (projets, votes) for e in t["edition"].dropna()})
    if a.annee not in editions:
        listed = narrative.enumeration([str(e) for e in editions])
        return absent(f"Pas d'édition du budget participatif en {a.annee} (éditions "
                      f"enregistrées : {listed}).")  # fmt: skip
    d = obs.democratie
    out: Blocks = []
    out += _summary(obs, d, a)
    out += _votants(obs, d, a)
    out += _age(obs, d, a)
    out += _projets(obs, d, a)
    out += _realisation(obs, d, a)
    return out


def _summary(obs: Any, d: Any, a: Annuel) -> Blocks:
    r = d.realisation(annee=a.annee)
    v = d.votants(annee=a.annee)
    tiles = []
    if len(r):
        r = r.iloc[0]
        tiles += [("Projets déposés", format_number(r["projets"])),
                  ("Projets lauréats", format_number(r["laureats"])),
                  ("Montant des lauréats", _euros(r["montant_laureats"]))]  # fmt: skip
        if int(r["laureats"]):
            tiles.append(("Lauréats déjà réalisés", share(r["part_realisee"])))
    if len(v) and v["votants"].notna().any():
        tiles.append(
            ("Votants", masked(d.moins_25(annee=a.annee)["votants"].sum(min_count=1), seuil(obs)))
        )
    if not tiles:
        return []
    return [blocks.chiffres_cles(tiles, source=source(obs, "projets_bp", "votes_bp", annee=a.annee),
                                 display=False)]  # fmt: skip


def _votants(obs: Any, d: Any, a: Annuel) -> Blocks:
    v = d.votants(annee=a.annee)
    if v.empty:
        if len(obs.table("votes_bp")):
            return [
                blocks.texte(f"Aucun vote de l'édition {a.annee} n'est enregistré.", display=False)
            ]
        return [blocks.texte("Les votes du budget participatif ne sont pas déclarés (source de "
                             "type « votes_budget_participatif ») : ni votants par quartier, ni "
                             "âge des votants.", display=False)]  # fmt: skip
    limit = seuil(obs)
    src = source(obs, "votes_bp", annee=a.annee, population=True)
    rows, chart = [], []
    for r in v.itertuples(index=False):
        hidden = str(getattr(r, "affichage", "") or "")
        shown = hidden or masked(r.votants, limit)
        rate = "masqué" if hidden else ("n.d." if pd.isna(r.votants_pour_1000)
                                        else format_number(float(r.votants_pour_1000), 1))  # fmt: skip
        rows.append([_quartier(r.quartier, r.nom), shown, rate])
        if r.quartier and not hidden and pd.notna(r.votants_pour_1000):
            chart.append([_quartier(r.quartier, r.nom), float(r.votants_pour_1000)])
    frame = pd.DataFrame(rows, columns=["Quartier", "Votants", "Votants pour 1 000 habitants"])
    out: Blocks = []
    if chart:
        fig = grouped_bars(pd.DataFrame(chart, columns=["Quartier", "taux"]), label="Quartier",
                           series={"taux": "Votants pour 1 000 habitants"},
                           titre=f"Votants du budget participatif pour 1 000 habitants, {a.annee}",
                           source=source(obs, "votes_bp", annee=a.annee, mention=False,
                                  population=True), fictif=obs.fictif)  # fmt: skip
        out.append(blocks.figure(fig, display=False))
    out.append(blocks.tableau(frame, legende=f"Votants par quartier, édition {a.annee}", source=src,
                              display=False))  # fmt: skip
    return out


def _age(obs: Any, d: Any, a: Annuel) -> Blocks:
    ages = d.votants_par_age(annee=a.annee)
    if ages.empty:
        return []
    limit = seuil(obs)
    src = source(obs, "votes_bp", annee=a.annee)
    frame = pd.DataFrame({
        "Tranche d'âge": ages["tranche_age"].astype(str),
        "Votants": [str(h) if h else masked(n, limit)
                    for n, h in zip(ages["votants"], ages.get("affichage", [""] * len(ages)), strict=True)],
        "Part des votants": [share(p, 1) if pd.notna(p) else "n.d." for p in ages["part"]],
    })  # fmt: skip
    out: Blocks = [blocks.tableau(frame, legende=f"Âge des votants, édition {a.annee}", source=src,
                                  display=False)]  # fmt: skip
    young = d.moins_25(annee=a.annee)
    if len(young):
        y = young.iloc[0]
        sentences = []
        if pd.notna(y["part_moins_25_votants"]) and pd.notna(y["part_moins_25_population"]):
            sentences.append(
                f"Les moins de 25 ans font {share(y['part_moins_25_votants'], 1)} des votants dont "
                f"l'âge est connu, contre {share(y['part_moins_25_population'], 1)} de la "
                f"population des quartiers des votants (recensement {y['annee_population']})."
            )
            chart = pd.DataFrame({"Groupe": ["Moins de 25 ans"],
                                  "votants": [100 * float(y["part_moins_25_votants"])],
                                  "population": [100 * float(y["part_moins_25_population"])]})  # fmt: skip
            fig = grouped_bars(chart, label="Groupe", series={"votants": "Part parmi les votants",
                               "population": "Part dans la population"}, unite="%",
                               titre=f"Moins de 25 ans parmi les votants et dans la population, {a.annee}",
                               source=source(obs, "votes_bp", annee=a.annee, mention=False,
                                             population=True), fictif=obs.fictif)  # fmt: skip
            out.insert(0, blocks.figure(fig, display=False))
        elif pd.notna(y["part_moins_25_votants"]):
            sentences.append(f"Les moins de 25 ans font {share(y['part_moins_25_votants'], 1)} des "
                             "votants dont l'âge est connu.")  # fmt: skip
        if isinstance(y["remarque"], str) and y["remarque"]:
            sentences.append(y["remarque"][0].upper() + y["remarque"][1:] + ".")
        if sentences:
            out.append(blocks.texte(*sentences, display=False))
    return out


def _projets(obs: Any, d: Any, a: Annuel) -> Blocks:
    p = d.projets(annee=a.annee)
    if p.empty:
        return []
    names = p["nom"] if "nom" in p else [None] * len(p)
    frame = pd.DataFrame({
        "Quartier": [_quartier(c, n) for c, n in zip(p["quartier"], names, strict=True)],
        "Projets": p["projets"].astype(int),
        "Lauréats": p["laureats"].astype(int),
        "Réalisés": p["realises"].astype(int),
        "Montant des projets": [_euros(v) for v in p["montant"]],
        "Montant des lauréats": [_euros(v) for v in p["montant_laureats"]],
    })  # fmt: skip
    note = ("Un projet sur plusieurs quartiers compte dans chacun ; son montant y est réparti à "
            "parts égales, au centime près.")  # fmt: skip
    return [
        blocks.tableau(frame, legende=f"Projets et montants par quartier, édition {a.annee}",
                       source=source(obs, "projets_bp", annee=a.annee), display=False),
        blocks.texte(note, display=False),
    ]  # fmt: skip


def _realisation(obs: Any, d: Any, a: Annuel) -> Blocks:
    r = d.realisation()
    r = r[r["edition"].astype(int) <= a.annee] if len(r) else r
    if r.empty:
        return []
    frame = pd.DataFrame({
        "Édition": r["edition"].astype(int).astype(str),
        "Lauréats": r["laureats"].astype(int),
        "Réalisés": r["realises"].astype(int),
        "Part réalisée": [share(v) for v in r["part_realisee"]],
        "Lauréats portés par des moins de 25 ans": r["laureats_jeunes"].astype(int),
        "Part des euros du volet jeunes": [share(v) for v in r["part_jeunes_montant"]],
    })  # fmt: skip
    out: Blocks = [blocks.tableau(frame, legende="Réalisation des projets lauréats et volet jeunes, "
                                  "par édition", source=source(obs, "projets_bp"), display=False)]  # fmt: skip
    cur = r[r["edition"].astype(int) == a.annee]
    if len(cur) and int(cur["projets_jeunes_connu"].iloc[0]):
        c = cur.iloc[0]
        out.append(blocks.texte(
            f"Volet jeunes {a.annee} : {plural(int(c['projets_jeunes']), 'projet porté', 'projets portés')} "
            f"par des moins de 25 ans ({share(c['part_jeunes_projets'])} des projets renseignés), "
            f"dont {plural(int(c['laureats_jeunes']), 'lauréat')}.", display=False))  # fmt: skip
    return out
