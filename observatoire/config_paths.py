"""Chemins de ``observatoire.toml`` : fichier de configuration, fichiers, dossiers.

Un chemin qui ne désigne pas un fichier ordinaire (dossier, tube FIFO, périphérique,
boucle de liens symboliques) est refusé avec un message français au lieu d'une trace
Python ou d'une lecture bloquée.
"""

from __future__ import annotations

import errno
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from observatoire.errors import ConfigError


def read_toml(path: Path, shown: str) -> dict[str, Any]:
    """Contenu TOML d'un fichier ordinaire (dossier, tube, boucle de liens : refusés)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except (OSError, RuntimeError) as exc:  # boucle de liens, chemin trop long…
        raise ConfigError(
            f"Fichier de configuration illisible : {shown} ({_reason(exc)})."
        ) from None
    if st is None:
        raise ConfigError(
            f"Fichier de configuration introuvable : {shown}. "
            "Indiquez-le avec --config (exemple fourni : data/demo/observatoire.toml)."
        )
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(
            f"{shown} est un dossier, pas un fichier de configuration : indiquez le fichier "
            f"lui-même, ex. --config {Path(shown) / 'observatoire.toml'}."
        )
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{shown} n'est pas un fichier ordinaire (tube, périphérique…).")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{shown} n'est pas un fichier texte UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown} n'est pas un TOML valide : {exc}") from None
    except OSError as exc:
        raise ConfigError(
            f"Fichier de configuration illisible : {shown} ({_reason(exc)})."
        ) from None


_ERRNO_FR = {
    errno.ELOOP: "boucle de liens symboliques",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EISDIR: "c'est un dossier",
}


def _reason(exc: BaseException) -> str:
    """Raison en français d'un échec d'accès à un chemin."""
    if isinstance(exc, RuntimeError):  # Python < 3.13 : boucle de liens dans resolve()
        return "boucle de liens symboliques"
    code = getattr(exc, "errno", None)
    return _ERRNO_FR.get(code, f"erreur système {code}" if code else "erreur système")


def resolve_under(root: Path, rel: str) -> Path | None:
    """Chemin absolu résolu (liens suivis) ; ``None`` si une boucle de liens l'empêche."""
    try:
        return (root / rel).resolve()
    except (OSError, RuntimeError):
        return None


def file_problem(p: Path) -> str | None:
    """Pourquoi ``p`` (résolu) n'est pas un fichier ordinaire lisible, ``None`` s'il l'est."""
    try:
        st = p.stat()
    except FileNotFoundError:
        return "fichier introuvable"
    except (OSError, RuntimeError) as exc:
        return f"fichier illisible ({_reason(exc)})"
    if stat.S_ISDIR(st.st_mode):
        return "c'est un dossier, pas un fichier"
    if not stat.S_ISREG(st.st_mode):
        return "ce n'est pas un fichier ordinaire (tube, périphérique ou socket)"
    return None


def has_control(text: str) -> bool:
    """Vrai si ``text`` contient un caractère de contrôle (déjà signalé ailleurs)."""
    return any(ord(c) < 32 for c in text)


def folder_of(root: Path, section: dict, where: str, default: str, bad: Callable) -> Path:
    """Dossier de ``[cache]`` ou ``[sortie]`` ; refusé s'il existe sans être un dossier."""
    rel = section.get("dossier", default)
    if has_control(rel):
        return (root / default).resolve()  # déjà signalé
    folder = resolve_under(root, rel)
    if folder is None:
        bad(where, "chemin illisible (boucle de liens symboliques)", rel)
        return (root / default).resolve()
    if folder.exists() and not folder.is_dir():
        bad(where, "ce chemin désigne un fichier, pas un dossier", rel, "un dossier")
    return folder
