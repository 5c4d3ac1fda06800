"""Empreintes des entrées et cache Parquet des tables canoniques.

Chaque source est mise en cache séparément, sous une clé qui combine l'empreinte
de son fichier (et de ses fichiers annexes : .dbf, .prj… d'un Shapefile), ses
options de configuration, la version du paquet et les empreintes des sources
dont elle dépend. Modifier un fichier n'invalide donc que ce qui en dépend.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from observatoire import __version__

SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_KEY = re.compile(r"[0-9a-f]{16}")


def file_fingerprint(path: Path) -> str:
    """Empreinte SHA-256 (16 premiers caractères hex) du contenu d'un fichier et de ses annexes."""
    h = hashlib.sha256()
    paths = [path]
    if path.suffix.lower() == ".shp":
        paths = [path.with_suffix(s) for s in SHAPEFILE_SIDECARS if path.with_suffix(s).exists()]
    for p in paths:
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


@cache
def code_fingerprint() -> str:
    """Empreinte du code des lecteurs (``observatoire/sources``, schémas, catalogue).

    Incluse dans les clés du cache : une correction d'un lecteur invalide les tables
    qu'il avait produites, même sans changement de numéro de version.
    """
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    files = sorted((package / "sources").glob("*.py")) + sorted((package / "schemas").glob("*.py"))
    files += [package / "data" / "catalogue.toml", package / "catalogue.py"]
    for p in files:
        if p.exists():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def combine(*parts: Any) -> str:
    """Empreinte stable d'objets JSON-sérialisables."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}")


def safe_name(source: str) -> str:
    """Nom de fichier sûr d'une source : le nom lui-même s'il est sûr (``revenus_2021``),
    sinon ses caractères sûrs + l'empreinte du nom exact.

    ``"/../../x/evil"`` → ``"x_evil~3f2a9c1d"`` : jamais de séparateur ni de ``..``, et deux
    noms différents ne partagent jamais un dossier (un nom sûr n'a jamais de « ~ »).
    """
    if _SAFE.fullmatch(source) and ".." not in source:
        return source
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", source).strip("_")[:40] or "source"
    return f"{readable}~{hashlib.sha256(source.encode('utf-8')).hexdigest()[:8]}"


def inside(folder: Path, target: Path) -> Path:
    """``target`` s'il reste sous ``folder`` (chemins résolus), sinon ``ValueError``."""
    base, resolved = folder.resolve(), target.resolve()
    if resolved != base and base not in resolved.parents:
        raise ValueError(f"écriture hors du dossier {base} refusée : {resolved}")
    return target


class TableCache:
    """Cache Parquet par source : ``<dossier>/<nom sûr>-<clé>/<table>.parquet``."""

    def __init__(self, directory: Path, enabled: bool = True) -> None:
        self.directory = directory
        self.enabled = enabled

    def _dir(self, source: str, key: str) -> Path:
        return inside(self.directory, self.directory / f"{safe_name(source)}-{key}")

    def get(self, source: str, key: str) -> tuple[dict[str, pd.DataFrame], list[dict]] | None:
        if not self.enabled:
            return None
        try:
            d = self._dir(source, key)
            meta = d / "meta.json"
            if not meta.exists():
                return None
            info = json.loads(meta.read_text(encoding="utf-8"))
            tables = {}
            for name, kind in info["tables"].items():
                path = inside(d, d / f"{safe_name(name)}.parquet")
                if kind == "geo":
                    import geopandas as gpd

                    tables[name] = gpd.read_parquet(path)
                else:
                    tables[name] = pd.read_parquet(path)
            return tables, info.get("warnings", [])
        except Exception:  # cache abîmé : on relit la source
            return None

    def put(self, source: str, key: str, tables: dict[str, pd.DataFrame], warnings: list[dict]):
        """Écrit atomiquement (dossier temporaire puis renommage) ; silencieux si impossible."""
        if not self.enabled:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            prefix = f"{safe_name(source)}-"
            for old in self.directory.iterdir():  # versions périmées de CETTE source seulement
                rest = old.name[len(prefix) :] if old.name.startswith(prefix) else ""
                if _KEY.fullmatch(rest) and rest != key and old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{prefix}", dir=self.directory))
            kinds = {}
            for name, frame in tables.items():
                is_geo = hasattr(frame, "geometry") and "geometry" in frame.columns
                kinds[name] = "geo" if is_geo else "table"
                frame.to_parquet(inside(tmp, tmp / f"{safe_name(name)}.parquet"))
            meta = {"tables": kinds, "warnings": warnings, "version": __version__}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            target = self._dir(source, key)
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        except (OSError, ValueError):  # cache facultatif ; ValueError : chemin hors du dossier
            pass
