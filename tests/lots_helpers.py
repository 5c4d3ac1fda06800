"""Outils partagés des tests de lots (tests/test_batch*.py).

Le territoire de test est le territoire fictif généré par ``generate_demo`` avec
3 quartiers ; les notebooks de rapport sont les petits notebooks de
``tests/fixtures/lots/notebooks`` (un vrai notebook exécuté par rapport, qui lit le
territoire et affiche des blocs de rapport), copiés à côté de la configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lots"
ROOT = Path(__file__).resolve().parents[1]
QUARTIERS = ["QN00001A", "QN00002A", "QN00003A"]


def make_territory(template: Path, dest: Path) -> Path:
    """Copie le territoire de test dans ``dest`` ; renvoie le chemin de sa configuration."""
    shutil.copytree(template, dest)
    shutil.copytree(FIXTURES / "notebooks", dest / "notebooks")
    config = dest / "observatoire.toml"
    text = config.read_text(encoding="utf-8")
    text += '\n[rapports]\nnotebooks = "notebooks"\ndebut = 2022\nfin = 2024\n'
    config.write_text(text, encoding="utf-8")
    return config


def set_population(territory: Path, code: str, value: str, years=(2018, 2020, 2021)) -> None:
    """Change la cellule POP d'un quartier dans les fichiers de recensement (cp1252, « ; »)."""
    for year in years:
        path = territory / "indicateurs" / f"population_qp2024_{year}.csv"
        lines = path.read_text(encoding="cp1252").split("\n")
        header = lines[1].split(";")
        column = header.index("POP")
        for i, line in enumerate(lines):
            cells = line.split(";")
            if cells[0] == code:
                cells[column] = value
                lines[i] = ";".join(cells)
        path.write_text("\n".join(lines), encoding="cp1252")


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Lance ``observatoire`` dans un processus séparé (comme cron le ferait)."""
    return subprocess.run(
        [*_entry(), *args],
        capture_output=True,
        text=True,
        env=_env(),
        **kwargs,
    )


def popen(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*_entry(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )


def _entry() -> list[str]:
    return [sys.executable, "-c", "import sys; from observatoire.cli import main; sys.exit(main())"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def visible_files(directory: Path) -> list[Path]:
    """Fichiers visibles (non cachés) d'un dossier de sortie, récursivement."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))


def descendants(pid: int) -> set[int]:
    """Tous les descendants vivants ou zombies d'un processus (d'après /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Vrai si le processus existe et n'est pas un zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
