"""Banc d'essai des lecteurs : chargement d'un territoire, à froid, depuis le cache, après
modification d'un seul fichier.

Sur un territoire synthétique (``generate_demo``, 1 600 quartiers par défaut, même
forme que la démonstration), mesure :

1. le chargement à froid (aucun cache) de toutes les sources ;
2. le rechargement sans changement (tout vient du cache Parquet) ;
3. le rechargement après modification d'UN fichier d'indicateurs : seule cette
   source est relue (les autres viennent du cache).

Exemple ::

    .venv/bin/python benchmarks/bench_lecteurs.py --quartiers 1600
    .venv/bin/python benchmarks/bench_lecteurs.py --dest /tmp/national   # copie d'un territoire
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from observatoire.territory import Observatoire


def timed(label: str, config: Path, **kwargs) -> Observatoire:
    start = time.perf_counter()
    obs = Observatoire.from_config(config, **kwargs)
    elapsed = time.perf_counter() - start
    rows = sum(len(t) for t in obs.tables.values())
    print(f"{label:<45} {elapsed:7.1f} s   ({rows:,} lignes)".replace(",", "\u202f"))
    return obs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quartiers", type=int, default=1600, help="nombre de quartiers")
    parser.add_argument("--dest", type=Path, help="territoire déjà généré (sinon : temporaire)")
    args = parser.parse_args()
    dest = Path(tempfile.mkdtemp(prefix="bench-lecteurs-")) / "territoire"
    config = dest / "observatoire.toml"
    try:
        if args.dest is not None:  # copie : les fichiers de l'utilisateur ne sont pas modifiés
            shutil.copytree(args.dest, dest, ignore=shutil.ignore_patterns(".cache"))
        else:
            from observatoire.demo.generator import generate_demo

            start = time.perf_counter()
            generate_demo(dest, n_quartiers=args.quartiers)
            print(f"{'génération du territoire':<45} {time.perf_counter() - start:7.1f} s")
        timed("1. chargement à froid (sans cache)", config)
        timed("2. rechargement sans changement (cache)", config)
        target = next(p for p in sorted((dest / "indicateurs").glob("*.csv")))
        target.write_bytes(target.read_bytes() + b"\n")  # ligne vide : contenu modifié
        timed(f"3. après modification de {target.name}", config)
    finally:
        shutil.rmtree(dest.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
