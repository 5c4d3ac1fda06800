"""``observatoire exporter figures`` : les figures des diaporamas, seules, en PNG et SVG.

Les mêmes figures que le diaporama (mêmes fonctions de dessin), en PNG 300 dpi (texte
alternatif dans les métadonnées) et en SVG, pour les coller dans un document. Noms
stables et lisibles : ``<NN>-<diapositive>-<titre de la figure>``. Un fichier
``figures.csv`` (« ; », UTF-8 avec BOM) liste chaque figure : fichiers, diapositive,
titre, alternative textuelle, source.

Fichiers (sous ``--sortie``, défaut ``<[sortie] dossier>/exports``) ::

    figures/territoire/01-quartiers-taux-de-pauvrete-dans-les-quartiers-2021.png
    figures/QN00001A/08-carte-taux-de-pauvrete-2021.svg
    figures/QN00001A/figures.csv

Exemple (API) ::

    from observatoire.exports.figures import exporter_figures
    exporter_figures("data/demo/observatoire.toml", quartier="QN00001A")
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from observatoire.atomic import write_atomic
from observatoire.exports import common
from observatoire.exports.diaporama import (
    Failure,
    Units,
    add_target_options,
    check_jobs,
    failed,
    produce,
    report_failure,
    shown,
)
from observatoire.exports.tables_model import neutralise

FOLDER = "figures"
LISTING = "figures.csv"
DPI = 300
COLUMNS = ["fichier_png", "fichier_svg", "diapositive", "titre", "alternative", "source"]


def register(parser: Any) -> None:
    """Options de ``observatoire exporter figures`` (``--config`` et ``--sortie`` déjà là)."""
    parser.description = (
        "Exporte les figures des diaporamas, seules, en PNG 300 dpi et en SVG, avec un "
        "fichier figures.csv (titre, alternative textuelle, source de chaque figure) : sans "
        "option, celles du territoire ; --quartier CODE, celles d'un quartier ; --tous, le "
        "territoire et chaque quartier. Seules les figures dont les entrées ont changé sont "
        "refaites."
    )
    add_target_options(parser, "figures")


def run(args: Any) -> int:
    """Exécute la sous-commande (code 2, rien d'écrit, si l'entrée est invalide)."""
    exporter_figures(
        args.config,
        quartier=args.quartier,
        tous=args.tous,
        sortie=args.sortie,
        force=getattr(args, "force", False),
        jobs=getattr(args, "jobs", None),
    )
    return 0


def folder(out: Path, unit: str) -> Path:
    return out / FOLDER / common.safe(unit)


def listing_text(rows: list[list[str]]) -> str:
    """Contenu de ``figures.csv`` (« ; », guillemets si besoin, BOM pour Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def accessible_svg(svg: str, titre: str, alt: str) -> str:
    """SVG avec ``<title>`` et ``<desc>`` (alternative textuelle) en tête, ``lang="fr"``."""
    head_end = svg.index(">", svg.index("<svg")) + 1
    root = svg[:head_end].replace("<svg ", '<svg lang="fr" role="img" ', 1)
    meta = f"\n <title>{escape(titre)}</title>\n <desc>{escape(alt)}</desc>"
    return root + meta + svg[head_end:]


def write_figures(deck: Any, target: Path) -> list[Path]:
    """Écrit les figures du diaporama ``deck`` dans ``target`` (+ ``figures.csv``)."""
    from observatoire.views.charts import save_figure
    from observatoire.views.svg import figure_svg

    written, rows = [], []
    titles = {id(v): s.titre for s in deck.slides for v in s.visuels}
    for visual in deck.visuals():
        png, svg = target / f"{visual.nom}.png", target / f"{visual.nom}.svg"
        save_figure(visual.figure, png, "png", dpi=DPI)
        write_atomic(svg, accessible_svg(figure_svg(visual.figure), visual.titre, visual.alt))
        written += [png, svg]
        rows.append([png.name, svg.name, titles[id(visual)], visual.titre, visual.alt,
                     f"Source : {visual.source}"])  # fmt: skip
    keep = {p.name for p in written} | {LISTING}
    for old in target.glob("*"):  # figures d'une version précédente des données
        if old.is_file() and old.suffix in (".png", ".svg") and old.name not in keep:
            old.unlink()
    listing = target / LISTING
    write_atomic(listing, listing_text(rows))
    return [*written, listing]


def exporter_figures(
    source: Any,
    quartier: str | None = None,
    tous: bool = False,
    sortie: str | Path | None = None,
    force: bool = False,
    jobs: int | None = None,
) -> list[Path]:
    """Écrit les figures demandées (les laisse si elles sont à jour) ; renvoie les fichiers écrits.

    ``jobs`` : processus en parallèle (défaut : nombre de cœurs). ``ConfigError``
    (code 2) pour un quartier inconnu : rien n'est écrit.
    """
    check_jobs(jobs)
    units = Units(source, quartier, tous, sortie)
    written: list[Path] = []
    try:
        todo = list(units.stale("figures", DPI, lambda u: folder(units.out, u) / LISTING, force))
        failures = []
        for (_unit, key, fp, marker), files in produce(units, todo, _write, jobs):
            if isinstance(files, Failure):
                report_failure("figures", files)
                failures.append(files)
                continue
            common.record(units.out, key, fp, files, units.config)
            n = sum(1 for f in files if f.suffix == ".png")
            print(f"Figures écrites : {shown(marker.parent)} ({n} figures, PNG et SVG)")
            written += files
    finally:
        units.release()
    failed("figures", failures)
    return written


def _write(units: Units, unit: str, marker: Path) -> list[Path]:
    return write_figures(units.deck(unit), marker.parent)
