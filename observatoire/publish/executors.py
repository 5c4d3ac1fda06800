"""Registre des exécuteurs de lots : où tournent les rapports.

- ``local`` (défaut) : un processus pré-chauffé sur cette machine, forké pour chaque
  rapport, ``--jobs N`` rapports à la fois (:mod:`observatoire.publish.warm`) ;
- ``dask`` : les rapports sont répartis sur un cluster Dask distributed
  (``--scheduler tcp://hôte:8786``) ; chaque worker garde son propre processus
  pré-chauffé. Dask n'est importé que pour cet exécuteur.

Ajouter un exécuteur = une classe qui expose ``run(tasks)`` + une ligne dans
:data:`EXECUTORS`.

Exemple ::

    executor = get_executor("local", workers=2, settings=WarmSettings(config=cfg))
    for index, result, peak in executor.run(tasks):
        ...
"""

from __future__ import annotations

import contextlib
import importlib
import os
import queue
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatoire.errors import ConfigError
from observatoire.publish.warm import WarmProcess, WarmSettings

# Une ligne par exécuteur : nom → "module:classe" (importé à la demande).
EXECUTORS = {
    "local": "observatoire.publish.executors:LocalExecutor",
    "dask": "observatoire.publish.executors:DaskExecutor",
}


@dataclass
class Task:
    """Un rapport à produire : son rang dans le lot, le job, le dossier, les options."""

    index: int
    job: Any
    out_dir: Path
    options: dict[str, Any] = field(default_factory=dict)


Outcome = tuple[int, Any, int]  # (rang, ReportResult, mémoire max du rapport en octets)


class LocalExecutor:
    """Processus pré-chauffé local, ``workers`` rapports forkés en même temps."""

    name = "local"

    def __init__(self, *, settings: WarmSettings, workers: int | None = None, **_: Any) -> None:
        self.settings = settings
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.warm_info: dict[str, Any] = {}
        self.stop = threading.Event()
        self.warm: WarmProcess | None = None

    def start(self) -> None:
        """Lance le pré-chauffage (il avance pendant que le lot valide les données)."""
        if self.warm is None:
            self.warm = WarmProcess(self.settings)

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Produit les rapports ; rend chaque résultat dès qu'il arrive."""
        if not tasks:
            return
        self.start()
        warm = self.warm
        self.warm_info = warm.wait_ready()
        todo = list(tasks)
        todo.reverse()
        while todo or warm.pending:
            while todo and len(warm.pending) < self.workers and not self.stop.is_set():
                task = todo.pop()
                warm.submit(task.index, task.job, task.out_dir, **task.options)
            if self.stop.is_set():
                todo.clear()
            if not warm.pending:
                break
            yield from warm.results(timeout=1.0)

    def close(self) -> None:
        """Arrête le processus pré-chauffé (et les rapports en cours)."""
        if self.warm is not None:
            self.warm.close()
            self.warm = None


# ---------------------------------------------------------------------- Dask

_WORKER_POOLS: dict[str, _SharedWarm] = {}
_WORKER_LOCK = threading.Lock()


class _SharedWarm:
    """Processus pré-chauffé d'un worker Dask, partagé par ses fils d'exécution.

    Il est démarré par un fil dédié qui ne s'arrête jamais (``PR_SET_PDEATHSIG``
    est lié au fil créateur) ; ce fil distribue aussi les résultats.
    """

    def __init__(self, settings: WarmSettings) -> None:
        self.waiters: dict[int, queue.Queue] = {}
        self.requests: queue.Queue = queue.Queue()
        self.counter = 0
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        started = threading.Event()
        thread = threading.Thread(target=self._loop, args=(settings, started), daemon=True)
        thread.start()
        started.wait()
        if self.error is not None:
            raise self.error

    def _loop(self, settings: WarmSettings, started: threading.Event) -> None:
        try:
            warm = WarmProcess(settings)
            warm.wait_ready()
        except BaseException as exc:  # noqa: BLE001
            self.error = exc
            started.set()
            return
        started.set()
        try:
            while True:
                while not self.requests.empty():
                    job_id, task = self.requests.get()
                    warm.submit(job_id, task.job, task.out_dir, **task.options)
                for job_id, result, peak in warm.results(timeout=0.05):
                    self.waiters.pop(job_id).put((result, peak))
        except BaseException as exc:  # noqa: BLE001 - processus pré-chauffé perdu
            self.error = exc
            with _WORKER_LOCK:
                for key, pool in list(_WORKER_POOLS.items()):
                    if pool is self:
                        del _WORKER_POOLS[key]
            for box in list(self.waiters.values()):
                box.put((exc, 0))

    def run(self, task: Task) -> tuple[Any, int]:
        box: queue.Queue = queue.Queue()
        with self.lock:
            self.counter += 1
            job_id = self.counter
            self.waiters[job_id] = box
        if self.error is not None:
            raise RuntimeError(f"processus pré-chauffé du worker perdu : {self.error}")
        self.requests.put((job_id, task))
        result, peak = box.get()
        if isinstance(result, BaseException):
            raise RuntimeError(f"processus pré-chauffé du worker perdu : {result}")
        return result, peak


def run_on_worker(task: Task, settings: WarmSettings) -> Outcome:
    """Tâche Dask : produit un rapport dans le processus pré-chauffé du worker."""
    key = repr(settings)
    with _WORKER_LOCK:
        pool = _WORKER_POOLS.get(key)
        if pool is None:
            pool = _WORKER_POOLS[key] = _SharedWarm(settings)
    result, peak = pool.run(task)
    return task.index, result, peak


class DaskExecutor:
    """Répartit les rapports sur un cluster Dask distributed (``--scheduler``)."""

    name = "dask"

    def __init__(
        self,
        *,
        settings: WarmSettings,
        scheduler: str | None = None,
        client: Any = None,
        **_: Any,
    ) -> None:
        if client is None and not scheduler:
            raise ConfigError(
                "L'exécuteur dask demande l'adresse du cluster : --scheduler tcp://hôte:8786"
            )
        self.settings = settings
        self.scheduler = scheduler
        self.client = client
        self.warm_info: dict[str, Any] = {}
        self.stop = threading.Event()

    def start(self) -> None:
        """Rien à préparer : chaque worker pré-chauffe au premier rapport."""

    def close(self) -> None:
        """Les processus pré-chauffés vivent avec leurs workers."""

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise ConfigError(
                "L'exécuteur dask demande les paquets dask et distributed : "
                "pip install 'observatoire[dask]'"
            ) from None
        client = self.client
        own = client is None
        if own:
            try:
                client = Client(self.scheduler, timeout=30)
            except OSError as exc:
                raise ConfigError(
                    f"Cluster Dask injoignable à l'adresse {self.scheduler} : {exc}"
                ) from None
        try:
            futures = {
                client.submit(run_on_worker, task, self.settings, pure=False, key=_key(task)): task
                for task in tasks
            }
            for future in as_completed(list(futures)):
                if self.stop.is_set():
                    client.cancel(list(futures))
                    break
                try:
                    yield future.result()
                except Exception as exc:  # worker perdu : ce rapport échoue, pas le lot
                    yield _failure(futures[future], exc)
        finally:
            if own:
                client.close()


def _failure(task: Task, exc: BaseException) -> Outcome:
    from observatoire.publish.report import ReportResult

    message = f"échec sur le cluster Dask : {type(exc).__name__} — {exc}"
    return task.index, ReportResult(task.job, [], "erreur", 0.0, message), 0


def _key(task: Task) -> str:
    return f"rapport-{task.job.key.replace('/', '-')}-{os.getpid()}-{task.index}"


def get_executor(name: str, **kwargs: Any) -> LocalExecutor | DaskExecutor:
    """Instancie l'exécuteur ``name`` (voir :data:`EXECUTORS`)."""
    if name not in EXECUTORS:
        raise ConfigError(
            f"Exécuteur inconnu : {name} (exécuteurs disponibles : {', '.join(EXECUTORS)})"
        )
    module_name, _, cls_name = EXECUTORS[name].partition(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(**kwargs)


# ---------------------------------------------------------------------- lot

WARM_LOG_NAME = "journal-processus.log"
WARM_REPORT_MIN = 30  # rapports à produire à partir desquels on en produit un à blanc


def start_executor(request: Any, out_dir: Path, todo: list[Any]) -> Any:
    """Crée l'exécuteur et lance son pré-chauffage (rien n'est écrit dans la sortie).

    Pour un lot d'au moins ``WARM_REPORT_MIN`` rapports, le processus pré-chauffé
    produit d'abord le premier à blanc (``prewarm._warm_report``) : il coûte un rapport
    au démarrage et fait gagner ≈ 10 % sur chacun des suivants.
    """
    from observatoire.publish.prewarm import private_ipython_dir

    private_ipython_dir()  # HOME non inscriptible : profil IPython privé, effacé à la sortie
    if request.executor == "local":  # journal provisoire, recopié dans la sortie à la fin
        fd, name = tempfile.mkstemp(prefix="observatoire-processus-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    else:  # les workers écrivent directement dans le dossier de sortie partagé
        log_path = out_dir / WARM_LOG_NAME
    settings = WarmSettings(
        config=Path(request.config).resolve(),
        formats=tuple(request.formats),
        log_path=log_path,
        warm_job=todo[0].job if len(todo) >= WARM_REPORT_MIN else None,
    )
    executor = get_executor(
        request.executor,
        settings=settings,
        workers=request.workers,
        scheduler=request.scheduler,
        client=request.client,
    )
    executor.start()
    return executor


def keep_warm_log(executor: Any, out_dir: Path) -> None:
    """Recopie le journal provisoire du processus pré-chauffé dans le dossier de sortie."""
    log_path = executor.settings.log_path
    if log_path is None or log_path.parent == out_dir:
        return
    with contextlib.suppress(OSError):
        text = log_path.read_bytes()
        if text.strip() and out_dir.is_dir():
            with open(out_dir / WARM_LOG_NAME, "ab") as fh:
                fh.write(text)
    with contextlib.suppress(OSError):
        log_path.unlink()
