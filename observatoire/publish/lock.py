"""Dossier de sortie : vérification qu'on peut y écrire, verrou d'un lot à la fois.

Le verrou est le fichier ``.observatoire-lot.lock`` du dossier de sortie, verrouillé
par ``flock`` : le système le libère tout seul quand le processus meurt, même tué
par ``kill -9``. Le fichier garde l'identité du lot (pid, machine, début) : s'il
existe sans être verrouillé, c'est un verrou périmé (lot mort), repris et signalé.

Exemple ::

    with OutputLock(Path("reports")) as lock:
        if lock.stale:
            print(f"verrou périmé repris : {lock.stale}")
        ...  # produire les rapports
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

from observatoire.errors import OutputError

LOCK_NAME = ".observatoire-lot.lock"


class LockedError(OutputError):
    """Un autre lot écrit déjà dans ce dossier de sortie (code de sortie 2)."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe(info: dict[str, Any]) -> str:
    """« processus 1234 sur machine, depuis le 25/11/2026 à 13:02 »."""
    text = f"processus {info.get('pid', '?')}"
    if info.get("machine"):
        text += f" sur {info['machine']}"
    with contextlib.suppress(Exception):
        started = datetime.fromisoformat(info["debut"])
        text += f", depuis le {started:%d/%m/%Y à %H:%M:%S}"
    return text


class OutputLock:
    """Verrou exclusif sur un dossier de sortie (``flock``, repris si périmé)."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / LOCK_NAME
        self.fd: int | None = None
        self.stale: str | None = None  # description du lot mort dont le verrou est repris

    def acquire(self) -> OutputLock:
        """Prend le verrou ; lève :class:`LockedError` si un lot vivant le tient."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            info = _read(fd)
            os.close(fd)
            raise LockedError(
                f"Un autre lot de rapports est en cours dans {self.path.parent} "
                f"({describe(info)}). Attendez sa fin ou choisissez un autre dossier "
                "avec --sortie."
            ) from None
        previous = _read(fd)
        if previous.get("pid") and not previous.get("fin"):
            self.stale = describe(previous)
            if previous.get("machine") == socket.gethostname() and _pid_alive(int(previous["pid"])):
                self.stale += " (processus encore présent mais sans verrou)"
        info = {"pid": os.getpid(), "machine": socket.gethostname(), "debut": _now()}
        _write(fd, info)
        self.fd = fd
        return self

    def release(self) -> None:
        """Marque le verrou comme rendu proprement et le libère."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            info = _read(self.fd)
            info["fin"] = _now()
            _write(self.fd, info)
        with contextlib.suppress(OSError):
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _read(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = os.read(fd, 4096)
        value = json.loads(data.decode("utf-8")) if data.strip() else {}
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(fd: int, info: dict[str, Any]) -> None:
    data = json.dumps(info, ensure_ascii=False).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def output_error(exc: OSError, directory: Path) -> OutputError:
    """Message clair pour un dossier de sortie inutilisable (code 2)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return OutputError(
            f"Disque plein : impossible d'écrire dans {directory} ({exc.strerror}). "
            "Libérez de la place puis relancez : seuls les rapports manquants seront refaits."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(
            f"Dossier de sortie non inscriptible : {directory} ({exc.strerror}). "
            "Choisissez un autre dossier avec --sortie ou corrigez ses droits."
        )
    return OutputError(f"Écriture impossible dans le dossier de sortie {directory} : {exc}")


def prepare_output(out_dir: Path) -> None:
    """Crée le dossier de sortie et vérifie qu'on peut y écrire."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".observatoire-essai-{os.getpid()}.tmp"
        with open(probe, "wb") as fh:
            fh.write(b"0" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        raise output_error(exc, out_dir) from None
