"""Lecture des cellules propres à la participation : quartiers, dispositifs, effectifs,
sexe, tranches d'âge. Chaque fonction renvoie une valeur ou lève ``ValueError``
avec la description française de ce qui est attendu.

Exemple ::

    resolver = QuartierResolver(source, ctx.tables.get("territoires"), generation=2024)
    resolver.resolve("QN00001A ; Les Hauts de Brume")   # ['QN00001A', 'QN00002A']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import Problem
from observatoire.schemas.participation import COLONNES_AGE, DISPOSITIFS_PAR_DEFAUT, TRANCHES_AGE
from observatoire.sources.tabular import normalise_label
from observatoire.sources.values import check_code, parse_code, parse_number_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

# valeurs qui désignent un événement à l'échelle de tout le territoire (pas un quartier)
HORS_QUARTIER = {
    "", "-", "tous", "toutes", "tous quartiers", "tous les quartiers", "tous les qpv",
    "ensemble", "ensemble du territoire", "territoire", "hors quartier", "hors qpv",
    "toute la ville", "ville", "agglomeration", "intercommunal", "commune",
    "tout le territoire",
}  # fmt: skip
_SPLIT = re.compile(r"\s*[;,+|]\s*")


def _option_table(source: SourceConfig, key: str) -> dict[str, object]:
    value = source.get(key, {}) or {}
    if not isinstance(value, Mapping):
        raise source.error("doit être une table", key, value, f'{key} = {{ "libellé" = "…" }}')
    return dict(value)


class QuartierResolver:
    """Cellule « quartier(s) » → codes QPV connus (par code ou par nom déclaré)."""

    def __init__(
        self, source: SourceConfig, territoires: pd.DataFrame | None, generation: int = 2024
    ) -> None:
        self.mapping = {
            normalise_label(k): v
            for k, v in _option_table(source, "correspondance_quartiers").items()
        }
        self.codes: set[str] = set()
        self.names: dict[str, str] = {}
        if territoires is not None and len(territoires):
            qpv = territoires[territoires["niveau"] == "qpv"]
            self.codes = set(qpv["code"].astype(str))
            ordered = qpv.assign(_cur=qpv["generation"] == generation).sort_values("_cur")
            for code, nom in zip(ordered["code"], ordered["nom"], strict=True):
                if isinstance(nom, str):
                    self.names[normalise_label(nom)] = str(code)

    @property
    def expected(self) -> str:
        known = sorted(self.codes)[:4]
        example = ", ".join(known) if known else "QN00001A"
        return (
            f"un code QPV connu ({example}…), un nom de quartier du territoire ou déclaré "
            "dans correspondance_quartiers, ou vide pour tout le territoire"
        )

    def resolve_one(self, part: str) -> list[str]:
        key = normalise_label(part)
        if key in self.mapping:
            target = self.mapping[key]
            targets = target if isinstance(target, list) else _SPLIT.split(str(target))
            return [parse_code(t) for t in targets if str(t).strip()]
        if key in HORS_QUARTIER:
            return []
        code = parse_code(part)
        if check_code(code, "qpv") is None and (not self.codes or code in self.codes):
            return [code]
        if key in self.names:
            return [self.names[key]]
        raise ValueError(self.expected)

    def resolve(self, text: object) -> list[str]:
        """Codes des quartiers d'une cellule (plusieurs séparés par « ; » ou « , »)."""
        raw = "" if text is None else str(text).strip()
        key = normalise_label(raw)
        if key in self.mapping or key in self.names:  # nom contenant une virgule
            return self.resolve_one(raw)
        codes: list[str] = []
        for part in _SPLIT.split(raw):
            for code in self.resolve_one(part):
                if code not in codes:
                    codes.append(code)
        return codes


class DispositifResolver:
    """Cellule « dispositif » → libellé de la liste configurée (``dispositifs``)."""

    def __init__(self, source: SourceConfig) -> None:
        labels = source.get("dispositifs") or list(DISPOSITIFS_PAR_DEFAUT)
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise source.error("doit être une liste de libellés", "dispositifs", labels)
        self.labels = {normalise_label(x): x for x in labels}
        self.aliases: dict[str, str] = {}
        for alias, target in _option_table(source, "correspondance_dispositifs").items():
            if normalise_label(str(target)) not in self.labels:
                raise source.error(
                    "dispositif cible absent de la liste « dispositifs »",
                    "correspondance_dispositifs",
                    target,
                    "un de : " + ", ".join(labels),
                )
            self.aliases[normalise_label(alias)] = self.labels[normalise_label(str(target))]

    @property
    def expected(self) -> str:
        return "un dispositif de la liste configurée : " + ", ".join(self.labels.values())

    def resolve(self, text: object) -> str:
        key = normalise_label(str(text or "").strip())
        if key in self.labels:
            return self.labels[key]
        if key in self.aliases:
            return self.aliases[key]
        raise ValueError(self.expected)


COUNT_EXPECTED = "un nombre entier de personnes, positif ou nul (vide si inconnu)"


def parse_count(text: object) -> int | None:
    """Effectif de personnes : entier ≥ 0 ; vide ou marqueur (nd, s…) → None."""
    try:
        value, status, _ = parse_number_cell(text)
    except ValueError:
        raise ValueError(COUNT_EXPECTED) from None
    if status != "ok" or value is None:
        return None
    if value < 0 or not float(value).is_integer():
        raise ValueError(COUNT_EXPECTED)
    return int(value)


_SEXES = {
    "f": "F", "femme": "F", "feminin": "F", "mme": "F", "madame": "F", "fille": "F",
    "h": "H", "homme": "H", "masculin": "H", "m": "H", "m.": "H", "monsieur": "H",
    "garcon": "H",
}  # fmt: skip
_UNKNOWN = {"", "nd", "na", "?", "inconnu", "non renseigne", "ne se prononce pas", "autre", "x"}
SEXE_EXPECTED = "F ou H (femme, homme), vide si non renseigné"


def parse_sexe(text: object) -> str | None:
    key = normalise_label(str(text or "").strip())
    if key in _UNKNOWN:
        return None
    if key in _SEXES:
        return _SEXES[key]
    raise ValueError(SEXE_EXPECTED)


_BAND_BOUNDS = [(lo, hi, band) for band, (lo, hi) in {
    "0-14": (0, 14), "15-29": (15, 29), "30-44": (30, 44),
    "45-59": (45, 59), "60-74": (60, 74), "75+": (75, 130),
}.items()]  # fmt: skip
TRANCHE_EXPECTED = "une tranche d'âge : " + ", ".join(TRANCHES_AGE) + " (ou un âge en années)"


def band_of_age(age: float) -> str:
    for lo, hi, band in _BAND_BOUNDS:
        if lo <= age <= hi:
            return band
    raise ValueError("un âge entre 0 et 130 ans")


def parse_tranche(text: object, aliases: Mapping[str, str] | None = None) -> str | None:
    """« 15-29 », « 15 à 29 ans », « moins de 15 ans », « 75 ans et plus » → tranche canonique."""
    raw = str(text or "").strip()
    key = normalise_label(raw)
    if key in _UNKNOWN:
        return None
    for alias, band in (aliases or {}).items():
        if normalise_label(alias) == key:
            return band
    numbers = [int(n) for n in re.findall(r"\d+", key)]
    if "moins" in key and numbers == [15]:
        return "0-14"
    if numbers and ("plus" in key or "+" in key or ">" in key) and len(numbers) == 1:
        return _exact(numbers[0], None)
    if len(numbers) == 2:
        return _exact(numbers[0], numbers[1])
    if len(numbers) == 1 and re.fullmatch(r"\d+( ans)?", key):
        return band_of_age(numbers[0])
    raise ValueError(TRANCHE_EXPECTED)


def _exact(lo: int, hi: int | None) -> str:
    for a, b, band in _BAND_BOUNDS:
        if a == lo and (hi is None and b == 130 or b == hi):
            return band
    raise ValueError(TRANCHE_EXPECTED + " ; les tranches du fichier doivent suivre la pyramide")


def check_aliases(source: SourceConfig, key: str, allowed: Iterable[str]) -> dict[str, str]:
    """Table d'options ``libellé → valeur`` dont les valeurs sont dans ``allowed``."""
    allowed = list(allowed)
    table = _option_table(source, key)
    for label, target in table.items():
        if target not in allowed:
            raise source.error(f"valeur invalide pour « {label} »", key, target, ", ".join(allowed))
    return {str(k): str(v) for k, v in table.items()}


def warning(source: SourceConfig, line: int | None, column: str | None, message: str) -> Problem:
    """Avertissement localisé (les données restent utilisables)."""
    return Problem(source.label, message, row=line, column=column, severity="avertissement")


def event_frame(records: list[dict], source_name: str) -> pd.DataFrame:
    """Enregistrements d'événements → table ``evenements`` typée."""
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        from observatoire.schemas import empty_table

        return empty_table("evenements")
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["annee"] = frame["date"].dt.year.astype(int)
    for col in ["participants", "femmes", "hommes", "habitants_qpv", *COLONNES_AGE.values()]:
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    if "demarche" not in frame.columns:  # Decidim : aucune démarche déclarée
        frame["demarche"] = None
    for col in ("quartiers", "titre", "lieu", "demarche"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["source"] = source_name
    frame["ligne"] = pd.array(frame["ligne"].tolist(), dtype="Int64")
    return frame
