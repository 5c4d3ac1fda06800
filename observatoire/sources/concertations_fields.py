"""Cellules propres aux démarches de concertation et à leurs contributions : vocabulaires
(niveau, statut, suite donnée) avec synonymes et ``correspondance_<vocabulaire>``, listes
(dispositifs, publics), examen des textes libres (le dernier rempart des tables produites est
:func:`observatoire.sources.participation_privacy.guarded`).

Exemple ::

    niveaux = Vocabulary.of(source, "niveaux")
    niveaux.resolve("Co-décision")   # 'co-construction'
    split_list("atelier ; balade / questionnaire")   # ['atelier', 'balade', 'questionnaire']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from observatoire.errors import Problem
from observatoire.schemas.democratie import NIVEAUX, STATUTS_DEMARCHE, SUITES
from observatoire.sources.participation_fields import check_aliases
from observatoire.sources.participation_privacy import (
    ignored_columns,
    redaction_warnings,
    scan_cells,
)
from observatoire.sources.participation_read import screen
from observatoire.sources.tabular import normalise_label

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.tabular import RawTable


def vocabulary_key(text: object) -> str:
    """Forme de comparaison d'une valeur : sans accents, majuscules, tirets ni apostrophes."""
    key = normalise_label(str(text or "")).replace("’", "'")
    return " ".join(re.sub(r"[-_'.]", " ", key).split())


# vocabulaire → (valeurs canoniques, synonymes usuels, libellé du message)
VOCABULARIES: dict[str, tuple[tuple[str, ...], dict[str, str], str]] = {
    "niveaux": (
        NIVEAUX,
        {
            "info": "information", "informer": "information", "information du public":
            "information", "consulter": "consultation", "concerter": "concertation",
            "coconstruction": "co-construction", "co construire": "co-construction",
            "co decision": "co-construction", "codecision": "co-construction",
            "co elaboration": "co-construction",
        },
        "niveau de participation",
    ),
    "statuts": (
        STATUTS_DEMARCHE,
        {
            "prevue": "programmée", "a venir": "programmée", "planifiee": "programmée",
            "programme": "programmée", "ouverte": "en cours", "encours": "en cours",
            "close": "terminée", "achevee": "terminée", "cloturee": "terminée",
            "finie": "terminée", "terminee": "terminée", "annulee": "abandonnée",
            "abandon": "abandonnée",
        },
        "statut de démarche",
    ),
    "suites": (
        SUITES,
        {
            "oui": "retenue", "prise en compte": "retenue", "retenu": "retenue",
            "acceptee": "retenue", "partiellement": "partiellement retenue",
            "en partie": "partiellement retenue", "partiellement prise en compte":
            "partiellement retenue", "partiellement retenu": "partiellement retenue",
            "non": "non retenue", "rejetee": "non retenue", "refusee": "non retenue",
            "non retenu": "non retenue", "hors champ": "hors sujet",
        },
        "suite donnée",
    ),
}  # fmt: skip


class Vocabulary:
    """Cellule → valeur canonique d'un vocabulaire (synonymes et correspondance déclarée)."""

    def __init__(self, source: SourceConfig, name: str) -> None:
        values, synonyms, self.label = VOCABULARIES[name]
        self.values = values
        self.option = f"correspondance_{name}"
        self.source_name = source.name
        self.known = {vocabulary_key(v): v for v in values}
        self.known.update({vocabulary_key(k): v for k, v in synonyms.items()})
        for label, target in check_aliases(source, self.option, values).items():
            self.known[vocabulary_key(label)] = target

    @classmethod
    def of(cls, source: SourceConfig, name: str) -> Vocabulary:
        return cls(source, name)

    @property
    def expected(self) -> str:
        return (
            "une valeur parmi : " + ", ".join(self.values) + f" (ou déclarez le libellé du "
            f'fichier : {self.option} = {{ "libellé" = "{self.values[0]}" }} dans '
            f"[sources.{self.source_name}])"
        )

    def resolve(self, text: object) -> str | None:
        """Valeur canonique ; ``None`` pour une cellule vide ; ``ValueError`` si inconnue."""
        key = vocabulary_key(text)
        if not key:
            return None
        if key in self.known:
            return self.known[key]
        raise ValueError(self.expected)


def parse_cell(problems, raw: RawTable, cols: dict[str, str], key: str, i: int, parse,
               message: str):  # fmt: skip
    """Valeur convertie de la cellule, ou ``None`` et anomalie ``message`` (la valeur trouvée
    et ce qui est attendu : le texte de la ``ValueError`` levée par ``parse``)."""
    text = str(raw.frame.iloc[i][cols[key]]) if key in cols else ""
    try:
        return parse(text)
    except ValueError as exc:
        problems.add(message, row=raw.rows[i], column=cols[key], found=text.strip(),
                     expected=str(exc))  # fmt: skip
        return None


def usual_headers(candidates: list[str], count: int = 3) -> str:
    """« « N° », « Identifiant » » : en-têtes usuels cités dans un message."""
    return ", ".join(f"« {c[:1].upper() + c[1:]} »" for c in candidates[:count])


_LIST_SPLIT = re.compile(r"\s*[;,/]\s*")


def split_list(text: object) -> list[str]:
    """« atelier ; balade urbaine / questionnaire » → libellés distincts, dans l'ordre."""
    out: dict[str, str] = {}
    for part in _LIST_SPLIT.split(str(text or "").strip()):
        part = " ".join(part.split())
        if part and vocabulary_key(part) not in out:
            out[vocabulary_key(part)] = part
    return list(out.values())


def screen_texts(
    source: SourceConfig,
    raw: RawTable,
    cols: dict[str, str],
    kept: Mapping[str, Mapping[str, bool]],
    unkept: Mapping[str, Mapping[str, bool]],
    warnings: list[Problem],
) -> set[str]:
    """Examen des données personnelles du fichier (refus, ou avertissements avec
    ``pseudonymiser = true``) ; ``kept`` : textes repris, ``unkept`` : textes examinés mais
    non repris. Renvoie les colonnes reprises faites de noms (à remplacer entièrement)."""
    found = screen(source, raw, cols, free_text={**kept, **unkept})
    kept_cols = {cols[k] for k in kept if k in cols}
    name_cols = {i.column for i in found if i.column in kept_cols}
    if source.get("pseudonymiser", False):
        for group, is_kept in ((kept, True), (unkept, False)):
            columns = {cols[k]: o for k, o in group.items() if k in cols}
            warnings.extend(redaction_warnings(source, scan_cells(raw, columns), is_kept))
    warnings.extend(ignored_columns(source, found, name_cols))
    return name_cols
