"""Lot de rapports : parallèle, incrémental, atomique, reprenable.

:func:`run_batch` enchaîne : configuration lue (erreur → code 2, rien d'écrit),
plan (empreintes, rapports à jour sautés), données validées si quelque chose est à
refaire, verrou du dossier de sortie, exécution par un exécuteur
(:mod:`observatoire.publish.executors`), manifeste mis à jour au fil de l'eau,
page d'index, résumé. Codes : 0 tout bon, 1 des rapports ont échoué, 2 entrée,
configuration ou dossier de sortie invalide.

Exemple ::

    request = BatchRequest(config=Path("observatoire.toml"), all_quartiers=True)
    summary = run_batch(request)
    summary.exit_code
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from observatoire.config import Config, load_config
from observatoire.errors import ConfigError
from observatoire.publish.executors import (
    WARM_REPORT_MIN,
    keep_warm_log,
    start_executor,
)
from observatoire.publish.jobs import SAFE_CODE, ReportJob
from observatoire.publish.lock import OutputLock, output_error, prepare_output
from observatoire.publish.manifest import Manifest
from observatoire.publish.plan import (
    PlannedReport,
    clean_partial_files,
    data_fingerprint,
    plan_reports,
)
from observatoire.publish.progress import Progress, format_duration
from observatoire.publish.territory_info import (
    evaluation_years,
    open_territory,
    participation_year,
    territory_summary,
)

LOG_NAME = "journal.log"
NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"  # = report.NOTEBOOKS_DIR
SAVE_EVERY = 2.0  # secondes entre deux écritures du manifeste pendant le lot


@dataclass
class BatchRequest:
    """Ce que demande ``observatoire rapports``."""

    config: Path
    quartiers: list[str] = field(default_factory=list)
    all_quartiers: bool = False
    evaluation: bool = False
    debut: int | None = None
    fin: int | None = None
    concertations: bool = False  # un bilan par démarche de la table concertations
    demarches: list[str] = field(default_factory=list)
    participation: bool = False  # rapport annuel de la participation citoyenne
    annee: int | None = None
    formats: tuple[str, ...] = ("html", "pdf")
    out_dir: Path | None = None
    workers: int | None = None
    force: bool = False
    keep_notebook: bool = True
    executor: str = "local"
    scheduler: str | None = None
    client: Any = None  # client Dask déjà ouvert (tests, notebooks)
    stream: TextIO | None = None


@dataclass
class BatchSummary:
    """Bilan d'un lot."""

    produced: list[Any] = field(default_factory=list)  # ReportResult ok
    failed: list[Any] = field(default_factory=list)  # ReportResult en erreur
    skipped: list[ReportJob] = field(default_factory=list)
    duration: float = 0.0
    peak_memory: int = 0
    fatal: str | None = None
    index_error: str | None = None

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return 2
        return 1 if self.failed or self.index_error else 0


def build_jobs(request: BatchRequest, config: Config, info: dict[str, Any]) -> list[ReportJob]:
    """Les rapports demandés ; un code de quartier inconnu est une erreur (code 2)."""
    known = list(info.get("quartiers", []))
    codes: list[str] = []
    if request.all_quartiers:
        codes = known
    unknown = [c for c in request.quartiers if c not in known]
    if unknown:
        shown = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
        raise ConfigError(
            f"Quartier(s) inconnu(s) dans {config.path.name} : {', '.join(unknown)} "
            f"(quartiers du territoire : {shown or 'aucun'})"
        )
    codes += [c for c in request.quartiers if c not in codes]
    formats = tuple(request.formats)
    jobs = [ReportJob("quartier", config.path, {"quartier": c}, formats) for c in codes]
    if request.evaluation:
        debut, fin = evaluation_years(request.debut, request.fin, config, info)
        params = {"debut": debut, "fin": fin, "perimetre": None}
        jobs.append(ReportJob("evaluation", config.path, params, formats))
    for demarche in _demarches(request, config, info):
        jobs.append(ReportJob("concertation", config.path, {"demarche": demarche}, formats))
    if request.participation:
        annee = participation_year(request.annee, config, info)
        jobs.append(ReportJob("participation", config.path, {"annee": annee}, formats))
    if not jobs:
        if request.concertations:
            raise ConfigError(
                f"Aucune démarche de concertation dans les données de {config.path.name} "
                "(source de type « concertations ») : aucun bilan à produire."
            )
        raise ConfigError(
            "Aucun rapport demandé : indiquez --tous, --quartier CODE, --evaluation, "
            "--concertations, --demarche ID ou --participation."
        )
    return jobs


def _demarches(request: BatchRequest, config: Config, info: dict[str, Any]) -> list[str]:
    """Démarches dont le bilan est demandé ; un identifiant inconnu est une erreur (code 2)
    qui cite les identifiants proches."""
    import difflib

    known = [str(i) for i in info.get("demarches") or []]
    unknown = [d for d in request.demarches if d not in known]
    if unknown:
        parts = []
        for d in unknown:
            close = difflib.get_close_matches(d, known, n=5, cutoff=0.5)
            hint = f" (identifiants proches : {', '.join(close)})" if close else ""
            parts.append(f"{d!r}{hint}")
        shown = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
        raise ConfigError(
            f"Démarche(s) de concertation inconnue(s) dans {config.path.name} : "
            + " ; ".join(parts)
            + f". Démarches des données : {shown or 'aucune'}."
        )
    wanted = list(known) if request.concertations else []
    wanted += [d for d in request.demarches if d not in wanted]
    names: dict[str, str] = {}
    for d in wanted:  # deux identifiants qui donneraient le même fichier : refusé
        name = ReportJob("concertation", config.path, {"demarche": d}).key.lower()
        if name in names and names[name] != d:
            raise ConfigError(
                f"Les démarches {names[name]!r} et {d!r} donneraient le même fichier "
                f"de bilan ({name}) : renommez l'une d'elles."
            )
        names[name] = d
    return wanted


def _notebooks(jobs: list[ReportJob], config: Config) -> dict[str, Path]:
    """Notebook de chaque type de rapport, résolu comme ``report.notebook_path``.

    Même règle (``[rapports] notebooks`` de la configuration, sinon ``notebooks/`` du
    dépôt), sans importer le module de rendu (nbformat coûte ≈ 1 s à l'import) : le
    processus pré-chauffé démarre plus tôt et une relance sans changement reste brève.
    """
    folder = config.section("rapports").get("notebooks")
    base = (config.root / folder) if folder else NOTEBOOKS_DIR
    found: dict[str, Path] = {}
    for job in jobs:
        if job.kind not in found:
            path = base / job.notebook
            if not path.is_file():
                raise ConfigError(f"Notebook de rapport introuvable : {path}")
            found[job.kind] = path
    return found


def _still_valid(info: dict[str, Any], data_fp: str) -> bool:
    """Le résumé du territoire noté au manifeste vaut pour ces données (et est complet)."""
    return info.get("empreinte") == data_fp and "demarches" in info


def run_batch(request: BatchRequest) -> BatchSummary:
    """Produit les rapports demandés (voir le module) ; renvoie le bilan."""
    start = time.monotonic()
    config = load_config(request.config)
    malformed = [c for c in request.quartiers if not SAFE_CODE.match(c)]
    if malformed:  # refusé avant toute lecture : ni cache ni sortie écrits
        raise ConfigError(
            "Code(s) de quartier invalide(s) : "
            + ", ".join(repr(c) for c in malformed)
            + " — attendu : un code QPV (ex. QN04901M, QP093005)"
        )
    out_dir = Path(request.out_dir or config.output_dir).resolve()
    manifest = Manifest.load(out_dir)
    data_fp, files = data_fingerprint(config, manifest.files)
    info = manifest.territory if _still_valid(manifest.territory, data_fp) else None
    obs = None
    if info is None:
        obs = open_territory(config.path)
        info = territory_summary(obs, data_fp)
    jobs = build_jobs(request, config, info)
    notebooks = _notebooks(jobs, config)

    def plan(reports: dict[str, dict[str, Any]]) -> list[PlannedReport]:
        return plan_reports(
            jobs,
            config=config,
            data_fp=data_fp,
            notebooks=notebooks,
            reports=reports,
            out_dir=out_dir,
            keep_notebook=request.keep_notebook,
            force=request.force,
        )

    planned = plan(manifest.reports)
    index_missing = not (out_dir / "index.html").is_file()
    summary = BatchSummary()
    executor = base = None
    try:
        todo = [p for p in planned if not p.up_to_date]
        if todo:
            # le pré-chauffage avance pendant que ce processus valide les données
            executor = start_executor(request, out_dir, todo)
        if obs is None and (index_missing or executor is not None):
            obs = open_territory(config.path)  # données validées avant toute écriture
        if obs is not None and executor is not None and len(todo) >= WARM_REPORT_MIN:
            # fond de la carte d'index calculé pendant que le processus pré-chauffé démarre
            from observatoire.publish.index import BaseMapInBackground

            base = BaseMapInBackground(obs)
        prepare_output(out_dir)
        with OutputLock(out_dir) as lock:
            manifest = Manifest.load(out_dir)  # relu sous verrou
            manifest.files, manifest.territory = files, info
            planned = plan(manifest.reports)
            todo = [p for p in planned if not p.up_to_date]
            summary.skipped = [p.job for p in planned if p.up_to_date]
            try:
                removed = clean_partial_files(out_dir)
                with Progress(
                    len(todo), stream=request.stream, log_path=out_dir / LOG_NAME
                ) as progress:
                    _announce(progress, lock, removed, todo, summary, request, out_dir)
                    if todo:
                        executor = executor or start_executor(request, out_dir, todo)
                        _execute(executor, request, todo, out_dir, manifest, progress, summary)
                    manifest.batch = _batch_info(request, summary, start, len(planned))
                    manifest.save()
                    if obs is not None and (todo or index_missing):
                        _write_index(out_dir, manifest, config, obs, progress, summary, base)
                    summary.duration = time.monotonic() - start
                    _conclude(progress, summary)
            except OSError as exc:
                raise output_error(exc, out_dir) from None
    finally:
        if executor is not None:
            executor.close()
            keep_warm_log(executor, out_dir)
    return summary


def _announce(progress, lock, removed, todo, summary, request, out_dir) -> None:
    if lock.stale:
        progress.info(f"Verrou périmé repris (lot interrompu : {lock.stale}).")
    if removed:
        progress.info(f"{removed} fichier(s) partiel(s) d'un lot interrompu supprimé(s).")
    skipped = len(summary.skipped)
    if not todo:
        progress.info(f"Rien à refaire : {skipped} rapport(s) à jour, sautés ({out_dir}).")
        return
    where = (
        f"cluster Dask {request.scheduler or ''}".strip()
        if request.executor == "dask"
        else f"{request.workers or os.cpu_count()} processus"
    )
    text = f"{len(todo)} rapport(s) à produire dans {out_dir} ({where})"
    if skipped:
        text += f" ; {skipped} à jour, sautés"
    progress.info(text + ".")


def _execute(executor, request, todo, out_dir, manifest, progress, summary) -> None:
    from observatoire.publish.executors import Task

    options = {"keep_notebook": request.keep_notebook}
    tasks = [Task(i, p.job, out_dir, options) for i, p in enumerate(todo)]
    previous = signal.getsignal(signal.SIGTERM)
    with contextlib.suppress(ValueError):  # hors fil principal : pas de signal
        signal.signal(signal.SIGTERM, _terminate)
    last_save = time.monotonic()
    try:
        for index, result, peak in executor.run(tasks):
            item = todo[index]
            summary.peak_memory = max(summary.peak_memory, peak)
            _record(manifest, item, result, out_dir, peak)
            (summary.produced if result.status == "ok" else summary.failed).append(result)
            progress.done(item.job.key, result.status, result.duration, result.error)
            fatal = getattr(result, "fatal", None)
            if fatal:
                summary.fatal = _fatal_message(fatal, out_dir)
                executor.stop.set()
            if time.monotonic() - last_save > SAVE_EVERY:
                manifest.save()
                last_save = time.monotonic()
    finally:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, previous)
        manifest.save()


def _fatal_message(text: str, out_dir: Path) -> str:
    """Erreur d'écriture remontée par un rapport : « disque plein » dit clairement."""
    for code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        if f"[Errno {code}]" in text:
            error = output_error(OSError(code, os.strerror(code)), out_dir)
            return f"{error} Détail : {text}"
    return text


def _terminate(signum, frame) -> None:  # noqa: ARG001
    raise KeyboardInterrupt


def _record(manifest: Manifest, item: PlannedReport, result, out_dir: Path, peak: int) -> None:
    files = []
    for path in result.outputs:
        with contextlib.suppress(ValueError):
            files.append(Path(path).resolve().relative_to(out_dir).as_posix())
    manifest.record(
        item.job.key,
        {
            "type": item.job.kind,
            "parametres": item.job.parameters,
            "formats": list(item.job.formats),
            "empreinte": item.fingerprint,
            "statut": result.status,
            "duree_s": round(result.duration, 3),
            "erreur": result.error,
            "fichiers": files,
            "memoire_max_mio": round(peak / 2**20, 1) if peak else None,
        },
    )


def _write_index(out_dir, manifest, config, obs, progress, summary, base=None) -> None:
    """Page d'index de tous les rapports du dossier ; un échec est signalé, pas fatal."""
    from observatoire.publish.index import write_index

    try:
        write_index(out_dir, _index_results(manifest, config, out_dir), obs, base)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - les rapports produits restent valables
        summary.index_error = f"{type(exc).__name__} : {exc}"
        progress.info(f"Page d'index non produite : {summary.index_error}")


def _index_results(manifest: Manifest, config: Config, out_dir: Path) -> list[Any]:
    """Un ReportResult par rapport connu du manifeste (produit par ce lot ou avant)."""
    from observatoire.publish.report import ReportResult

    results = []
    for entry in manifest.reports.values():
        params = dict(entry.get("parametres") or {})
        formats = tuple(entry.get("formats") or ())
        job = ReportJob(entry.get("type", "quartier"), config.path, params, formats)
        outputs = [out_dir / f for f in entry.get("fichiers", []) if (out_dir / f).is_file()]
        results.append(
            ReportResult(
                job,
                outputs,
                entry.get("statut", "erreur"),
                entry.get("duree_s") or 0.0,
                entry.get("erreur"),
            )
        )
    return results


def _batch_info(request, summary, start, total) -> dict[str, Any]:
    return {
        "fin": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "duree_s": round(time.monotonic() - start, 2),
        "rapports": total,
        "produits": len(summary.produced),
        "echecs": len(summary.failed),
        "sautes": len(summary.skipped),
        "executeur": request.executor,
        "processus": request.workers or os.cpu_count(),
        "memoire_max_rapport_mio": round(summary.peak_memory / 2**20, 1),
        "arret": summary.fatal,
    }


def _conclude(progress: Progress, summary: BatchSummary) -> None:
    parts = [f"{len(summary.produced)} produit(s)"]
    if summary.skipped:
        parts.append(f"{len(summary.skipped)} à jour (sauté(s))")
    parts.append(f"{len(summary.failed)} en échec")
    text = f"Terminé en {format_duration(summary.duration)} : " + ", ".join(parts) + "."
    if summary.peak_memory:
        text += f" Mémoire max par rapport : {summary.peak_memory / 2**20:.0f} Mio."
    progress.info(text)
    for result in summary.failed:
        progress.info(f"  échec {result.job.key} : {result.error}")
    if summary.fatal:
        progress.info(f"Lot arrêté : {summary.fatal}")
