"""Tableau de bord d'un quartier, section « Participation des habitants » : démarches de
concertation, pétitions, remontées des usagers et budget participatif du quartier.

Chaque bloc n'apparaît que si les fichiers décrivent quelque chose pour ce quartier ; sinon
la section ne dit rien de plus (un territoire sans démocratie participative garde un
tableau de bord identique). Chiffres de ``obs.democratie`` ; petits effectifs masqués.

Exemple ::

    show(quartier_democratie(obs, q))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks
from observatoire.publish.sections import Blocks
from observatoire.publish.sections.democratie_annuel import (
    count,
    days,
    masked,
    plural,
    seuil,
    share,
    source,
)
from observatoire.publish.sections.democratie_annuel_concertations import NIVEAU_LABELS
from observatoire.publish.sections.democratie_annuel_concertations import _bilan as bilan_text
from observatoire.views.format import format_date, format_euros, format_number

MAX_ROWS = 8


def _date(value: object) -> str:
    return format_date(pd.Timestamp(value).date(), long=False) if pd.notna(value) else "n.d."


def has_data(obs: Any) -> bool:
    """Vrai si une table de la démocratie participative utile au tableau de bord a des lignes."""
    return any(len(obs.table(t)) for t in ("concertations", "petitions", "remontees", "projets_bp",
                                            "votes_bp"))  # fmt: skip


def quartier_democratie(obs: Any, q: Any) -> Blocks:
    """Démarches, pétitions, remontées et budget participatif du quartier (s'il y en a)."""
    if not has_data(obs):
        return []
    d = obs.democratie
    return (
        _demarches(obs, d, q) + _petitions(obs, d, q) + _remontees(obs, d, q) + _budget(obs, d, q)
    )


def _demarches(obs: Any, d: Any, q: Any) -> Blocks:
    if not len(obs.table("concertations")):
        return []
    table = d.demarches(quartier=q.code)
    if table.empty:
        return []
    table = table.sort_values("debut", ascending=False)
    rows = [[f"{r.id} — {r.objet}", NIVEAU_LABELS.get(r.niveau, str(r.niveau)), _date(r.debut),
             str(r.statut), bilan_text(r)] for r in table.head(MAX_ROWS).itertuples(index=False)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["Démarche", "Niveau", "Début", "Statut", "Bilan"])
    more = f" ({MAX_ROWS} plus récentes sur {len(table)})" if len(table) > MAX_ROWS else ""
    return [blocks.tableau(frame, legende=f"Démarches de concertation qui concernent le quartier{more}",
                           source=source(obs, "concertations"), display=False)]  # fmt: skip


def _petitions(obs: Any, d: Any, q: Any) -> Blocks:
    if not len(obs.table("petitions")):
        return []
    table = d.petitions(quartier=q.code)
    if table.empty:
        return []
    table = table.sort_values("depot", ascending=False)
    rows = []
    for r in table.head(MAX_ROWS).itertuples(index=False):
        reached = ("seuil non fixé" if pd.isna(r.seuil_atteint) else
                   ("oui" if r.seuil_atteint else "non"))  # fmt: skip
        answer = f"le {_date(r.date_reponse)}" if pd.notna(r.date_reponse) else "pas encore"
        rows.append([f"{r.id} — {r.titre}", _date(r.depot), count(r.signatures),
                     count(r.seuil) if pd.notna(r.seuil) else "non fixé", reached, answer])  # fmt: skip
    frame = pd.DataFrame(rows, columns=["Pétition", "Dépôt", "Signatures", "Seuil",
                                        "Seuil atteint", "Réponse"])  # fmt: skip
    return [blocks.tableau(frame, legende="Pétitions citoyennes qui concernent le quartier",
                           source=source(obs, "petitions", "signatures"), display=False)]  # fmt: skip


def _remontees(obs: Any, d: Any, q: Any) -> Blocks:
    table = obs.table("remontees")
    if not len(table):
        return []
    year = int(pd.to_datetime(table["date"]).dt.year.max())
    total = d.remontees_delais(annee=year, quartier=q.code)
    if total.empty or not int(total["remontees"].iloc[0]):
        return []
    t = total.iloc[0]
    tiles = [(f"Remontées des usagers en {year}", format_number(t["remontees"])),
             ("Traitées", format_number(t["traitees"]))]  # fmt: skip
    if pd.notna(t["delai_median_jours"]):
        tiles.append(("Délai de traitement médian", days(t["delai_median_jours"])))
    on_time = d.remontees_dans_delai(annee=year, quartier=q.code)
    if len(on_time) and pd.notna(on_time["part_dans_delai"].iloc[0]):
        o = on_time.iloc[0]
        tiles.append((f"Traitées en {plural(int(o['delai_jours']), 'jour')} au plus",
                      share(o["part_dans_delai"])))  # fmt: skip
    src = source(obs, "remontees", annee=year)
    out: Blocks = [blocks.chiffres_cles(tiles, source=src, display=False)]
    themes = d.remontees_volumes("theme", annee=year, quartier=q.code)
    if len(themes):
        frame = pd.DataFrame({"Thème": [str(v)[:1].upper() + str(v)[1:] for v in themes["theme"]],
                              "Remontées": themes["remontees"].astype(int),
                              "Part": [share(p) for p in themes["part"]]}).head(MAX_ROWS)  # fmt: skip
        out.append(blocks.tableau(frame, legende=f"Remontées du quartier par thème, {year}",
                                  source=src, display=False))  # fmt: skip
    return out


def _budget(obs: Any, d: Any, q: Any) -> Blocks:
    projets, votes = obs.table("projets_bp"), obs.table("votes_bp")
    if not (len(projets) or len(votes)):
        return []
    edition = int(max(pd.concat([projets["edition"], votes["edition"]]).dropna()))
    tiles = []
    p = d.projets(annee=edition, quartier=q.code)
    p = p[p["quartier"].astype(str) == q.code] if len(p) else p
    if len(p):
        r = p.iloc[0]
        tiles += [(f"Projets du budget participatif {edition}", format_number(r["projets"])),
                  ("Lauréats", format_number(r["laureats"]))]  # fmt: skip
        if pd.notna(r["montant_laureats"]) and r["laureats"]:
            tiles.append(("Montant des lauréats", format_euros(r["montant_laureats"])))
    v = d.votants(annee=edition, quartier=q.code)
    v = v[v["quartier"].astype(str) == q.code] if len(v) else v
    if len(v):
        n, rate = v["votants"].iloc[0], v["votants_pour_1000"].iloc[0]
        hidden = str(v["affichage"].iloc[0] or "") if "affichage" in v else ""
        tiles.append((f"Votants {edition}", hidden or masked(n, seuil(obs))))
        if not hidden and pd.notna(rate) and pd.notna(n) and float(n) >= seuil(obs):
            tiles.append(("Votants pour 1 000 habitants", format_number(float(rate), 1)))
    if not tiles:
        return []
    used = (["projets_bp"] if len(p) else []) + (["votes_bp"] if len(v) else [])
    return [blocks.chiffres_cles(tiles, source=source(obs, *used, annee=edition), display=False)]
