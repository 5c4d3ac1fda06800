"""Banc d'essai des exports : ``observatoire exporter …`` sur un territoire de 1 600 quartiers.

Sur le territoire synthétique national (``observatoire demo --dest DIR --quartiers N``,
données fictives ; repris tel quel s'il est déjà dans ``--dossier``), lance la VRAIE
commande de chaque export livré, dans son propre dossier de sortie :

- ``exporter atlas`` (la page unique : durée, taille du fichier) ;
- ``exporter tableaux --format xlsx`` puis ``--format csv`` (le territoire), et
  ``exporter tableaux --format xlsx --tous`` ;
- ``exporter diaporama --tous`` et ``exporter figures --tous``.

Un export dont le module n'existe pas encore est signalé et sauté. Pour chacun : durée,
mémoire maximale (somme des processus), nombre et taille des fichiers écrits, puis la
durée de la relance sans changement (relance incrémentale : rien n'est refait).

Exemple ::

    .venv/bin/python benchmarks/bench_exports.py --dossier /tmp/banc-exports
    .venv/bin/python benchmarks/bench_exports.py --exports atlas --quartiers 1600
    .venv/bin/python benchmarks/bench_exports.py --territoire /tmp/nat/observatoire.toml
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rapports import BIN, CPU, TreeMemory, mib, run  # noqa: E402

# nom → (module, arguments de la commande)
EXPORTS = {
    "atlas": ("observatoire.exports.atlas", ["atlas"]),
    "tableaux-xlsx": ("observatoire.exports.tableaux", ["tableaux", "--format", "xlsx"]),
    "tableaux-csv": ("observatoire.exports.tableaux", ["tableaux", "--format", "csv"]),
    "tableaux-tous": ("observatoire.exports.tableaux", ["tableaux", "--format", "xlsx", "--tous"]),
    "diaporama-tous": ("observatoire.exports.diaporama", ["diaporama", "--tous"]),
    "figures-tous": ("observatoire.exports.figures", ["figures", "--tous"]),
}


def national(dest: Path, n: int) -> Path:
    """Territoire synthétique de ``n`` quartiers, par la vraie commande ``observatoire demo``."""
    config = dest / "observatoire.toml"
    if config.is_file():
        print(f"  territoire de {n} quartiers repris : {dest}")
        return config
    start = time.perf_counter()
    cmd = [str(BIN / "observatoire"), "demo", "--dest", str(dest), "--quartiers", str(n)]
    subprocess.run(cmd, check=True, capture_output=True)
    # cache Parquet rempli une fois : chaque export mesuré le lit comme le ferait un agent
    subprocess.run([str(BIN / "observatoire"), "valider", "--config", str(config)],
                   check=False, capture_output=True)  # fmt: skip
    print(f"  territoire de {n} quartiers généré en {time.perf_counter() - start:.0f} s : {dest}")
    return config


def files_of(out: Path) -> tuple[int, int, Path | None]:
    """Nombre, taille totale et plus gros des fichiers écrits (manifeste caché exclu)."""
    found = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    biggest = max(found, key=lambda p: p.stat().st_size, default=None)
    return len(found), sum(p.stat().st_size for p in found), biggest


def size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} Mo".replace(".", ",")
    return f"{n / 1000:.0f} ko"


def bench(name: str, config: Path, out: Path) -> str | None:
    """Mesure un export et sa relance ; renvoie la ligne de résultat (None si non livré)."""
    module, arguments = EXPORTS[name]
    if importlib.util.find_spec(module) is None:
        print(f"\n{name} : {module} n'existe pas encore, sauté")
        return None
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(BIN / "observatoire"), "exporter", *arguments, "--config", str(config),
           "--sortie", str(out)]  # fmt: skip
    print(f"\n{name} : {' '.join(['observatoire', 'exporter', *arguments])}")
    CPU["total"] = 0.0
    with TreeMemory() as memory:
        elapsed = run(cmd, memory)
    count, total, biggest = files_of(out)
    again = run(cmd)
    line = (
        f"{name} : {elapsed:.1f} s (CPU {CPU['total']:.0f} s), mémoire max {mib(memory.peak)}, "
        f"{count} fichier(s), {size(total)}"
    )
    if biggest is not None and count > 1:
        line += f" (le plus gros : {biggest.name}, {size(biggest.stat().st_size)})"
    line += f" ; relance sans changement : {again:.1f} s"
    print("   " + line)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quartiers", type=int, default=1600, help="taille du territoire (1 600)")
    parser.add_argument("--dossier", type=Path, help="dossier de travail (défaut : temporaire)")
    parser.add_argument("--territoire", type=Path, help="configuration d'un territoire existant")
    parser.add_argument(
        "--exports", default=",".join(EXPORTS),
        help=f"exports mesurés, séparés par des virgules (défaut : {','.join(EXPORTS)})",
    )  # fmt: skip
    args = parser.parse_args()
    wanted = [e.strip() for e in args.exports.split(",") if e.strip()]
    unknown = [e for e in wanted if e not in EXPORTS]
    if unknown:
        sys.exit(f"exports inconnus : {', '.join(unknown)} (connus : {', '.join(EXPORTS)})")
    work = args.dossier or Path(tempfile.mkdtemp(prefix="bench-exports-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"Banc d'essai des exports — {os.cpu_count()} cœurs, dossier {work}")
    config = args.territoire or national(work / f"territoire-{args.quartiers}", args.quartiers)
    lines = [line for name in wanted if (line := bench(name, config, work / name))]
    print(f"\nBilan ({config}) ; charge moyenne (1 min) : {os.getloadavg()[0]:.1f}")
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
