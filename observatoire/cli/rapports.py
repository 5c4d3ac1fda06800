"""``observatoire rapports`` : tableaux de bord de quartier, rapport d'évaluation, bilans
de concertation et rapport annuel de la participation citoyenne.

Exemples ::

    observatoire rapports --config data/demo/observatoire.toml --tous --evaluation
    observatoire rapports --tous --evaluation --concertations --participation
    observatoire rapports --demarche CONC-2024-01 --participation --annee 2024
    observatoire rapports --quartier QN00001A --format html --sortie /tmp/rapports
    observatoire rapports --tous --executor dask --scheduler tcp://10.0.0.5:8786
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from observatoire.cli import add_config_option, add_parser
from observatoire.config import load_config
from observatoire.errors import ConfigError
from observatoire.output_folder import check_output_folder

FORMATS = ("html", "pdf")


def _formats(text: str) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(v.strip().lower() for v in text.split(",") if v.strip()))
    unknown = [v for v in values if v not in FORMATS]
    if unknown or not values:
        raise argparse.ArgumentTypeError(
            f"format inconnu : {', '.join(unknown) or text!r} (formats possibles : html, pdf)"
        )
    return values


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu : {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"au moins 1 processus : {value}")
    return value


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"année sur 4 chiffres attendue : {text!r}")
    return int(text)


def register(sub) -> None:
    p = add_parser(
        sub,
        "rapports",
        "produit les tableaux de bord de quartier, le rapport d'évaluation, les bilans de "
        "concertation et le rapport de la participation citoyenne (HTML, PDF)",
        description=(
            "Exécute les notebooks de rapport et rend HTML et PDF dans le dossier de sortie. "
            "Les rapports sont produits en parallèle ; seuls ceux dont les entrées ont changé "
            "(données, notebook, configuration, version) sont refaits. Codes de sortie : "
            "0 tout est bon, 1 des rapports ont échoué, 2 entrée, configuration ou dossier "
            "de sortie invalide."
        ),
    )
    add_config_option(p)
    p.add_argument(
        "--quartier",
        action="append",
        default=[],
        metavar="CODE",
        help="tableau de bord de ce quartier (option répétable)",
    )
    p.add_argument("--tous", action="store_true", help="tableaux de bord de tous les quartiers")
    p.add_argument(
        "--evaluation", action="store_true", help="rapport d'évaluation du contrat de ville"
    )
    p.add_argument(
        "--debut", type=_year, metavar="A", help="première année du rapport d'évaluation"
    )
    p.add_argument("--fin", type=_year, metavar="A", help="dernière année du rapport d'évaluation")
    p.add_argument(
        "--concertations",
        action="store_true",
        help="bilan de chaque démarche de concertation (source de type « concertations »)",
    )
    p.add_argument(
        "--demarche",
        action="append",
        default=[],
        metavar="ID",
        help="bilan de cette démarche de concertation (option répétable)",
    )
    p.add_argument(
        "--participation",
        action="store_true",
        help="rapport annuel de la participation citoyenne du territoire",
    )
    p.add_argument(
        "--annee",
        type=_year,
        metavar="A",
        help=(
            "année du rapport de la participation citoyenne (défaut : [rapports.democratie] "
            "annee, sinon la dernière année des données de démocratie participative)"
        ),
    )
    p.add_argument(
        "--format",
        type=_formats,
        default=FORMATS,
        metavar="html,pdf",
        help="formats produits, séparés par des virgules (défaut : html,pdf)",
    )
    p.add_argument(
        "--sortie",
        metavar="DIR",
        help="dossier de sortie (défaut : [sortie] dossier de la configuration, sinon reports)",
    )
    p.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help=f"rapports produits en même temps (défaut : nombre de cœurs, ici {os.cpu_count()})",
    )
    p.add_argument(
        "--force", action="store_true", help="refait tous les rapports, même ceux à jour"
    )
    p.add_argument(
        "--sans-notebook",
        action="store_true",
        help="ne garde pas le notebook exécuté (.ipynb) à côté du HTML",
    )
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="où produire les rapports : cette machine (défaut) ou un cluster Dask",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADRESSE",
        help="adresse de l'ordonnanceur Dask (ex. tcp://10.0.0.5:8786), avec --executor dask",
    )


def run(args) -> int:
    from observatoire.publish.batch import BatchRequest, run_batch

    if args.executor == "dask" and not args.scheduler:
        raise ConfigError(
            "--executor dask demande l'adresse de l'ordonnanceur : --scheduler tcp://hôte:8786"
        )
    if args.scheduler and args.executor != "dask":
        raise ConfigError("--scheduler ne sert qu'avec --executor dask")
    if args.annee is not None and not args.participation:
        raise ConfigError("--annee ne sert qu'avec --participation")
    # dossier de sortie contrôlé avant toute lecture : rien (cache compris) écrit pour rien
    check_output_folder(args.sortie or load_config(Path(args.config)).output_dir)
    request = BatchRequest(
        config=Path(args.config),
        quartiers=list(args.quartier),
        all_quartiers=args.tous,
        evaluation=args.evaluation,
        debut=args.debut,
        fin=args.fin,
        concertations=args.concertations,
        demarches=list(args.demarche),
        participation=args.participation,
        annee=args.annee,
        formats=tuple(args.format),
        out_dir=Path(args.sortie) if args.sortie else None,
        workers=args.jobs,
        force=args.force,
        keep_notebook=not args.sans_notebook,
        executor=args.executor,
        scheduler=args.scheduler,
    )
    return run_batch(request).exit_code
