"""Lecture et validation de ``observatoire.toml`` (le catalogue des données).

L'agent décrit dans ce fichier seul où sont ses fichiers et comment les lire ;
le code ne voit jamais un chemin en dur. Structure ::

    [territoire]
    nom = "Agglomération de Valbrume (données fictives)"
    generation = 2024
    fictif = true
    references = ["commune", "epci", "departement", "france", "ensemble_qpv"]

    [sources.revenus_2021]          # un nom libre par source
    type = "indicateurs"            # famille : voir observatoire.sources.registry
    fichier = "indicateurs/revenus_2021.csv"
    ...                             # options propres au type

Les chemins sont relatifs au dossier du fichier de configuration et doivent
rester dans ce dossier (ou dans ``[projet] dossiers_autorises``, une liste) ; chaque
``fichier`` doit être un fichier ordinaire (ni dossier, ni tube, ni boucle de liens).
Chaque valeur est contrôlée par son type (:mod:`observatoire.config_types`) : une
valeur du mauvais type est refusée comme une clé inconnue, toutes les erreurs à la
fois. ``[territoire] seuil_petits_effectifs`` vaut au moins 5, sauf dérogation
explicite ``sorties_non_publiables = "motif"`` imprimée sur chaque sortie.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatoire.config_paths import file_problem, folder_of, has_control, read_toml, resolve_under
from observatoire.config_types import (
    SECTION_KEYS,
    SOURCE_OPTION_KINDS,
    TERRITORY_KINDS,
    bad_source_name,
    check_value,
    control_characters,
    kind_ok,
)
from observatoire.config_types import shown as shown_value
from observatoire.errors import ConfigError, Problem
from observatoire.schemas.geography import NIVEAUX

TOP_LEVEL_KEYS = {
    "territoire",
    "sources",
    "catalogue",
    "cache",
    "sortie",
    "projet",
    "rapports",
    "panel",
}
TERRITORY_KEYS = {
    "nom",
    "generation",
    "fictif",
    "references",
    "producteur",
    "mention",
    "seuil_petits_effectifs",
    "sorties_non_publiables",
}
COMMON_SOURCE_KEYS = {"type", "fichier", "format", "description", "producteur", "millesime_source"}
DEFAULT_REFERENCES = ["commune", "epci", "departement", "france", "ensemble_qpv"]
REFERENCE_LEVELS = tuple(n for n in NIVEAUX if n != "qpv")  # niveaux de référence
MIN_THRESHOLD, MAX_THRESHOLD = 5, 1000  # seuil des petits effectifs publiables
NON_PUBLIABLE = "Document de travail non publiable"


@dataclass
class SourceConfig:
    """Une source déclarée dans ``[sources.NOM]``."""

    name: str
    type: str
    path: Path | None
    options: dict[str, Any]
    config_file: str

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    @property
    def producteur(self) -> str:
        """Producteur déclaré (``producteur``), chaîne vide s'il ne l'est pas."""
        return _text(self.options.get("producteur"))

    @property
    def millesime(self) -> str:
        """Millésime déclaré (``millesime_source``, sinon ``annee``), chaîne vide sinon."""
        return _text(self.options.get("millesime_source")) or _text(self.options.get("annee"))

    @property
    def label(self) -> str:
        """Nom du fichier tel qu'il apparaît dans les messages."""
        return self.path.name if self.path else self.name

    def error(self, message: str, key: str | None = None, found: Any = None, expected=None):
        """Erreur de configuration localisée dans cette source."""
        where = f"[sources.{self.name}]" + (f" {key}" if key else "")
        return ConfigError(
            f"Configuration invalide ({self.config_file}) : {where} — {message}",
            [Problem(self.config_file, message, column=where, found=found, expected=expected)],
        )


@dataclass
class TerritoryConfig:
    nom: str
    generation: int = 2024
    fictif: bool = False
    references: list[str] = field(default_factory=lambda: list(DEFAULT_REFERENCES))
    producteur: str | None = None
    mention: str | None = None
    seuil_petits_effectifs: int = 5
    non_publiable: str = ""  # mention imprimée sur chaque sortie (dérogation au seuil)


@dataclass
class Config:
    """Configuration complète d'un territoire."""

    path: Path
    root: Path
    territoire: TerritoryConfig
    sources: dict[str, SourceConfig]
    catalogue: dict[str, dict[str, Any]]
    cache_dir: Path
    output_dir: Path
    raw: dict[str, Any]

    def sources_of(self, *types: str) -> list[SourceConfig]:
        """Sources d'un ou plusieurs types, dans l'ordre du fichier."""
        return [s for s in self.sources.values() if s.type in types]

    def section(self, name: str) -> dict[str, Any]:
        """Section libre de premier niveau (ex. ``[rapports]``), vide si absente."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    """Texte déclaré par l'utilisateur, vide s'il ne l'est pas (jamais « None »)."""
    return "" if value is None or isinstance(value, bool) else str(value).strip()


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def load_config(path: str | Path) -> Config:
    """Lit et valide ``observatoire.toml`` ; lève :class:`ConfigError` en français."""
    path = Path(path)
    shown = str(path)
    raw = read_toml(path, shown)
    root = path.resolve().parent
    problems: list[Problem] = []

    def bad(where: str, message: str, found=None, expected=None) -> None:
        problems.append(Problem(shown, message, column=where, found=found, expected=expected))

    control_characters(raw, bad)
    for key, value in raw.items():
        if key not in TOP_LEVEL_KEYS:
            bad(key, "section inconnue" + _suggest(key, TOP_LEVEL_KEYS), found=key)
        elif not isinstance(value, dict):
            bad(key, f"la clé « {key} » doit être une section [{key}]", shown_value(value),
                f"une section [{key}] (table)")  # fmt: skip
    territoire = _territory(_table(raw, "territoire"), bad)
    sections = {name: _section(raw, name, bad) for name in SECTION_KEYS}
    allowed_roots = [root]
    for i, rel in enumerate(sections["projet"].get("dossiers_autorises", []) or []):
        folder = resolve_under(root, rel)
        where = f"[projet] dossiers_autorises[{i + 1}]"
        if folder is None:
            bad(where, "chemin illisible (boucle de liens symboliques)", rel)
        elif folder == Path(folder.anchor):
            bad(where, "la racine du disque ne peut pas être autorisée", rel,
                "un dossier précis, ex. \"../partage\"")  # fmt: skip
        else:
            allowed_roots.append(folder)

    def inside(p: Path) -> bool:
        return any(p == r or r in p.parents for r in allowed_roots)

    sources = _sources(raw, root, inside, bad, shown)
    _check_template(sections["rapports"], root, inside, bad)
    catalogue = _table(raw, "catalogue")
    for ident, spec in catalogue.items():
        if not isinstance(spec, dict):
            bad(f"[catalogue] {ident}", "valeur du mauvais type", shown_value(spec),
                f"une section [catalogue.{ident}] (table)")  # fmt: skip
    cache_dir = folder_of(root, sections["cache"], "[cache] dossier", ".cache", bad)
    output_dir = folder_of(root, sections["sortie"], "[sortie] dossier", "reports", bad)
    if problems:
        raise ConfigError(f"Configuration invalide : {shown}", problems)
    return Config(path.resolve(), root, territoire, sources, catalogue, cache_dir, output_dir, raw)


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    return value if isinstance(value, dict) else {}


def _section(raw: dict[str, Any], name: str, bad: Callable) -> dict[str, Any]:
    """Section typée (``[cache]``, ``[sortie]``, ``[projet]``, ``[rapports]``) : les clés
    de mauvais type sont signalées et retirées ; les clés inconnues refusées (sauf
    ``[rapports]``, dont d'autres modules lisent des réglages)."""
    section = _table(raw, name)
    kinds = SECTION_KEYS[name] or {}
    out = {}
    for key, value in section.items():
        where = f"[{name}] {key}"
        if key in kinds:
            if check_value(where, value, kinds[key], bad):
                out[key] = value
        elif name != "rapports":
            bad(where, "clé inconnue" + _suggest(key, kinds), key,
                "une des clés : " + ", ".join(sorted(kinds)))  # fmt: skip
        else:
            out[key] = value
    return out


def _territory(terr_raw: dict[str, Any], bad: Callable) -> TerritoryConfig:
    if not isinstance(terr_raw.get("nom"), str) or not terr_raw["nom"].strip():
        bad("[territoire] nom", "le territoire doit avoir un nom",
            shown_value(terr_raw["nom"]) if "nom" in terr_raw else None, 'nom = "…"')  # fmt: skip
    for key, value in terr_raw.items():
        if key not in TERRITORY_KEYS:
            bad(f"[territoire] {key}", "clé inconnue" + _suggest(key, TERRITORY_KEYS), found=key)
        elif key != "nom" and key in TERRITORY_KINDS:
            check_value(f"[territoire] {key}", value, TERRITORY_KINDS[key], bad)
    generation = terr_raw.get("generation", 2024)
    if generation not in (2015, 2024) or isinstance(generation, bool):
        bad("[territoire] generation", "génération QPV inconnue", shown_value(generation),
            "2015 ou 2024")  # fmt: skip
    references = terr_raw.get("references", DEFAULT_REFERENCES)
    if not isinstance(references, list):
        references = list(DEFAULT_REFERENCES)
    for ref in references:
        if ref not in REFERENCE_LEVELS:
            bad(
                "[territoire] references",
                "niveau de référence inconnu" + _suggest(str(ref), REFERENCE_LEVELS),
                shown_value(ref),
                "un des niveaux : " + ", ".join(REFERENCE_LEVELS),
            )
    seuil, notice = small_cell_threshold(terr_raw, bad)
    mention = _text(terr_raw.get("mention")) if isinstance(terr_raw.get("mention"), str) else ""
    producteur = terr_raw.get("producteur")
    return TerritoryConfig(
        nom=str(terr_raw.get("nom", "")) if isinstance(terr_raw.get("nom"), str) else "",
        generation=int(generation) if generation in (2015, 2024) else 2024,
        fictif=terr_raw.get("fictif") is True,
        references=[r for r in references if r in REFERENCE_LEVELS],
        producteur=_text(producteur)
        if isinstance(producteur, str) and producteur.strip()
        else None,
        mention=" — ".join(p for p in (notice, mention) if p) or None,
        seuil_petits_effectifs=seuil,
        non_publiable=notice,
    )


def small_cell_threshold(terr_raw: dict[str, Any], bad: Callable) -> tuple[int, str]:
    """(seuil, mention « non publiable » ou "") ; un seuil < 5 exige la dérogation
    ``sorties_non_publiables = "motif"``, imprimée alors sur chaque sortie."""
    value = terr_raw.get("seuil_petits_effectifs", MIN_THRESHOLD)
    reason = terr_raw.get("sorties_non_publiables")
    reason = reason.strip() if isinstance(reason, str) else ""
    where = "[territoire] seuil_petits_effectifs"
    if "sorties_non_publiables" in terr_raw and not reason:
        bad("[territoire] sorties_non_publiables", "la dérogation doit dire pourquoi",
            shown_value(terr_raw["sorties_non_publiables"]),
            'un motif, ex. sorties_non_publiables = "contrôle interne des saisies"')  # fmt: skip
    if not kind_ok(value, "entier"):
        return MIN_THRESHOLD, ""  # déjà signalé (valeur du mauvais type)
    if value < 0 or value > MAX_THRESHOLD:
        bad(
            where, "seuil hors des bornes", value, f"un entier de {MIN_THRESHOLD} à {MAX_THRESHOLD}"
        )
        return MIN_THRESHOLD, ""
    if value < MIN_THRESHOLD and not reason:
        bad(
            where,
            f"seuil inférieur à {MIN_THRESHOLD} : des effectifs de 1 à {MIN_THRESHOLD - 1} "
            "personnes seraient publiés",
            value,
            f"un entier ≥ {MIN_THRESHOLD} ; pour un document de travail seulement, une "
            'dérogation explicite : sorties_non_publiables = "motif" (chaque sortie porte '
            f"alors la mention « {NON_PUBLIABLE} »)",
        )
        return MIN_THRESHOLD, ""
    if not reason:
        return value, ""
    lowered = f" — seuil des petits effectifs abaissé à {value}" if value < MIN_THRESHOLD else ""
    return value, f"{NON_PUBLIABLE}{lowered} ({reason})"


def _sources(raw, root: Path, inside: Callable, bad: Callable, shown: str) -> dict:
    from observatoire.sources.registry import adapter_options, known_types

    sources: dict[str, SourceConfig] = {}
    src_raw = raw.get("sources", {})
    if not isinstance(src_raw, dict):
        src_raw = {}  # déjà signalé : la clé doit être une section
    types = known_types()
    outside = f"un chemin relatif sous {root} (ou déclaré dans [projet] dossiers_autorises)"
    for name, spec in src_raw.items():
        where = f"[sources.{name}]"
        if bad_source_name(name):
            bad(where, "nom de source invalide (il sert de nom de fichier au cache)",
                name, "lettres, chiffres, « _ », « - » ou « . » (ex. revenus_2021)")  # fmt: skip
            continue
        if not isinstance(spec, dict):
            bad(where, "une source doit être une table", found=shown_value(spec))
            continue
        stype = spec.get("type")
        if stype not in types:
            bad(f"{where} type", "type de source inconnu" + _suggest(str(stype), types),
                found=shown_value(stype), expected="un des types : " + ", ".join(sorted(types)))  # fmt: skip
            continue
        allowed = COMMON_SOURCE_KEYS | set(adapter_options(stype))
        typed = True
        for key, value in spec.items():
            if key not in allowed:
                bad(f"{where} {key}", "clé inconnue pour ce type de source" + _suggest(key, allowed),
                    found=key, expected="une des clés : " + ", ".join(sorted(allowed)))  # fmt: skip
            elif key in SOURCE_OPTION_KINDS:
                typed &= check_value(f"{where} {key}", value, SOURCE_OPTION_KINDS[key], bad)
        if not typed:
            continue
        file_path = None
        for key in ("fichier", "fichier_liens", "fichier_cle"):
            rel = spec.get(key)
            if not isinstance(rel, str) or has_control(rel):
                continue
            target = resolve_under(root, rel)
            if target is None:
                bad(f"{where} {key}", "chemin illisible (boucle de liens symboliques)", rel)
                typed = False
            elif key == "fichier" and not inside(target):
                bad(f"{where} {key}", "chemin hors du dossier du projet", rel, outside)
                typed = False
            elif key == "fichier" or target.exists() or target.is_symlink():
                problem = file_problem(target)
                if problem:
                    bad(f"{where} {key}", problem, rel, "un fichier ordinaire")
                    typed = False
            if key == "fichier":
                file_path = target
        if typed:
            options = {k: v for k, v in spec.items() if k not in ("type", "fichier")}
            sources[name] = SourceConfig(name, stype, file_path, options, shown)
    return sources


def _check_template(rapports: dict, root: Path, inside: Callable, bad: Callable) -> None:
    """``[rapports] modele_diaporama`` : gabarit PPTX de la collectivité (exports)."""
    if "modele_diaporama" not in rapports:
        return
    rel = rapports["modele_diaporama"]
    where = "[rapports] modele_diaporama"
    template = resolve_under(root, rel) if not has_control(rel) else None
    if template is None or not rel.lower().endswith(".pptx"):
        bad(where, "un fichier .pptx est attendu", rel, 'modele_diaporama = "charte.pptx"')
    elif not inside(template):
        expected = f"un chemin relatif sous {root} (ou déclaré dans [projet] dossiers_autorises)"
        bad(where, "chemin hors du dossier du projet", rel, expected)
    elif file_problem(template):
        bad(where, file_problem(template), rel)
