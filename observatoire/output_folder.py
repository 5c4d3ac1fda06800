"""Contrôle d'un dossier de sortie AVANT toute lecture des données (ni cache ni sortie
écrits pour rien) : texte sans caractère nul, pas un fichier, parent inscriptible.

Exemple ::

    check_output_folder(Path("reports"))   # OutputError (code 2) s'il est inutilisable
"""

from __future__ import annotations

import os
from pathlib import Path

from observatoire.errors import OutputError


def check_output_folder(folder: Path | str) -> Path:
    """Renvoie le dossier résolu, ou lève :class:`OutputError` (message français)."""
    text = str(folder)
    if "\x00" in text or any(ord(c) < 32 for c in text):
        raise OutputError(
            f"Dossier de sortie invalide : {text!a} contient un caractère de contrôle."
        )
    try:
        path = Path(folder).resolve()
    except (OSError, RuntimeError):
        raise OutputError(
            f"Dossier de sortie illisible : {text} (boucle de liens symboliques)."
        ) from None
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        raise OutputError(
            f"Le dossier de sortie {text} est un fichier, pas un dossier : choisissez un "
            "autre dossier avec --sortie."
        )
    if not existing.is_dir():
        raise OutputError(
            f"Écriture impossible dans le dossier de sortie {text} : {existing} est un "
            "fichier, le dossier ne peut pas être créé."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(
            f"Dossier de sortie non inscriptible : {text} (pas de droit d'écriture dans "
            f"{existing}). Choisissez un autre dossier avec --sortie ou corrigez ses droits."
        )
    return path
