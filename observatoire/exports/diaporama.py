"""``observatoire exporter diaporama`` : un PPTX 16:9 par quartier et un pour le territoire.

Diapositives (une section sans données n'en donne pas : sa phrase va sur « À savoir ») :
titre (territoire, quartier, date, « Données fictives ») ; chiffres clés ; écarts aux
références ; position parmi les quartiers (rang) ; évolution ; participation ; qui
participe, qui manque ; contrat de ville ; carte. Chaque diapositive porte sa source et
son millésime en pied, chaque image son texte alternatif. ``[rapports] modele_diaporama``
(chemin relatif à la configuration) : gabarit PPTX 16:9 de la collectivité.

Fichiers (sous ``--sortie``, défaut ``<[sortie] dossier>/exports``) ::

    diaporamas/diaporama-territoire.pptx
    diaporamas/diaporama-QN00001A.pptx

Exemple (API) ::

    from observatoire.exports.diaporama import exporter_diaporama
    exporter_diaporama("data/demo/observatoire.toml", quartier="QN00001A")
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from observatoire.atomic import write_atomic
from observatoire.cache import combine
from observatoire.config import Config, load_config
from observatoire.errors import ConfigError, ObservatoireError
from observatoire.exports import common

FOLDER = "diaporamas"
TERRITOIRE = "territoire"


def register(parser: Any) -> None:
    """Options de ``observatoire exporter diaporama`` (``--config`` et ``--sortie`` déjà là)."""
    parser.description = (
        "Exporte un diaporama PowerPoint 16:9 pour les élus : sans option, celui du "
        "territoire ; --quartier CODE, celui d'un quartier ; --tous, le territoire et chaque "
        "quartier. Gabarit de la collectivité : [rapports] modele_diaporama dans la "
        "configuration. Seuls les diaporamas dont les entrées ont changé sont refaits."
    )
    add_target_options(parser, "diaporama")


def add_target_options(parser: Any, what: str) -> None:
    """``--quartier CODE | --tous`` et ``--force`` (diaporama et figures)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quartier", metavar="CODE", help=f"{what} de ce quartier seulement")
    group.add_argument(
        "--tous", action="store_true", help=f"{what} du territoire et de chaque quartier"
    )
    parser.add_argument("--force", action="store_true", help="refait les exports même à jour")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=f"exports produits en même temps (défaut : nombre de cœurs, ici {os.cpu_count()})",
    )


def run(args: Any) -> int:
    """Exécute la sous-commande (code 2, rien d'écrit, si l'entrée est invalide)."""
    exporter_diaporama(
        args.config,
        quartier=args.quartier,
        tous=args.tous,
        sortie=args.sortie,
        force=getattr(args, "force", False),
        jobs=getattr(args, "jobs", None),
    )
    return 0


def template_path(config: Config) -> Path | None:
    """``[rapports] modele_diaporama`` (vérifié par :func:`load_config`), sinon ``None``."""
    rel = config.section("rapports").get("modele_diaporama")
    return (config.root / rel).resolve() if rel else None


class Units:
    """Quartiers (et territoire) à exporter, territoire ouvert une seule fois s'il le faut."""

    def __init__(self, source: Any, quartier: str | None, tous: bool, sortie: Any) -> None:
        self.obs = None if isinstance(source, str | Path) else source
        self.config = load_config(source) if self.obs is None else self.obs.config
        self.out = common.output_dir(SimpleNamespace(sortie=sortie), self.config)
        self.quartier, self.tous = quartier, tous

    def opened(self) -> Any:
        if self.obs is None:
            import observatoire

            self.obs = observatoire.open(self.config.path)
        return self.obs

    def list(self) -> list[str]:
        """``territoire`` et/ou codes (la liste des quartiers demande d'ouvrir le territoire)."""
        if self.tous:
            return [TERRITOIRE, *self.opened().indicateurs.codes]
        return [str(self.quartier)] if self.quartier else [TERRITOIRE]

    def check(self, unit: str) -> None:
        """Un code inconnu : ``ConfigError`` (code 2) avant toute écriture."""
        from observatoire.exports.slides_quartier import check_quartier

        if unit != TERRITOIRE:
            check_quartier(self.opened(), unit)

    def deck(self, unit: str) -> Any:
        from observatoire.exports.slides_quartier import quartier_deck
        from observatoire.exports.slides_territoire import territoire_deck

        obs = self.opened()
        if unit == TERRITOIRE:
            return territoire_deck(obs, release=False)
        return quartier_deck(obs, unit, release=False)

    def release(self) -> None:
        """Libère les figures partagées gardées pendant le lot (cache des sections)."""
        from observatoire.exports.slides import release_figures

        if self.obs is not None:
            release_figures(self.obs)

    def stale(
        self, kind: str, extra: Any, targets: Callable[[str], Path], force: bool
    ) -> Iterator[tuple[str, str, str, Path]]:
        """Exports à refaire : ``(unité, clé, empreinte, fichier témoin)`` ; les autres sont
        annoncés à jour. Tous les codes sont vérifiés avant la première écriture ; un export
        à jour n'ouvre pas le territoire (seuls des codes valides sont notés au manifeste)."""
        todo = []
        for unit in self.list():
            key = common.export_key(kind, {"quartier": unit})
            fp = combine(common.export_fingerprint(self.config, self.out, key), extra)
            target = targets(unit)
            if not force and common.is_fresh(self.out, key, fp, [target]):
                print(f"À jour : {shown(target)}", file=sys.stdout)
                continue
            self.check(unit)
            todo.append((unit, key, fp, target))
        yield from todo


_BATCH: tuple[Units, Callable] | None = None  # hérité par les processus forkés


class Failure:
    """Un export raté : le lot continue, l'échec est dit à la fin (code 1)."""

    def __init__(self, unit: str, message: str) -> None:
        self.unit, self.message = unit, message


class ExportFailed(ObservatoireError):
    """Certains exports d'un lot ont échoué (les autres sont écrits) : code 1."""


def _attempt(units: Units, work: Callable, item: tuple) -> Any:
    try:
        return work(units, item[0], item[3])
    except Exception as exc:  # un quartier raté n'arrête pas le lot
        text = str(exc) if isinstance(exc, ObservatoireError) else f"{type(exc).__name__} : {exc}"
        return Failure(item[0], text)


def _work(item: tuple) -> tuple[tuple, Any]:
    units, work = _BATCH  # type: ignore[misc]
    return item, _attempt(units, work, item)


def failed(kind: str, failures: list[Failure]) -> None:
    """Lève :class:`ExportFailed` (code 1) si des exports du lot ont échoué."""
    if failures:
        codes = ", ".join(f.unit for f in failures)
        raise ExportFailed(
            f"{len(failures)} export(s) « {kind} » en échec : {codes} (les autres sont écrits ; "
            "messages ci-dessus)."
        )


def report_failure(kind: str, failure: Failure) -> None:
    print(f"Échec de l'export « {kind} » de {failure.unit} : {failure.message}", file=sys.stderr)


def check_jobs(jobs: int | None) -> None:
    """``--jobs`` : un entier ≥ 1 (``None`` : nombre de cœurs), sinon ``ConfigError`` (code 2)."""
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs doit être au moins 1 (valeur trouvée : {jobs}).")


def produce(units: Units, todo: list[tuple], work: Callable, jobs: int | None) -> Iterator:
    """``(élément, résultat de work(units, unité, fichier témoin))`` pour chaque export à
    refaire, dans ``jobs`` processus forkés (après le précalcul partagé des tableaux de
    bord) ; le manifeste n'est écrit que par le processus principal."""
    global _BATCH
    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(todo) <= 1:
        for item in todo:
            yield item, _attempt(units, work, item)
        return
    from observatoire.publish.sections import quartier

    quartier.prepare(units.opened())  # écarts, euros par habitant… : une fois, avant fork
    _BATCH = (units, work)
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(jobs, len(todo)), maxtasksperchild=100) as pool:
            yield from pool.imap_unordered(_work, todo)
    finally:
        _BATCH = None


def shown(path: Path) -> str:
    """Chemin affiché : relatif au dossier courant si possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def deck_file(out: Path, unit: str) -> Path:
    return out / FOLDER / f"diaporama-{common.safe(unit)}.pptx"


def exporter_diaporama(
    source: Any,
    quartier: str | None = None,
    tous: bool = False,
    sortie: str | Path | None = None,
    force: bool = False,
    jobs: int | None = None,
) -> list[Path]:
    """Écrit les diaporamas demandés (les laisse s'ils sont à jour) ; renvoie ceux écrits.

    Un diaporama raté n'arrête pas le lot : les autres sont écrits, puis
    :class:`ExportFailed` (code 1) nomme les quartiers en échec.

    ``source`` : chemin de ``observatoire.toml`` ou territoire ouvert ; ``jobs`` :
    processus en parallèle (défaut : nombre de cœurs). ``ConfigError`` (code 2) pour un
    quartier inconnu ou un gabarit illisible : rien n'est écrit.
    """
    from observatoire.exports.pptx_writer import open_template
    from observatoire.publish.plan import file_digest

    check_jobs(jobs)
    units = Units(source, quartier, tous, sortie)
    template = template_path(units.config)
    if template is not None:
        open_template(template)  # illisible ou pas en 16:9 : erreur avant toute écriture
    digest = file_digest(template) if template is not None else "modele-integre"
    paths = []
    try:
        todo = list(units.stale("diaporama", digest, lambda u: deck_file(units.out, u), force))
        failures = []
        for (_unit, key, fp, target), n in produce(units, todo, _write_deck, jobs):
            if isinstance(n, Failure):
                report_failure("diaporama", n)
                failures.append(n)
                continue
            common.record(units.out, key, fp, [target], units.config)
            print(f"Diaporama écrit : {shown(target)} ({n} diapositives)", file=sys.stdout)
            paths.append(target)
    finally:
        units.release()
    failed("diaporama", failures)
    return paths


def _write_deck(units: Units, unit: str, target: Path) -> int:
    """Écrit le diaporama de ``unit`` ; renvoie son nombre de diapositives."""
    from observatoire.exports.pptx_writer import deck_bytes

    deck = units.deck(unit)
    write_atomic(target, deck_bytes(deck, template_path(units.config)))
    return 1 + len(deck.slides) + (1 if deck.absents else 0)
