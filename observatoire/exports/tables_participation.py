"""Tableaux de la participation, petits effectifs masqués comme dans les rapports.

Mêmes appels que :mod:`observatoire.publish.sections.participation` (``taux_pour_1000``,
``par_dispositif``, ``representativite``, ``par_quartier``) et même règle : un effectif de
personnes de 1 à ``seuil - 1`` devient « < 5 » (le taux qui en découle « masqué ») ; les
cellules masquées par ``obs.participation`` restent masquées. Aucun effectif masqué
n'est écrit, ni en nombre ni dans une autre colonne.

Exemple ::

    par_annee(obs, [q])     # Table « Participation par année »
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd

from observatoire.exports.tables_model import Absent, Column, Table, is_missing
from observatoire.publish.sections import participation as section

MASKED = "masqué"
SECONDARY = "masqué : pour qu'un petit effectif ne puisse pas être recalculé"


def _count(value: object, seuil: int) -> tuple[Any, str]:
    """(cellule, statut) d'un effectif publié : nombre, « < 5 » ou « n.d. »."""
    if is_missing(value):
        return "n.d.", "effectif inconnu"
    if 0 < float(value) < seuil:  # type: ignore[arg-type]
        return f"< {seuil}", f"masqué : moins de {seuil} personnes"
    return round(float(value)), ""  # type: ignore[arg-type]


def _rate(participants: object, rate: object, seuil: int) -> Any:
    """Taux publié : masqué avec son effectif, « n.d. » s'il est inconnu."""
    if is_missing(participants):
        return "n.d."
    if 0 < float(participants) < seuil:  # type: ignore[arg-type]
        return MASKED
    return "n.d." if is_missing(rate) else float(rate)  # type: ignore[arg-type]


def _source(obs: Any) -> str:
    return section.sheets_source(obs)


def _q(q: Any) -> list[Any]:
    return [q.code, q.nom]


Q_COLUMNS = [Column("Code quartier"), Column("Quartier")]


def par_annee(obs: Any, qs: list[Any]) -> Table | Absent:
    """Événements, participants et participants pour 1 000 habitants, par quartier et année."""
    if obs.evenements.empty:
        return Absent("Participation par année", section.NO_DATA)
    api, rows = obs.participation, []
    for q in qs:
        if api.evenements(q.code).empty:
            continue
        t = api.taux_pour_1000(q.code).sort_values("annee")
        for r in t.itertuples(index=False):
            count, status = _count(r.participants, api.seuil)
            rows.append(_q(q) + [int(r.annee), int(r.evenements), count,
                                 _rate(r.participants, r.taux_pour_1000, api.seuil), status,
                                 _source(obs)])  # fmt: skip
    if not rows:
        return Absent("Participation par année",
                      "Aucun événement de participation ne concerne ce quartier.")  # fmt: skip
    columns = Q_COLUMNS + [
        Column("Année", "annee"), Column("Événements", "entier"),
        Column("Participants", "entier"), Column("Pour 1 000 habitants", "decimal1"),
        Column("Statut"), Column("Source"),
    ]  # fmt: skip
    return Table("Participation par année", "participation-annee",
                 "Participation des habitants par quartier et par année (un événement partagé "
                 "compte dans chaque quartier, ses participants sont répartis)", columns, rows)  # fmt: skip


def par_dispositif_quartier(obs: Any, qs: list[Any]) -> Table | Absent:
    """Événements et participants par dispositif, pour chaque quartier."""
    name = "Dispositifs par quartier" if len(qs) > 1 else "Participation par dispositif"
    if obs.evenements.empty:
        return Absent(name, section.NO_DATA)
    api, rows = obs.participation, []
    for q in qs:
        d = api.par_dispositif(quartier=q.code)
        for r in d.itertuples(index=False):
            count, status = _count(r.participants, api.seuil)
            label = "non renseigné" if is_missing(r.dispositif) else str(r.dispositif)
            rows.append(_q(q) + [label, int(r.evenements), count, status, _source(obs)])
    if not rows:
        return Absent(name, "Aucun événement de participation ne concerne ce quartier.")
    columns = Q_COLUMNS + [
        Column("Dispositif"), Column("Événements", "entier"), Column("Participants", "entier"),
        Column("Statut"), Column("Source"),
    ]  # fmt: skip
    return Table(name, "participation-dispositif", "Participation par dispositif et par quartier",
                 columns, rows)  # fmt: skip


ENSEMBLE = SimpleNamespace(code="ensemble", nom="Ensemble des quartiers du territoire")


def representativite(obs: Any, qs: list[Any], ensemble: bool = False) -> Table | Absent:
    """Part de chaque groupe parmi les participants et dans la population (secret appliqué).

    ``ensemble`` : d'abord les lignes de l'ensemble des quartiers (rapport d'évaluation)."""
    name = "Représentativité"
    if obs.evenements.empty:
        return Absent(name, section.NO_DATA)
    api, rows = obs.participation, []
    for q in ([ENSEMBLE] if ensemble else []) + list(qs):
        code = None if q is ENSEMBLE else q.code
        if code is not None and api.evenements(code).empty:
            continue
        rep = api.representativite(code)
        known = rep[rep["part_population"].notna()] if len(rep) else rep
        if known.empty or known["participants_connus"].isna().all():
            continue  # le tableau de bord dit : non calculable (ventilations absentes)
        for r in known.itertuples(index=False):
            shown = str(r.affichage or "")
            share = shown or (
                "n.d." if is_missing(r.part_participants) else float(r.part_participants)
            )
            ratio = MASKED if shown else ("n.d." if is_missing(r.rapport) else float(r.rapport))
            status = (f"masqué : moins de {api.seuil} personnes" if shown.startswith("<")
                      else SECONDARY if shown else "")  # fmt: skip
            rows.append(_q(q) + [str(r.libelle), share, float(r.part_population), ratio,
                                 status, _source(obs)])  # fmt: skip
    if not rows:
        return Absent(name, "La représentativité des participants n'est pas calculable "
                      "(ventilations par âge et par sexe absentes ou trop petites).")  # fmt: skip
    columns = Q_COLUMNS + [
        Column("Groupe"), Column("Part parmi les participants (%)", "fraction"),
        Column("Part dans la population (%)", "fraction"), Column("Rapport", "ratio"),
        Column("Statut"), Column("Source"),
    ]  # fmt: skip
    return Table(name, "representativite", "Représentativité des participants (rapport 1 = "
                 "présent comme dans la population)", columns, rows)  # fmt: skip


def evaluation(obs: Any, p: Any) -> list[Table | Absent]:
    """Participation par quartier et par dispositif sur la période du rapport d'évaluation.

    Mêmes totaux que la section du rapport (somme des années, taux annuel moyen)."""
    names = ("Participation par quartier", "Participation par dispositif")
    if obs.evenements.empty:
        return [Absent(n, section.NO_DATA) for n in names]
    api, seuil = obs.participation, obs.participation.seuil
    years = [y for y in p.annees if y in set(obs.evenements["annee"].dropna().astype(int))]
    if not years:
        reason = f"Aucun événement de participation entre {p.debut} et {p.fin}."
        return [Absent(n, reason) for n in names]
    codes = list(obs.quartiers["code"])
    frames = [api.par_quartier(annee=y) for y in years]
    data = pd.concat(frames, ignore_index=True)
    data = data[data["quartier"].isin(codes)]
    out: list[Table | Absent] = []
    if data.empty:
        out.append(Absent(names[0], "Aucun événement de participation ne concerne les quartiers."))
    else:
        grouped = data.groupby(["quartier", "nom"], sort=True).agg(
            evenements=("evenements", "sum"),
            participants=("participants", lambda s: s.sum(min_count=1)),
        ).reset_index()  # fmt: skip
        grouped["population"] = grouped["quartier"].map(
            frames[-1].set_index("quartier")["population"]
        )
        grouped["taux"] = grouped["participants"] / grouped["population"] * 1000 / len(years)
        rows = []
        for r in grouped.itertuples(index=False):
            count, status = _count(r.participants, seuil)
            rows.append([r.quartier, str(r.nom), int(r.evenements), count,
                         _rate(r.participants, r.taux, seuil), status, _source(obs)])  # fmt: skip
        columns = Q_COLUMNS + [
            Column("Événements", "entier"), Column("Participants", "entier"),
            Column("Pour 1 000 habitants par an", "decimal1"), Column("Statut"), Column("Source"),
        ]  # fmt: skip
        out.append(Table(names[0], "participation-quartier",
                         f"Participation par quartier, {years[0]}–{years[-1]} (rapport "
                         "d'évaluation)", columns, rows))  # fmt: skip
    device = pd.concat([api.par_dispositif(annee=y) for y in years], ignore_index=True)
    if device.empty:
        out.append(Absent(names[1], "Aucun dispositif renseigné sur la période."))
        return out
    dg = device.groupby("dispositif", sort=True).agg(
        evenements=("evenements", "sum"),
        participants=("participants", lambda s: s.sum(min_count=1)),
    )  # fmt: skip
    rows = []
    for label, r in dg.iterrows():
        count, status = _count(r["participants"], seuil)
        rows.append([str(label), int(r["evenements"]), count, status, _source(obs)])
    columns = [Column("Dispositif"), Column("Événements", "entier"),
               Column("Participants", "entier"), Column("Statut"), Column("Source")]  # fmt: skip
    out.append(Table(names[1], "participation-dispositif-periode",
                     f"Participation par dispositif, {years[0]}–{years[-1]} (rapport "
                     "d'évaluation)", columns, rows))  # fmt: skip
    return out
