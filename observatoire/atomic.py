"""Écriture atomique des fichiers produits : un fichier n'apparaît que complet.

On écrit dans un fichier caché temporaire du même dossier, on le synchronise sur le
disque, puis on le renomme (``os.replace``, atomique sur un même système de fichiers).
Un processus tué en cours d'écriture ne laisse qu'un ``.NOM.*.tmp`` caché.

Exemple ::

    write_atomic(Path("reports/index.html"), "<!doctype html>…")
    with atomic_path(Path("carte.png")) as tmp:
        fig.savefig(tmp, format="png")
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def check_under(root: Path, path: Path) -> Path:
    """``path`` s'il reste sous ``root`` une fois les liens et les ``..`` résolus ;
    :class:`~observatoire.errors.OutputError` sinon (jamais d'écriture hors du dossier)."""
    from observatoire.errors import OutputError

    base, target = Path(root).resolve(), Path(path).resolve()
    if target != base and base not in target.parents:
        raise OutputError(f"Écriture refusée : {target} sort du dossier {base}.")
    return path


@contextlib.contextmanager
def atomic_path(path: Path, root: Path | None = None) -> Iterator[Path]:
    """Chemin temporaire à remplir ; renommé en ``path`` si le bloc réussit, effacé sinon.

    ``root`` : dossier dont ``path`` ne doit pas sortir (vérifié avant toute écriture)."""
    if root is not None:
        check_under(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str, root: Path | None = None) -> Path:
    """Écrit ``data`` (texte UTF-8 ou octets) dans ``path`` de façon atomique (sous ``root``
    s'il est donné)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, root) as tmp:
        tmp.write_bytes(payload)
    return path
