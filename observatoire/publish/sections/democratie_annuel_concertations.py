"""Rapport annuel : programme des concertations de l'année.

Chiffres de ``obs.democratie`` (``demarches``, ``repartition``, ``bilans``, ``suites``,
``prise_en_compte``) ; rien n'est recalculé ici. Sans démarche dans l'année, une phrase ;
sans fichier de concertations, rien (l'introduction le dit).

Exemple ::

    show(programme(obs, a))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks, narrative
from observatoire.publish.sections import Blocks, absent
from observatoire.publish.sections.democratie_annuel import (
    Annuel,
    count,
    days,
    masked,
    plural,
    seuil,
    share,
    source,
)
from observatoire.views.democratie import grouped_bars
from observatoire.views.format import format_date, format_number

NIVEAU_LABELS = {
    "information": "Information",
    "consultation": "Consultation",
    "concertation": "Concertation",
    "co-construction": "Co-construction",
}
MAX_ROWS = 40  # démarches listées ; au-delà, le tableau le dit


def _date(value: object) -> str:
    return format_date(pd.Timestamp(value).date(), long=False) if pd.notna(value) else ""


def _bilan(row: Any) -> str:
    if pd.notna(row.date_bilan):
        return f"publié le {_date(row.date_bilan)}"
    if row.statut == "terminée":
        return "non publié"
    return "démarche non terminée" if row.statut != "abandonnée" else "démarche abandonnée"


def _priority_key(value: object) -> tuple[int, float, str]:
    """Priorités des élus telles que le fichier les écrit : nombres d'abord, puis texte."""
    text = "" if value is None or pd.isna(value) else str(value).strip()
    order = {"haute": 1, "élevée": 1, "moyenne": 2, "basse": 3, "faible": 3}
    try:
        return (0, float(text.replace(",", ".")), text)
    except ValueError:
        return (1 if text else 2, order.get(text.lower(), 9), text)


def programme(obs: Any, a: Annuel) -> Blocks:
    """Chiffres clés, démarches par niveau, quartier et service, liste par priorité,
    bilans et suites données aux contributions."""
    if not len(obs.table("concertations")):
        return []
    d = obs.democratie
    demarches = d.demarches(annee=a.annee)
    if demarches.empty:
        years = sorted({int(y) for y in obs.table("concertations")["annee"].dropna()})
        return absent(f"Aucune démarche de concertation n'a commencé en {a.annee} (démarches "
                      f"enregistrées : {narrative.enumeration([str(y) for y in years])}).")  # fmt: skip
    src = source(obs, "concertations", annee=a.annee)
    b = d.bilans(annee=a.annee)
    b = b.iloc[0] if len(b) else None
    tiles = [("Démarches commencées", format_number(len(demarches)))]
    if b is not None:
        tiles.append(("Démarches terminées", format_number(b["terminees"])))
        if b["terminees"]:
            tiles.append(("Bilan publié (démarches terminées)", share(b["part_bilan_publie"])))
        if b["delai_bilan_connu"]:
            tiles.append(("Délai médian fin → bilan", days(b["delai_bilan_median_jours"])))
    pec = d.prise_en_compte(annee=a.annee)
    if len(pec) and pd.notna(pec["taux_prise_en_compte"].iloc[0]):
        tiles.append(("Taux de prise en compte des contributions",
                      share(pec["taux_prise_en_compte"].iloc[0])))  # fmt: skip
    out: Blocks = [blocks.chiffres_cles(tiles, source=src, display=False)]
    out += _niveaux(obs, d, a, src)
    out += _ventilations(d, a, src)
    out.append(_liste(obs, demarches, a, src))
    out += _bilans_text(b)
    out += _suites(obs, d, a)
    return out


def _niveaux(obs: Any, d: Any, a: Annuel, src: str) -> Blocks:
    rep = d.repartition("niveau", annee=a.annee)
    if rep.empty:
        return []
    frame = pd.DataFrame({
        "Niveau": [NIVEAU_LABELS.get(n, str(n)) for n in rep["niveau"]],
        "Démarches": rep["demarches"].astype(int),
        "Part": [share(p) for p in rep["part"]],
    })  # fmt: skip
    fig = grouped_bars(frame, label="Niveau", series={"Démarches": "Démarches"},
                       titre=f"Démarches de concertation par niveau de participation, {a.annee}",
                       source=source(obs, "concertations", annee=a.annee, mention=False),
                       fictif=obs.fictif)  # fmt: skip
    return [
        blocks.figure(fig, source=src, display=False),
        blocks.tableau(frame, legende=f"Démarches par niveau de participation, {a.annee}",
                       source=src, display=False),
    ]  # fmt: skip


def _ventilations(d: Any, a: Annuel, src: str) -> Blocks:
    out: Blocks = []
    by_q = d.repartition("quartier", annee=a.annee)
    if len(by_q):
        names = [f"{n} ({c})" if c else str(n).capitalize()
                 for c, n in zip(by_q["quartier"], by_q["nom"], strict=True)]  # fmt: skip
        frame = pd.DataFrame({"Quartier": names, "Démarches": by_q["demarches"].astype(int)})
        out.append(blocks.tableau(frame, legende=f"Démarches par quartier concerné, {a.annee} (une "
                                  "démarche sur plusieurs quartiers compte dans chacun)",
                                  source=src, display=False))  # fmt: skip
    by_s = d.repartition("service", annee=a.annee)
    if len(by_s):
        frame = pd.DataFrame({"Service porteur": by_s["service"].astype(str),
                              "Démarches": by_s["demarches"].astype(int)})  # fmt: skip
        out.append(blocks.tableau(frame, legende=f"Démarches par service porteur, {a.annee}",
                                  source=src, display=False))  # fmt: skip
    return out


def _liste(obs: Any, demarches: pd.DataFrame, a: Annuel, src: str) -> blocks.Block:
    rows = sorted(demarches.itertuples(index=False), key=lambda r: _priority_key(r.priorite))
    limit = seuil(obs)
    table = pd.DataFrame(
        [[f"{r.id} — {r.objet}", NIVEAU_LABELS.get(r.niveau, str(r.niveau)),
          str(r.noms_quartiers), str(r.service) if pd.notna(r.service) else "non renseigné",
          str(r.priorite) if pd.notna(r.priorite) else "non renseignée", str(r.statut),
          _bilan(r), masked(r.participants, limit) if r.evenements else "aucun événement lié"]
         for r in rows[:MAX_ROWS]],
        columns=["Démarche", "Niveau", "Quartiers", "Service porteur", "Priorité", "Statut",
                 "Bilan", "Participants aux événements liés"],
    )  # fmt: skip
    if not (
        demarches["evenements"].fillna(0) > 0
    ).any():  # aucun événement rattaché : colonne muette
        table = table.drop(columns="Participants aux événements liés")
    more = f" ({MAX_ROWS} premières sur {len(rows)})" if len(rows) > MAX_ROWS else ""
    return blocks.tableau(table, legende=f"Programme des concertations {a.annee}, par priorité "
                          f"des élus{more}", source=src, display=False)  # fmt: skip


def _bilans_text(b: Any) -> Blocks:
    if b is None:
        return []
    sentences = []
    done = int(b["terminees"])
    if done:
        missing = done - int(b["terminees_avec_bilan"])
        sentences.append(
            f"{plural(done, 'démarche terminée', 'démarches terminées')} : "
            f"{format_number(int(b['terminees_avec_bilan']))} avec un bilan publié"
            + (f", {format_number(missing)} sans bilan publié." if missing else ".")
        )
    else:
        sentences.append("Aucune démarche commencée dans l'année n'est encore terminée : aucun "
                         "bilan n'est encore dû.")  # fmt: skip
    if b["delai_bilan_connu"]:
        sentences.append(
            f"Le bilan paraît en médiane {days(b['delai_bilan_median_jours'])} après la fin de la "
            f"démarche (sur {plural(int(b['delai_bilan_connu']), 'démarche')} dont les deux dates "
            "sont connues)."
        )
    return [blocks.texte(*sentences, display=False)]


def _suites(obs: Any, d: Any, a: Annuel) -> Blocks:
    s = d.suites(annee=a.annee)
    if s.empty:
        if len(obs.table("contributions")):
            return [blocks.texte(f"Aucune contribution n'est rattachée aux démarches commencées "
                                 f"en {a.annee}.", display=False)]  # fmt: skip
        return []
    total = int(s["contributions"].sum())
    frame = pd.DataFrame({
        "Suite donnée": [str(x).capitalize() for x in s["suite"]],
        "Contributions": s["contributions"].astype(int),
        "Part": [share(p) for p in s["part"]],
    })  # fmt: skip
    pec = d.prise_en_compte(annee=a.annee)
    sentences = [f"{plural(total, 'contribution')} des habitants aux démarches de l'année."]
    if len(pec) and pd.notna(pec["taux_prise_en_compte"].iloc[0]):
        r = pec.iloc[0]
        sentences.append(
            f"Taux de prise en compte : {share(r['taux_prise_en_compte'])} (contributions "
            "retenues ou partiellement retenues parmi celles qui ont reçu une suite, hors sujet "
            f"exclus ; base : {count(r['base'])})."
        )
    return [
        blocks.texte(*sentences, display=False),
        blocks.tableau(frame, legende=f"Suites données aux contributions, {a.annee}",
                       source=source(obs, "contributions", annee=a.annee), display=False),
    ]  # fmt: skip
