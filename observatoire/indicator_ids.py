"""Identifiants d'indicateurs donnés par l'agent : alias et suggestions.

Une commande qui prend un identifiant (``observatoire carte``, ``observatoire
indicateurs``) accepte aussi le nom de la colonne du fichier source (``tp60`` pour la
colonne ``TP60`` associée à ``taux_pauvrete`` dans ``[sources.X] indicateurs``), le
libellé du catalogue (« Taux de pauvreté ») ou l'identifiant écrit autrement
(``TAUX-PAUVRETE``) : casse, accents et séparateurs indifférents, avec une note
« tp60 → taux_pauvrete ». Un nom inconnu donne une erreur qui propose les
identifiants proches (identifiants, libellés et colonnes sources comparés).

Exemple ::

    found = resolve_indicator(obs.catalogue, obs.config, "tp60")
    found.ident   # 'taux_pauvrete'
    found.note    # 'tp60 → taux_pauvrete (colonne TP60 du fichier revenus_2021.csv)'
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from observatoire.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from observatoire.config import Config

LIST_HINT = "Liste complète : observatoire indicateurs --config FICHIER."


@dataclass(frozen=True)
class SourceName:
    """Nom d'un indicateur dans un fichier source (colonne, ou valeur en forme longue)."""

    name: str
    ident: str
    file: str


@dataclass(frozen=True)
class Resolution:
    """Identifiant retenu et, s'il a fallu traduire le nom donné, la note à afficher."""

    ident: str
    note: str | None = None


def compact(text: object) -> str:
    """Forme de comparaison : minuscules, sans accents, espaces ni séparateurs.

    >>> compact("Taux de pauvreté"), compact("TP-60")
    ('tauxdepauvrete', 'tp60')
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def source_names(config: Config | None) -> list[SourceName]:
    """Noms des indicateurs dans les fichiers déclarés (tables ``indicateurs`` des sources)."""
    if config is None:
        return []
    found = []
    for source in config.sources.values():
        mapping = source.get("indicateurs") if source.type == "indicateurs" else None
        if isinstance(mapping, dict):
            found += [SourceName(str(k), str(v), source.label) for k, v in mapping.items()]
    return found


def _columns(names: list[SourceName], limit: int = 3) -> list[str]:
    """« colonne TP60 du fichier a.csv », « colonne X des fichiers a.csv, b.csv » (groupés)."""
    files: dict[str, list[str]] = {}
    for s in names:
        if s.file not in files.setdefault(s.name, []):
            files[s.name].append(s.file)
    out = []
    for name, found in files.items():
        shown = ", ".join(found[:limit]) + (
            f"… ({len(found)} fichiers)" if len(found) > limit else ""
        )
        out.append(
            f"colonne {name} du fichier {shown}"
            if len(found) == 1
            else f"colonne {name} des fichiers {shown}"
        )
    return out


def _labels(catalogue: pd.DataFrame) -> dict[str, str]:
    return {str(r["id"]): str(r["libelle"]) for r in catalogue.to_dict("records")}


def _matches(catalogue: pd.DataFrame, config: Config | None, name: str) -> dict[str, str]:
    """Identifiants dont un alias s'écrit comme ``name`` : identifiant → comment."""
    key = compact(name)
    found: dict[str, str] = {}
    known = set(catalogue["id"])
    hits = [s for s in source_names(config) if compact(s.name) == key and s.ident in known]
    for ident in dict.fromkeys(s.ident for s in hits):
        found[ident] = " ; ".join(_columns([s for s in hits if s.ident == ident]))
    for ident, label in _labels(catalogue).items():
        if compact(ident) == key:
            found.setdefault(ident, "identifiant du catalogue")
        elif compact(label) == key:
            found.setdefault(ident, "libellé du catalogue")
    return found


def suggestions(catalogue: pd.DataFrame, config: Config | None, name: str, n: int = 5) -> list[str]:
    """Identifiants proches de ``name`` (difflib sur identifiants, libellés et colonnes)."""
    candidates: dict[str, list[str]] = {}
    for ident, label in _labels(catalogue).items():
        candidates.setdefault(compact(ident), []).append(ident)
        candidates.setdefault(compact(label), []).append(ident)
    for sname in source_names(config):
        candidates.setdefault(compact(sname.name), []).append(sname.ident)
    close = difflib.get_close_matches(compact(name), list(candidates), n=n * 2, cutoff=0.5)
    out: list[str] = []
    for key in close:
        for ident in candidates[key]:  # un identifiant peut venir de plusieurs fichiers
            if ident not in out:
                out.append(ident)
    return out[:n]


def _describe(catalogue: pd.DataFrame, config: Config | None, ident: str) -> str:
    parts = [_labels(catalogue).get(ident, ident)]
    parts += _columns([s for s in source_names(config) if s.ident == ident])
    return f"{ident} ({' ; '.join(parts)})"


def unknown_indicator_message(catalogue: pd.DataFrame, config: Config | None, name: str) -> str:
    """Message français d'un identifiant inconnu : alias reconnu, sinon identifiants proches."""
    head = f"Indicateur inconnu : « {name} »."
    aliases = _matches(catalogue, config, name)
    if len(aliases) == 1:
        ident, how = next(iter(aliases.items()))
        return f"{head} C'est le nom de l'indicateur « {ident} » ({how}) : donnez son identifiant."
    if aliases:
        listed = ", ".join(f"{i} ({how})" for i, how in aliases.items())
        return f"{head} Ce nom désigne plusieurs indicateurs : {listed} ; donnez l'identifiant."
    close = suggestions(catalogue, config, name)
    hint = (
        " Identifiants proches : " + ", ".join(_describe(catalogue, config, i) for i in close) + "."
        if close
        else ""
    )
    return f"{head}{hint} {LIST_HINT}"


def resolve_indicator(catalogue: pd.DataFrame, config: Config | None, name: str) -> Resolution:
    """Identifiant du catalogue désigné par ``name`` (identifiant, colonne source, libellé).

    Lève :class:`ConfigError` (code 2) si le nom est inconnu ou ambigu, avec les
    identifiants proches.
    """
    if name in set(catalogue["id"]):
        return Resolution(name)
    aliases = _matches(catalogue, config, name)
    if len(aliases) == 1:
        ident, how = next(iter(aliases.items()))
        return Resolution(ident, f"{name} → {ident} ({how})")
    raise ConfigError(unknown_indicator_message(catalogue, config, name))
