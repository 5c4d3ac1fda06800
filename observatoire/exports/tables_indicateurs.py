"""Tableaux des indicateurs : valeurs canoniques, portrait, écarts, rangs, évolutions.

Mêmes appels que les sections du tableau de bord (:mod:`observatoire.publish.sections.quartier`
et ``evolution``) : ``obs.indicateurs.code_values``, ``ecarts``, ``rangs``, ``evolution``,
mêmes choix (dernier millésime ≤ celui du tableau de bord, écarts hors effectifs).

Exemple ::

    q = quartier.contexte(obs, "QN00001A", None)
    portrait(obs, [q])        # Table « Portrait »
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.analysis.gaps import REFERENCE_LABELS
from observatoire.analysis.ranks import RANK_COLUMNS
from observatoire.exports.tables_model import (
    Absent,
    Column,
    Table,
    Value,
    gap_kind,
    is_missing,
    number_or,
    status_text,
    unit_kind,
    value_cell,
    yes_no,
)
from observatoire.publish import credits
from observatoire.publish.sections import cached, catalogue_index, fictif_suffix
from observatoire.publish.sections.evolution import EVOLUTION_INDICATORS
from observatoire.publish.sections.quartier import KEY_INDICATORS, latest_values

LEVELS = {**REFERENCE_LABELS, "qpv": "Quartier prioritaire"}
Q_COLUMNS = [Column("Code quartier"), Column("Quartier")]


class Sources:
    """Lignes « Source » des tableaux (producteur, millésime, traitement), calculées une fois."""

    def __init__(self, obs: Any) -> None:
        self.obs = obs
        self._figure: dict[tuple[str, int], str] = {}
        self._files: dict[tuple[str, str], str] = {}

    def figure(self, indicateur: str, annee: object) -> str:
        key = (str(indicateur), int(annee))  # type: ignore[call-overload]
        if key not in self._figure:
            self._figure[key] = credits.figure_source(self.obs, key[0], key[1])
        return self._figure[key]

    def row(self, source: object, indicateur: str) -> str:
        """Producteur du fichier d'une valeur (sinon source du catalogue) et nom du fichier."""
        key = (credits.clean(source), str(indicateur))
        if key not in self._files:
            prod = credits.producers_of_sources(self.obs, [key[0]], [key[1]])[0]
            where = f" ({key[0]})" if key[0] else ""
            self._files[key] = prod + where + fictif_suffix(self.obs)
        return self._files[key]


def _label(obs: Any, ind: str) -> str:
    return str(catalogue_index(obs)["libelle"].get(ind, ind))


def _unit(obs: Any, ind: str) -> Any:
    return catalogue_index(obs)["unite"].get(ind)


def _order(obs: Any) -> dict[str, int]:
    return {ind: i for i, ind in enumerate(catalogue_index(obs).index)}


def valeurs(obs: Any, codes: list[str] | None, src: Sources) -> Table | Absent:
    """Valeurs canoniques (``obs.valeurs``) : de ces territoires, ou toutes (``None``)."""
    v = obs.valeurs if codes is None else obs.indicateurs.values_of(codes)
    if v.empty:
        return Absent("Valeurs", "Aucune valeur d'indicateur n'est chargée pour ce territoire.")
    name = obs.indicateurs.nom
    rows = []
    for r in v.itertuples(index=False):
        unit = _unit(obs, r.indicateur)
        rows.append([
            r.code, name(r.code), LEVELS.get(r.niveau, r.niveau), r.indicateur,
            _label(obs, r.indicateur), int(r.annee), value_cell(r.valeur, unit, r.statut),
            credits.clean(unit), status_text(r.valeur, r.statut), credits.clean(r.tranche),
            None if is_missing(r.numerateur) else r.numerateur,
            None if is_missing(r.denominateur) else r.denominateur,
            src.row(r.source, r.indicateur),
        ])  # fmt: skip
    columns = [
        Column("Code"), Column("Territoire"), Column("Niveau"), Column("Indicateur (identifiant)"),
        Column("Indicateur"), Column("Millésime", "annee"), Column("Valeur", "nombre"),
        Column("Unité"), Column("Statut"), Column("Tranche"), Column("Numérateur", "nombre"),
        Column("Dénominateur", "nombre"), Column("Source"),
    ]  # fmt: skip
    what = ("toutes les lignes chargées : quartiers et territoires de référence" if codes is None
            else "lignes du quartier")  # fmt: skip
    table = Table("Valeurs", "valeurs", f"Valeurs canoniques des indicateurs ({what}, tous "
                  "millésimes)", columns, rows, set(v["indicateur"]))  # fmt: skip
    return table.drop_empty_columns(("Tranche", "Numérateur", "Dénominateur"))


def portrait(obs: Any, qs: list[Any], src: Sources) -> Table | Absent:
    """Chiffres clés du portrait : dernière valeur (≤ millésime du tableau de bord)."""
    rows, used = [], set()
    for q in qs:
        values = latest_values(obs, q.code, q.millesime)
        for ind in KEY_INDICATORS:
            if ind not in values.index:
                continue
            r = values.loc[ind]
            unit = _unit(obs, ind)
            used.add(ind)
            rows.append([
                q.code, q.nom, _label(obs, ind), ind, int(r["annee"]),
                value_cell(r["valeur"], unit, r["statut"]), credits.clean(unit),
                status_text(r["valeur"], r["statut"]), src.figure(ind, r["annee"]),
            ])  # fmt: skip
    if not rows:
        return Absent("Portrait", "Aucun indicateur n'est disponible pour ce quartier.")
    columns = Q_COLUMNS + [
        Column("Indicateur"), Column("Indicateur (identifiant)"), Column("Millésime", "annee"),
        Column("Valeur", "nombre"), Column("Unité"), Column("Statut"), Column("Source"),
    ]  # fmt: skip
    return Table("Portrait", "portrait", "Chiffres clés du portrait de chaque quartier "
                 "(dernier millésime disponible)", columns, rows, used)  # fmt: skip


def _latest(frame: pd.DataFrame, millesime: int | None) -> pd.DataFrame:
    """Lignes du dernier millésime de chaque indicateur, au plus tard ``millesime``."""
    if millesime is not None and len(frame):
        frame = frame[frame["annee"] <= millesime]
    if frame.empty:
        return frame
    return frame[frame["annee"] == frame.groupby("indicateur")["annee"].transform("max")]


def ecarts(obs: Any, qs: list[Any], src: Sources) -> Table | Absent:
    """Écarts aux références (tableau du tableau de bord : dernier millésime, hors effectifs)."""
    api, order, rows, used = obs.indicateurs, _order(obs), [], set()
    for q in qs:
        latest = _latest(api.ecarts(q.code), q.millesime)
        if latest.empty:
            continue
        latest = latest[latest["unite"] != "nombre"]
        latest = latest.assign(_o=latest["indicateur"].map(order)).sort_values("_o", kind="stable")
        for r in latest.itertuples(index=False):
            used.add(r.indicateur)
            gap = (
                "non calculable"
                if is_missing(r.ecart)
                else Value(float(r.ecart), gap_kind(r.unite))
            )
            rows.append([
                q.code, q.nom, _label(obs, r.indicateur), r.indicateur, int(r.annee),
                value_cell(r.valeur, r.unite, r.statut), status_text(r.valeur, r.statut),
                REFERENCE_LABELS.get(r.reference, r.reference), credits.clean(r.reference_nom),
                value_cell(r.reference_valeur, r.unite, r.reference_statut),
                status_text(r.reference_valeur, r.reference_statut), gap, yes_no(r.defavorable),
                credits.clean(r.unite), credits.clean(r.note), src.figure(r.indicateur, r.annee),
            ])  # fmt: skip
    if not rows:
        return Absent(
            "Écarts", "Aucun écart aux territoires de référence n'est calculable pour ce quartier."
        )
    columns = Q_COLUMNS + [
        Column("Indicateur"), Column("Indicateur (identifiant)"), Column("Millésime", "annee"),
        Column("Valeur du quartier", "nombre"), Column("Statut du quartier"),
        Column("Référence"), Column("Territoire de référence"),
        Column("Valeur de la référence", "nombre"), Column("Statut de la référence"),
        Column("Écart à la référence", "nombre"), Column("Défavorable au quartier"),
        Column("Unité"), Column("Note"), Column("Source"),
    ]  # fmt: skip
    table = Table("Écarts", "ecarts", "Écarts de chaque quartier à ses territoires de référence "
                  "(en points pour un taux ; dernier millésime de chaque indicateur)",
                  columns, rows, used)  # fmt: skip
    return table.drop_empty_columns(("Note",))


def rangs(obs: Any, qs: list[Any], src: Sources) -> Table | Absent:
    """Rangs parmi les quartiers du territoire (1 = le plus défavorable), dernier millésime."""
    api, rows, used = obs.indicateurs, [], set()
    if len(qs) == 1:  # un quartier : la table des rangs déjà calculée (mêmes rangs)
        all_ranks = api.position(qs[0].code, qs[0].millesime)[RANK_COLUMNS]
    else:
        all_ranks = api.rangs()
    by_code = dict(iter(all_ranks.groupby("code", sort=False)))
    order = _order(obs)
    for q in qs:
        mine = _latest(by_code.get(q.code, all_ranks.iloc[:0]), q.millesime)
        mine = mine.assign(_o=mine["indicateur"].map(order)).sort_values("_o", kind="stable")
        for r in mine.itertuples(index=False):
            unit = _unit(obs, r.indicateur)
            used.add(r.indicateur)
            rows.append([
                q.code, q.nom, _label(obs, r.indicateur), r.indicateur, int(r.annee),
                value_cell(r.valeur, unit, r.statut), status_text(r.valeur, r.statut),
                number_or(r.rang, "non classé"), number_or(r.n_classes),
                yes_no(r.ex_aequo) if not is_missing(r.rang) else "",
                number_or(r.rang_tous, "non classé"), number_or(r.n_tous), credits.clean(r.sens),
                src.figure(r.indicateur, r.annee),
            ])  # fmt: skip
    if not rows:
        return Absent("Rangs", "Aucun rang n'est calculable pour ces quartiers.")
    columns = Q_COLUMNS + [
        Column("Indicateur"), Column("Indicateur (identifiant)"), Column("Millésime", "annee"),
        Column("Valeur", "nombre"), Column("Statut"), Column("Rang", "entier"),
        Column("Quartiers classés", "entier"), Column("Ex aequo"),
        Column("Rang (même génération)", "entier"),
        Column("Quartiers classés (même génération)", "entier"), Column("Sens du rang"),
        Column("Source"),
    ]  # fmt: skip
    return Table("Rangs", "rangs", "Rang de chaque quartier parmi les quartiers du territoire "
                 "(1 = situation la plus défavorable ; dernier millésime)", columns, rows, used)  # fmt: skip


def position(obs: Any, qs: list[Any], src: Sources) -> Table | Absent:
    """Position du tableau de bord : rang, médiane et ensemble des quartiers (agrégat)."""
    from observatoire.publish.sections.position import position_table

    rows, used = [], set()
    for q in qs:
        p = position_table(obs, q)
        for r in p.itertuples(index=False):
            unit = _unit(obs, r.indicateur)
            used.add(r.indicateur)
            ranked = r.statut == "ok" and not is_missing(r.rang)
            rows.append([
                q.code, q.nom, _label(obs, r.indicateur), r.indicateur, int(r.annee),
                value_cell(r.valeur, unit, r.statut), status_text(r.valeur, r.statut),
                r.rang if ranked else "non classé", yes_no(r.ex_aequo) if ranked else "",
                number_or(r.n_classes), number_or(r.n_quartiers),
                value_cell(r.mediane, unit, "ok"), value_cell(r.agregat, unit, "ok"),
                credits.clean(r.methode), number_or(r.n_inclus), number_or(r.exclus_secret),
                number_or(r.exclus_absent), number_or(r.part_population_exclue),
                src.figure(r.indicateur, r.annee),
            ])  # fmt: skip
    if not rows:
        return Absent("Position", "Aucun indicateur n'est disponible pour situer ce quartier "
                      "parmi les autres.")  # fmt: skip
    columns = Q_COLUMNS + [
        Column("Indicateur"), Column("Indicateur (identifiant)"), Column("Millésime", "annee"),
        Column("Valeur", "nombre"), Column("Statut"), Column("Rang", "entier"),
        Column("Ex aequo"), Column("Quartiers classés", "entier"),
        Column("Quartiers du territoire", "entier"), Column("Médiane des quartiers", "nombre"),
        Column("Ensemble des quartiers", "nombre"), Column("Méthode de l'ensemble"),
        Column("Quartiers dans l'ensemble", "entier"), Column("Exclus : secret", "entier"),
        Column("Exclus : non disponibles", "entier"),
        Column("Population laissée de côté (%)", "pourcent"), Column("Source"),
    ]  # fmt: skip
    return Table("Position", "position", "Position de chaque quartier parmi les quartiers du "
                 "territoire (tableau de bord : rang, 1 = situation la plus défavorable ; "
                 "médiane ; ensemble des quartiers, secret exclu)", columns, rows, used)  # fmt: skip


def _statuses(obs: Any, inds: list[str]) -> dict[tuple[str, str, int], tuple[object, object]]:
    """(valeur, statut) de chaque (code, indicateur, millésime) de ces indicateurs."""
    out = {}
    for i in inds:
        v = obs.indicateurs.indicator_values(i)
        for code, year, value, statut in zip(v["code"], v["annee"], v["valeur"], v["statut"],
                                             strict=True):  # fmt: skip
            out[(str(code), i, int(year))] = (value, statut)
    return out


def quartier_evolution(obs: Any, code: str, inds: list[str]) -> pd.DataFrame:
    """Évolutions d'un quartier calculées comme dans son tableau de bord : la même fonction
    sur les seules lignes du quartier et des quartiers que lui lie la correspondance (mêmes
    résultats que ``obs.indicateurs.evolution(code, inds)``, sans refiltrer toute la table)."""
    from observatoire.analysis.evolution import evolution
    from observatoire.publish.sections.evolution import _linked_tables

    valeurs, territoires, links = _linked_tables(obs, code)
    return evolution(valeurs, territoires, links, obs.catalogue, [code], inds, None, None)


def evolutions(obs: Any, qs: list[Any], src: Sources) -> Table | Absent:
    """Évolutions des indicateurs clés entre millésimes non consécutifs (règles INSEE)."""
    api, rows, used = obs.indicateurs, [], set()
    inds = [i for i in EVOLUTION_INDICATORS if len(api.indicator_values(i))]
    known = cached(obs, ("export:statuts", tuple(inds)), lambda: _statuses(obs, inds))
    absent = (None, "absent")
    for q in qs:
        mine = quartier_evolution(obs, q.code, inds) if inds else None
        if mine is None or mine.empty:
            continue
        if q.millesime is not None:
            mine = mine[mine["annee_fin"] <= q.millesime]
        for r in mine.itertuples(index=False):
            unit = _unit(obs, r.indicateur)
            used.add(r.indicateur)
            start = known.get((str(r.code_debut), r.indicateur, int(r.annee_debut)), absent)
            end = known.get((q.code, r.indicateur, int(r.annee_fin)), absent)
            evo = "non mesurable" if is_missing(r.evolution) else Value(
                float(r.evolution), gap_kind(unit))  # fmt: skip
            rel = "non mesurable" if is_missing(r.evolution_relative) else Value(
                float(r.evolution_relative), "pourcent")  # fmt: skip
            rows.append([
                q.code, q.nom, _label(obs, r.indicateur), r.indicateur, int(r.annee_debut),
                int(r.annee_fin), value_cell(start[0], unit, start[1]), status_text(*start),
                value_cell(end[0], unit, end[1]), status_text(*end), evo, rel,
                yes_no(r.defavorable), yes_no(r.traverse_geographie), yes_no(r.comparable),
                credits.clean(r.avertissement), credits.clean(unit),
                src.figure(r.indicateur, r.annee_fin),
            ])  # fmt: skip
    if not rows:
        return Absent(
            "Évolutions",
            "Aucune évolution n'est mesurable pour ce quartier : il faut deux millésimes "
            "non consécutifs d'un même indicateur dans la même géographie.",
        )
    columns = Q_COLUMNS + [
        Column("Indicateur"), Column("Indicateur (identifiant)"), Column("Début", "annee"),
        Column("Fin", "annee"), Column("Valeur de début", "nombre"), Column("Statut de début"),
        Column("Valeur de fin", "nombre"), Column("Statut de fin"),
        Column("Évolution", "nombre"), Column("Évolution relative (%)", "pourcent"),
        Column("Défavorable"), Column("Traverse la géographie"), Column("Comparable"),
        Column("Précautions"), Column("Unité"), Column("Source"),
    ]  # fmt: skip
    return Table("Évolutions", "evolutions", "Évolution des indicateurs clés entre millésimes "
                 "non consécutifs (en points pour un taux)", columns, rows, used)  # fmt: skip


__all__ = ["Sources", "ecarts", "evolutions", "portrait", "rangs", "unit_kind", "valeurs"]
