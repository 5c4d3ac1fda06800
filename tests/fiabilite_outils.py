"""Outils partagés des tests de fiabilité et de sécurité (corpus, chemins, pannes…).

- :func:`run_cli` lance la VRAIE commande ``observatoire`` dans un sous-processus ;
- :func:`snapshot` photographie une arborescence (fichiers cachés et cache compris)
  pour vérifier qu'une commande en échec n'a rien écrit ;
- :func:`build_case` construit le territoire d'un cas du corpus ``tests/corpus/cas.toml``.

Exemple ::

    territory = build_case(case, tmp_path / "territoire")
    before = snapshot(tmp_path)
    result = run_cli("valider", "--config", str(territory / "observatoire.toml"))
    assert result.returncode == 2 and snapshot(tmp_path) == before
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CORPUS = TESTS / "corpus"
BASE = CORPUS / "base"


def cli_command() -> list[str]:
    """La commande ``observatoire`` installée dans l'environnement des tests."""
    script = Path(sys.executable).parent / "observatoire"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from observatoire.cli import main; sys.exit(main())"]


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 600, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Lance ``observatoire ARGS…`` (sortie capturée en texte, sans réseau requis)."""
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(
        [*cli_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Chemin relatif → (taille, mtime en ns) de tout ce qui est sous ``root``."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(root))] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


def load_cases() -> list[dict]:
    """Les cas du corpus, dans l'ordre de ``tests/corpus/cas.toml``."""
    return tomllib.loads((CORPUS / "cas.toml").read_text(encoding="utf-8"))["cas"]


def drop_sources(config_text: str, names: list[str]) -> str:
    """Retire du TOML de base les sections ``[sources.NOM]`` (et leurs sous-tables)."""
    kept: list[str] = []
    dropping = False
    for line in config_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[]").strip()
            dropping = any(
                header == f"sources.{n}" or header.startswith(f"sources.{n}.") for n in names
            )
        if not dropping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def copy_corpus_file(rel: str, dest: Path) -> None:
    """Copie un fichier du corpus (et les annexes d'un Shapefile) à la racine de ``dest``."""
    source = CORPUS / rel
    paths = sorted(source.parent.glob(source.stem + ".*")) if source.suffix == ".shp" else [source]
    for path in paths:
        shutil.copy(path, dest / path.name)


def build_case(case: dict, dest: Path) -> Path:
    """Territoire de base + fichier(s) du cas + configuration du cas ; renvoie ``dest``."""
    shutil.copytree(BASE, dest)
    for rel in case.get("fichiers", []):
        copy_corpus_file(rel, dest)
    config = dest / "observatoire.toml"
    if "config" in case:  # le cas fournit une configuration complète
        shutil.copy(CORPUS / case["config"], config)
        return dest
    text = drop_sources(config.read_text(encoding="utf-8"), case.get("remplace", []))
    config.write_text(text + "\n" + case.get("source", ""), encoding="utf-8")
    return dest
