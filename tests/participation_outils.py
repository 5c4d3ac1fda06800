"""Outils des tests de la participation : un projet copié dans ``tmp_path``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from observatoire.errors import InputError
from observatoire.territory import Observatoire

FIX = Path(__file__).resolve().parent / "fixtures" / "participation"
# identifiants fictifs de la feuille d'émargement : ils ne doivent apparaître nulle part
IDENTIFIANTS = [
    "DURAND", "Durand", "Camille", "LEFEBVRE", "Karim", "MARTIN", "Louise", "NGUYEN",
    "Thomas", "example.org", "example.net", "camille.durand", "06 39 98", "0639980001",
    "01 99 00 12 34", "0199001234",
]  # fmt: skip


def project(tmp_path: Path, extra: str | None = None) -> Path:
    """Copie les fixtures dans ``tmp_path`` ; ``extra`` remplace les sources de participation."""
    dest = tmp_path / "projet"
    shutil.copytree(FIX, dest)
    config = dest / "observatoire.toml"
    if extra is not None:
        text = config.read_text(encoding="utf-8")
        base = text[: text.index("# feuille tenue à la main")]
        config.write_text(base + extra, encoding="utf-8")
    return config


def open_project(config: Path, use_cache: bool = False) -> Observatoire:
    return Observatoire.from_config(config, use_cache=use_cache)


def refused(config: Path) -> InputError:
    """Ouvre ``config`` en attendant un refus ; renvoie l'erreur."""
    with pytest.raises(InputError) as info:
        open_project(config)
    return info.value
