"""Ce que partagent les exports : dossier de sortie, empreintes, relance incrémentale.

Un export est à jour quand son empreinte (mêmes données, même configuration, même
version du paquet que les rapports : :func:`observatoire.publish.plan.data_fingerprint`,
plus le nom de l'export et ses paramètres) est celle notée dans
``<sortie>/.empreintes.json`` et que tous ses fichiers sont présents. Rien n'est
chargé pour le savoir : une relance sans changement est immédiate.

Exemple ::

    out = output_dir(args, config)
    key = export_key("tableaux", {"format": "xlsx", "quartier": None})
    fp = export_fingerprint(config, out, key)
    if is_fresh(out, key, fp, files):
        ...  # rien à refaire
    else:
        ...  # écrire files, puis
        record(out, key, fp, files)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from observatoire import __version__
from observatoire.atomic import write_atomic
from observatoire.cache import combine
from observatoire.config import Config

MANIFEST = ".empreintes.json"


def output_dir(args: Any, config: Config) -> Path:
    """``--sortie`` si donné, sinon ``<[sortie] dossier>/exports``."""
    if getattr(args, "sortie", None):
        return Path(args.sortie).resolve()
    return Path(config.output_dir) / "exports"


def safe(unit: str) -> str:
    """Code utilisable dans un nom de fichier (``territoire`` ou un code de quartier)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", unit)


def export_key(kind: str, parameters: dict[str, Any]) -> str:
    """Clé lisible d'un export et de ses paramètres (ex. ``tableaux format=xlsx``)."""
    parts = [kind] + [f"{k}={v}" for k, v in sorted(parameters.items()) if v is not None]
    return " ".join(parts)


def _read(out_dir: Path) -> dict[str, Any]:
    path = Path(out_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def export_fingerprint(config: Config, out_dir: Path, key: str) -> str:
    """Empreinte des entrées d'un export (données, configuration, version, clé)."""
    from observatoire.publish.plan import data_fingerprint

    known = _read(out_dir).get("fichiers", {})
    data_fp, _files = data_fingerprint(config, known)
    return combine(data_fp, key, __version__)


def is_fresh(out_dir: Path, key: str, fingerprint: str, files: list[Path]) -> bool:
    """Vrai si l'export ``key`` a déjà été écrit avec cette empreinte et que ses fichiers sont là."""
    entry = _read(out_dir).get("exports", {}).get(key)
    if not entry or entry.get("empreinte") != fingerprint:
        return False
    noted = [Path(out_dir) / name for name in entry.get("fichiers", [])]
    return all(p.is_file() for p in [*files, *noted])


def record(out_dir: Path, key: str, fingerprint: str, files: list[Path], config: Config) -> None:
    """Note l'export ``key`` (empreinte et fichiers écrits) dans le manifeste des exports."""
    from observatoire.publish.plan import data_fingerprint

    out_dir = Path(out_dir)
    data = _read(out_dir)
    _fp, notes = data_fingerprint(config, data.get("fichiers", {}))
    data["fichiers"] = notes
    exports = data.setdefault("exports", {})
    exports[key] = {
        "empreinte": fingerprint,
        "fichiers": sorted(str(Path(p).resolve().relative_to(out_dir.resolve())) for p in files),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1))
