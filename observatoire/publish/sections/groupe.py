"""Quartiers de comparaison d'un tableau de bord : tout le territoire, ou son voisinage.

Sur un territoire de quelques dizaines de quartiers, un quartier se compare à tous
les autres. À l'échelle nationale (≈ 1 600 quartiers), un graphique ou une carte de
tous les quartiers serait illisible et lent : on se limite aux quartiers du même EPCI,
sinon du même département, sinon de la même commune (au plus :data:`MAX_GROUP`).

Exemple ::

    groupe = comparaison(obs, q)          # Groupe(codes=[…], libelle="quartiers de …")
    vue = GroupView(obs, groupe.codes)     # mêmes attributs que obs, restreints au groupe
    IndicatorsAPI(vue).carte("taux_pauvrete", surligner=q.code)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from observatoire.analysis.gaps import split_communes
from observatoire.publish.sections import cached, quartiers, territory_names

MAX_GROUP = 60


@dataclass(frozen=True)
class Groupe:
    """Codes des quartiers de comparaison (le quartier compris) et leur description
    sans article (« quartiers du territoire ») : « dans les … », « carte des … »."""

    codes: tuple[str, ...]
    libelle: str


def comparaison(obs: Any, q: Any) -> Groupe:
    """Groupe de comparaison du quartier ``q`` (voir le module), calculé une fois par quartier."""
    key = ("comparaison", q.code, MAX_GROUP)  # le groupe dépend aussi de la taille maximale
    return cached(obs, key, lambda: _comparaison(obs, q))


def _comparaison(obs: Any, q: Any) -> Groupe:
    table = quartiers(obs)
    if len(table) <= MAX_GROUP:
        return Groupe(tuple(table["code"]), "quartiers du territoire")
    row = table[table["code"] == q.code].iloc[0]
    names = territory_names(obs)
    for column, niveau, label in (
        ("epci", "epci", "de l'intercommunalité"),
        ("departement", "departement", "du département"),
    ):
        value = row.get(column)
        if value is None or value != value:
            continue
        group = table[table[column] == value]
        if 2 <= len(group) <= MAX_GROUP:
            name = names.get((niveau, value), value)
            return Groupe(tuple(group["code"]), f"quartiers {label} {name}")
    mine = set(q.communes)
    same = table[table["communes"].map(lambda t: bool(set(split_communes(t)) & mine))]
    codes = [q.code] + [c for c in same["code"] if c != q.code][: MAX_GROUP - 1]
    return Groupe(tuple(codes), "quartiers de sa commune")


class GroupView:
    """Le territoire restreint à un groupe de quartiers (quartiers, contours, communes)."""

    def __init__(self, obs: Any, codes: tuple[str, ...] | list[str]) -> None:
        self._obs = obs
        keep = set(codes)
        table = quartiers(obs)
        self.quartiers = table[table["code"].isin(keep)].reset_index(drop=True)
        self.contours = obs.contours[obs.contours["code"].isin(keep)]
        communes = {c for t in self.quartiers["communes"] for c in split_communes(t)}
        cc = obs.communes_contours
        self.communes_contours = cc[cc["code"].isin(communes)] if len(cc) else cc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obs, name)
