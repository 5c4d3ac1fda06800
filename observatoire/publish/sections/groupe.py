"""Quartiers de comparaison d'un tableau de bord : tout le territoire, ou son voisinage.

Sur un territoire de quelques dizaines de quartiers, un quartier se compare à tous
les autres. À l'échelle nationale (≈ 1 600 quartiers), un graphique ou une carte de
tous les quartiers serait illisible et lent : on se limite aux quartiers du même EPCI,
sinon du même département, sinon de la même commune, sinon (rattachements inconnus) les
plus proches d'après les contours (au plus :data:`MAX_GROUP`). Un rattachement sans nom
connu est désigné par son code, jamais par ``None``.

Exemple ::

    groupe = comparaison(obs, q)          # Groupe(codes=[…], libelle="quartiers de …")
    vue = GroupView(obs, groupe.codes)     # mêmes attributs que obs, restreints au groupe
    IndicatorsAPI(vue).carte("taux_pauvrete", surligner=q.code)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from observatoire.analysis.gaps import split_communes
from observatoire.cog import LEVEL_LABELS
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
    for column, niveau, label in (
        ("epci", "epci", "de l'intercommunalité"),
        ("departement", "departement", "du département"),
    ):
        value = row.get(column)
        if not _known(value):
            continue
        group = table[table[column] == value]
        if 2 <= len(group) <= MAX_GROUP:
            return Groupe(tuple(group["code"]), f"quartiers {label} {_name(obs, niveau, value)}")
    mine = set(q.communes)
    same = table[table["communes"].map(lambda t: bool(set(split_communes(t)) & mine))]
    codes = [q.code] + [c for c in same["code"] if c != q.code][: MAX_GROUP - 1]
    if len(codes) < 2 and (near := _nearest(obs, q.code)):
        return Groupe(tuple(near), "quartiers les plus proches")
    return Groupe(tuple(codes), "quartiers de sa commune")


def _known(value: Any) -> bool:
    """Code de rattachement renseigné (ni vide, ni ``None``, ``NaN`` ou ``<NA>``)."""
    return isinstance(value, str) and value.strip() != ""


def _name(obs: Any, niveau: str, code: str) -> str:
    """Nom du territoire (fichiers, puis COG embarqué), sinon son code seul : « du département
    65 », jamais « du département département 65 » ni « None »."""
    names = territory_names(obs)
    nom = names.get((niveau, code))
    if isinstance(nom, str) and nom.strip():
        return nom
    shown = obs.nom(niveau, code)
    return code if shown == f"{LEVEL_LABELS.get(niveau, niveau)} {code}" else shown


def _nearest(obs: Any, code: str) -> list[str]:
    """Le quartier et ses plus proches voisins (centres des contours), faute de rattachement."""
    contours = obs.contours
    if not len(contours) or code not in set(contours["code"]):
        return []
    centres = contours.drop_duplicates("code").set_index("code").geometry.centroid
    distances = centres.distance(centres.loc[code]).sort_values(kind="stable")
    return [code] + [c for c in distances.index if c != code][: MAX_GROUP - 1]


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
