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
rester dans ce dossier (ou dans ``[projet] dossiers_autorises``).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatoire.errors import ConfigError, Problem
from observatoire.schemas.geography import NIVEAUX

TOP_LEVEL_KEYS = {"territoire", "sources", "catalogue", "cache", "sortie", "projet", "rapports"}
TERRITORY_KEYS = {
    "nom",
    "generation",
    "fictif",
    "references",
    "producteur",
    "mention",
    "seuil_petits_effectifs",
}
COMMON_SOURCE_KEYS = {"type", "fichier", "format", "description", "producteur", "millesime_source"}
DEFAULT_REFERENCES = ["commune", "epci", "departement", "france", "ensemble_qpv"]
REFERENCE_LEVELS = tuple(n for n in NIVEAUX if n != "qpv")  # niveaux de référence


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
    from observatoire.sources.registry import adapter_options, known_types

    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise ConfigError(
            f"Fichier de configuration introuvable : {shown}. "
            "Indiquez-le avec --config (exemple fourni : data/demo/observatoire.toml)."
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{shown} n'est pas un fichier texte UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown} n'est pas un TOML valide : {exc}") from None
    root = path.resolve().parent
    problems: list[Problem] = []

    def bad(where: str, message: str, found=None, expected=None) -> None:
        problems.append(Problem(shown, message, column=where, found=found, expected=expected))

    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            bad(key, "section inconnue" + _suggest(key, TOP_LEVEL_KEYS), found=key)
    terr_raw = raw.get("territoire")
    if not isinstance(terr_raw, dict) or not terr_raw.get("nom"):
        bad("[territoire] nom", "le territoire doit avoir un nom", expected='nom = "…"')
        terr_raw = terr_raw if isinstance(terr_raw, dict) else {}
    for key in terr_raw:
        if key not in TERRITORY_KEYS:
            bad(f"[territoire] {key}", "clé inconnue" + _suggest(key, TERRITORY_KEYS), found=key)
    generation = terr_raw.get("generation", 2024)
    if generation not in (2015, 2024):
        bad("[territoire] generation", "génération QPV inconnue", generation, "2015 ou 2024")
    references = terr_raw.get("references", DEFAULT_REFERENCES)
    if not isinstance(references, list):
        bad("[territoire] references", "une liste est attendue", references, '["commune", "epci"]')
        references = list(DEFAULT_REFERENCES)
    for ref in references:
        if ref not in REFERENCE_LEVELS:
            bad(
                "[territoire] references",
                "niveau de référence inconnu" + _suggest(str(ref), REFERENCE_LEVELS),
                ref,
                "un des niveaux : " + ", ".join(REFERENCE_LEVELS),
            )
    for key in ("producteur", "mention"):
        if key in terr_raw and not isinstance(terr_raw[key], str):
            bad(f"[territoire] {key}", "un texte est attendu", terr_raw[key], f'{key} = "…"')
    territoire = TerritoryConfig(
        nom=str(terr_raw.get("nom", "")),
        generation=int(generation) if generation in (2015, 2024) else 2024,
        fictif=bool(terr_raw.get("fictif", False)),
        references=[r for r in references if r in REFERENCE_LEVELS],
        producteur=_text(terr_raw.get("producteur")) or None,
        mention=_text(terr_raw.get("mention")) or None,
        seuil_petits_effectifs=int(terr_raw.get("seuil_petits_effectifs", 5)),
    )
    projet = raw.get("projet", {}) if isinstance(raw.get("projet"), dict) else {}
    allowed_roots = [root] + [
        (root / p).resolve() for p in projet.get("dossiers_autorises", []) if isinstance(p, str)
    ]

    def inside(p: Path) -> bool:
        return any(p == r or r in p.parents for r in allowed_roots)

    sources: dict[str, SourceConfig] = {}
    src_raw = raw.get("sources", {})
    if not isinstance(src_raw, dict):
        bad("[sources]", "la section doit contenir des sources nommées", expected="[sources.NOM]")
        src_raw = {}
    types = known_types()
    for name, spec in src_raw.items():
        where = f"[sources.{name}]"
        if not isinstance(spec, dict):
            bad(where, "une source doit être une table", found=spec)
            continue
        stype = spec.get("type")
        if stype not in types:
            bad(
                f"{where} type",
                "type de source inconnu" + _suggest(str(stype), types),
                found=stype,
                expected="un des types : " + ", ".join(sorted(types)),
            )
            continue
        if "producteur" in spec and not isinstance(spec["producteur"], str):
            bad(
                f"{where} producteur",
                "un texte est attendu",
                spec["producteur"],
                'producteur = "INSEE"',
            )
        allowed = COMMON_SOURCE_KEYS | set(adapter_options(stype))
        for key in spec:
            if key not in allowed:
                bad(
                    f"{where} {key}",
                    "clé inconnue pour ce type de source" + _suggest(key, allowed),
                    found=key,
                    expected="une des clés : " + ", ".join(sorted(allowed)),
                )
        file_path = None
        if "fichier" in spec:
            rel = str(spec["fichier"])
            if "\x00" in rel:
                bad(f"{where} fichier", "chemin invalide (caractère nul)", found=rel)
                continue
            file_path = (root / rel).resolve()
            if not inside(file_path):
                bad(
                    f"{where} fichier",
                    "chemin hors du dossier du projet",
                    found=rel,
                    expected="un chemin relatif sous "
                    + str(root)
                    + " (ou déclaré dans [projet] dossiers_autorises)",
                )
                continue
            if not file_path.exists():
                bad(f"{where} fichier", "fichier introuvable", found=rel)
                continue
        options = {k: v for k, v in spec.items() if k not in ("type", "fichier")}
        sources[name] = SourceConfig(name, stype, file_path, options, shown)
    rapports = raw.get("rapports", {}) if isinstance(raw.get("rapports"), dict) else {}
    if "modele_diaporama" in rapports:  # gabarit PPTX de la collectivité (exports)
        rel = rapports["modele_diaporama"]
        where = "[rapports] modele_diaporama"
        template = (root / rel).resolve() if isinstance(rel, str) and "\x00" not in rel else None
        if template is None or not rel.lower().endswith(".pptx"):
            bad(where, "un fichier .pptx est attendu", rel, 'modele_diaporama = "charte.pptx"')
        elif not inside(template):
            expected = (
                f"un chemin relatif sous {root} (ou déclaré dans [projet] dossiers_autorises)"
            )
            bad(where, "chemin hors du dossier du projet", rel, expected)
        elif not template.is_file():
            bad(where, "fichier introuvable", rel)
    catalogue = raw.get("catalogue", {}) if isinstance(raw.get("catalogue"), dict) else {}
    cache_cfg = raw.get("cache", {}) if isinstance(raw.get("cache"), dict) else {}
    sortie_cfg = raw.get("sortie", {}) if isinstance(raw.get("sortie"), dict) else {}
    cache_dir = (root / str(cache_cfg.get("dossier", ".cache"))).resolve()
    output_dir = (root / str(sortie_cfg.get("dossier", "reports"))).resolve()
    if problems:
        raise ConfigError(f"Configuration invalide : {shown}", problems)
    return Config(path.resolve(), root, territoire, sources, catalogue, cache_dir, output_dir, raw)
