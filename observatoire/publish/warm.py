"""Processus pré-chauffé forké pour chaque rapport (« zygote »).

Démarrer Python, importer pandas/matplotlib/geopandas/papermill et relire les tables
coûte plus que d'exécuter un tableau de bord. Le lot démarre donc UN processus
pré-chauffé (:class:`WarmProcess`) qui importe les bibliothèques, charge le
territoire (cache Parquet) une fois, crée le shell IPython, puis attend des
rapports : pour chacun, il se forke ; le fils exécute le notebook avec ses
paramètres (moteur papermill :mod:`observatoire.publish.engine`), écrit ses
fichiers et meurt. Chaque rapport tourne donc dans un processus neuf, qui partage
en copie sur écriture la mémoire déjà chargée.

Le processus pré-chauffé et ses fils meurent avec le lot (``PR_SET_PDEATHSIG``
sous Linux, et fin du tube de commande) : un ``kill -9`` du lot n'en laisse aucun.

Exemple ::

    with WarmProcess(WarmSettings(config=Path("observatoire.toml"))) as warm:
        warm.submit(0, job, Path("reports"), keep_notebook=True)
        for job_id, result, peak_rss in warm.results():
            ...
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_HEADER = struct.Struct("!I")
PR_SET_PDEATHSIG = 1


@dataclass
class WarmSettings:
    """Ce que le processus pré-chauffé prépare avant le premier rapport."""

    config: Path | None = None  # territoire à charger d'avance (None : aucun)
    formats: tuple[str, ...] = ("html",)
    engine_name: str = "observatoire"
    log_path: Path | None = None  # sorties brutes (avertissements des bibliothèques)
    # Fonction qui produit un rapport (contrat de observatoire.publish.report).
    runner: str = "observatoire.publish.report:produce_report"
    extra_modules: tuple[str, ...] = field(default_factory=tuple)
    # Rapport produit une fois, à blanc (dossier temporaire), avant de forker : gabarits
    # compilés, mesures de texte, caches des sections hérités par tous les rapports.
    warm_job: Any = None


# ---------------------------------------------------------------------- trames


def _send(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _recv(fd: int) -> Any:
    """Lit une trame ; ``None`` si le tube est fermé."""
    header = _read_exact(fd, _HEADER.size)
    if header is None:
        return None
    data = _read_exact(fd, _HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)


def _die_with_parent() -> None:
    """Sous Linux : recevoir SIGKILL quand le processus parent meurt."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


# ---------------------------------------------------------------------- côté lot


class WarmProcess:
    """Client du processus pré-chauffé : soumet des rapports, reçoit les résultats."""

    def __init__(self, settings: WarmSettings) -> None:
        self.settings = settings
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        env = dict(os.environ)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")
        env.setdefault("MPLBACKEND", "Agg")
        log = open(settings.log_path, "ab") if settings.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "observatoire.publish.warm",
                    str(to_child_r),
                    str(from_child_w),
                    str(os.getpid()),
                ],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=env,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
            if log is not subprocess.DEVNULL:
                log.close()
        _send(self._to_child, settings)
        self.pending: set[int] = set()
        self.info: dict[str, Any] = {}

    def wait_ready(self) -> dict[str, Any]:
        """Attend la fin du pré-chauffage ; renvoie ses mesures (durée, mémoire)."""
        message = _recv(self._from_child)
        if message is None or message[0] != "ready":
            code = self.proc.wait()
            raise RuntimeError(f"le processus pré-chauffé s'est arrêté au démarrage (code {code})")
        self.info = message[1]
        return self.info

    def submit(self, job_id: int, job: Any, out_dir: Path, **options: Any) -> None:
        """Demande un rapport (exécuté aussitôt dans un processus forké)."""
        self.pending.add(job_id)
        _send(self._to_child, ("job", job_id, job, Path(out_dir), options))

    def results(self, timeout: float | None = None) -> list[tuple[int, Any, int]]:
        """Résultats arrivés : ``(job_id, ReportResult, mémoire max en octets)``."""
        ready, _, _ = select.select([self._from_child], [], [], timeout)
        out = []
        while ready:
            message = _recv(self._from_child)
            if message is None:
                code = self.proc.wait()
                raise RuntimeError(f"le processus pré-chauffé s'est arrêté (code {code})")
            _, job_id, result, peak = message
            self.pending.discard(job_id)
            out.append((job_id, result, peak))
            ready, _, _ = select.select([self._from_child], [], [], 0)
        return out

    def close(self) -> None:
        """Arrête le processus pré-chauffé et ses rapports en cours."""
        with contextlib.suppress(OSError):
            os.close(self._to_child)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.close(self._from_child)

    def __enter__(self) -> WarmProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------- côté processus chaud


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _runner(spec: str) -> tuple[Any, Any]:
    """``"module:fonction"`` → (fonction, classe ReportResult du même module)."""
    module_name, _, func = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, func), module.ReportResult


def _run_child(job: Any, out_dir: Path, options: dict[str, Any], settings: WarmSettings) -> Any:
    """Produit un rapport ; une erreur d'entrée/sortie (code 2) est marquée ``fatal``."""
    from observatoire.errors import EXIT_BAD_INPUT, ObservatoireError

    produce, result_cls = _runner(settings.runner)
    start = time.perf_counter()
    try:
        return produce(job, out_dir, engine_name=settings.engine_name, **options)
    except ObservatoireError as exc:
        result = result_cls(job, [], "erreur", time.perf_counter() - start, str(exc))
        if exc.exit_code == EXIT_BAD_INPUT:
            result.fatal = str(exc)  # le lot s'arrête : disque plein, config invalide…
        return result
    except BaseException as exc:  # noqa: BLE001 - un rapport ne doit pas tuer le lot
        return result_cls(
            job, [], "erreur", time.perf_counter() - start, f"{type(exc).__name__} : {exc}"
        )


def _fork_job(message: tuple, settings: WarmSettings, keep_fds: set[int]) -> tuple[int, int]:
    _, job_id, job, out_dir, options = message
    read_fd, write_fd = os.pipe()
    zygote = os.getpid()
    pid = os.fork()
    if pid == 0:  # fils : un rapport, puis sortie immédiate
        try:
            _die_with_parent()
            if os.getppid() != zygote:
                os._exit(1)
            os.close(read_fd)
            for fd in keep_fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            result = _run_child(job, out_dir, options, settings)
            _send(write_fd, (result, _peak_rss()))
        finally:
            os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def _crash_result(job: Any, status: int, duration: float, settings: WarmSettings) -> Any:
    _, result_cls = _runner(settings.runner)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        cause = f"signal {sig} ({signal.Signals(sig).name})"
        if sig == signal.SIGKILL:
            cause += ", peut-être faute de mémoire"
    else:
        cause = f"code {os.WEXITSTATUS(status)}"
    return result_cls(
        job, [], "erreur", duration, f"le processus du rapport s'est arrêté brutalement : {cause}"
    )


def serve(cmd_fd: int, out_fd: int, parent: int | None = None) -> None:
    """Boucle du processus pré-chauffé (lancée par :class:`WarmProcess`)."""
    _die_with_parent()
    if parent is not None and os.getppid() != parent:  # lot mort avant prctl
        os._exit(1)
    settings: WarmSettings = _recv(cmd_fd)
    from observatoire.publish.prewarm import warm_up

    info = warm_up(settings)
    _send(out_fd, ("ready", info))
    children: dict[int, tuple[int, int, Any, float, bytearray]] = {}  # fd → pid, id, job…
    open_cmd = True
    while open_cmd or children:
        watch = list(children) + ([cmd_fd] if open_cmd else [])
        ready, _, _ = select.select(watch, [], [])
        for fd in ready:
            if fd == cmd_fd:
                message = _recv(cmd_fd)
                if message is None:  # le lot est parti : on arrête tout
                    open_cmd = False
                    for pid, *_ in children.values():
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
                    continue
                keep = {cmd_fd, out_fd, *children}
                pid, rfd = _fork_job(message, settings, keep)
                children[rfd] = (pid, message[1], message[2], time.perf_counter(), bytearray())
                continue
            pid, job_id, job, started, buffer = children[fd]
            chunk = os.read(fd, 1 << 16)
            if chunk:
                buffer.extend(chunk)
                continue
            os.close(fd)
            del children[fd]
            _, status = os.waitpid(pid, 0)
            payload = None
            if len(buffer) >= _HEADER.size:
                with contextlib.suppress(Exception):
                    payload = pickle.loads(bytes(buffer[_HEADER.size :]))
            if payload is None:
                elapsed = time.perf_counter() - started
                result, peak = _crash_result(job, status, elapsed, settings), 0
            else:
                result, peak = payload
            if open_cmd:
                with contextlib.suppress(BrokenPipeError):
                    _send(out_fd, ("result", job_id, result, peak))


if __name__ == "__main__":  # pragma: no cover - lancé par WarmProcess
    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
