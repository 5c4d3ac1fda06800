"""``observatoire demo`` : génère le territoire de démonstration fictif.

Exemple ::

    observatoire demo                          # régénère data/demo/ du dépôt
    observatoire demo --dest /tmp/demo --quartiers 1600 --graine 7
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from observatoire.cli import add_parser
from observatoire.errors import ConfigError

DEFAULT_DEST = Path(__file__).resolve().parents[2] / "data" / "demo"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu, trouvé « {text} »") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"nombre positif attendu, trouvé « {text} »")
    return value


def register(sub) -> None:
    p = add_parser(
        sub,
        "demo",
        "génère le territoire de démonstration fictif (données fictives)",
        description=(
            "Génère une agglomération fictive (« Données fictives », en plein océan "
            "Atlantique) : géographie des QPV 2015 et 2024 avec contours et correspondance, "
            "indicateurs sur plusieurs millésimes, participation et contrat de ville, et le "
            "fichier observatoire.toml commenté qui les décrit. Même graine = mêmes fichiers."
        ),
    )
    p.add_argument(
        "--dest",
        metavar="DOSSIER",
        default=None,
        help="dossier de sortie (défaut : data/demo/ du dépôt) ; ses fichiers sont remplacés",
    )
    p.add_argument(
        "--quartiers",
        metavar="N",
        type=_positive,
        default=14,
        help="nombre de quartiers prioritaires 2024, de 3 à 2 500 (défaut : 14 ; 1600 : territoire "
        "« national » synthétique pour les mesures de performance)",
    )
    p.add_argument(
        "--graine",
        metavar="S",
        type=_positive,
        default=2024,
        help="graine du générateur aléatoire (défaut : 2024)",
    )


def run(args) -> int:
    from observatoire.demo.generator import generate_demo
    from observatoire.demo.geography import MAX_QUARTIERS, MIN_QUARTIERS

    if not MIN_QUARTIERS <= args.quartiers <= MAX_QUARTIERS:
        raise ConfigError(
            f"--quartiers : valeur hors bornes ({args.quartiers}) ; attendu entre "
            f"{MIN_QUARTIERS} et {MAX_QUARTIERS}"
        )
    dest = Path(args.dest) if args.dest else DEFAULT_DEST
    if dest.exists() and not dest.is_dir():
        raise ConfigError(f"--dest : {dest} existe et n'est pas un dossier")
    start = time.perf_counter()
    config = generate_demo(dest, n_quartiers=args.quartiers, seed=args.graine)
    elapsed = time.perf_counter() - start
    print(
        f"Territoire de démonstration (données fictives) : {args.quartiers} quartiers, "
        f"graine {args.graine}, écrit dans {dest} en {elapsed:.1f} s."
    )
    print(f"Vérifiez-le avec : observatoire valider --config {config}")
    return 0
