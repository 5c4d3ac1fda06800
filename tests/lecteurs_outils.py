"""Outils des tests des lecteurs : sources construites sur les fixtures faites main."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from observatoire.catalogue import builtin_catalogue
from observatoire.config import SourceConfig
from observatoire.errors import InputError
from observatoire.sources.registry import LoadContext

FIX = Path(__file__).resolve().parent / "fixtures" / "lecteurs"


def source(kind: str, fichier: str, name: str = "essai", **options) -> SourceConfig:
    """Une section ``[sources.essai]`` pointant sur une fixture."""
    return SourceConfig(name, kind, FIX / fichier, options, "observatoire.toml")


def context() -> LoadContext:
    """Contexte de chargement avec le catalogue intégré."""
    return LoadContext(config=None, tables={"catalogue": builtin_catalogue()})  # type: ignore[arg-type]


def messages(load, src: SourceConfig) -> list[str]:
    """Charge ``src`` en attendant un refus ; renvoie les anomalies en français."""
    with pytest.raises(InputError) as info:
        load(src, context())
    return [p.format_fr() for p in info.value.errors]


def copy_fixtures(dest: Path, *names: str) -> Path:
    """Copie des fixtures (et annexes d'un Shapefile) dans ``dest``."""
    for name in names:
        for path in FIX.glob(Path(name).stem + ".*") if name.endswith(".shp") else [FIX / name]:
            shutil.copy(path, dest / path.name)
    return dest
