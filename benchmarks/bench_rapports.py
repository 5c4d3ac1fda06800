"""Banc d'essai : boucle papermill + nbconvert naïve contre ``observatoire rapports``.

En une exécution, sur le même territoire synthétique (généré par
``generate_demo``) :

1. la boucle qu'écrirait un agent à la main, un quartier après l'autre ::

       papermill dashboard_quartier.ipynb q.ipynb -p config … -p quartier CODE
       jupyter nbconvert --to html --no-input q.ipynb

2. ``observatoire rapports --quartier …`` sur les MÊMES N quartiers, en HTML ;
3. le cas national : ``observatoire rapports --tous`` sur un territoire de
   ``--national`` quartiers (1 600 par défaut), puis sa relance sans changement.

Pour chaque étape : durée, mémoire maximale (somme des processus, échantillonnée),
et pour le lot la mémoire maximale d'un rapport (pages partagées comprises).

Exemple ::

    .venv/bin/python benchmarks/bench_rapports.py --n 10 --national 1600 --jobs 2
    .venv/bin/python benchmarks/bench_rapports.py --n 5 --national 0     # sans le cas national
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class TreeMemory:
    """Échantillonne la mémoire résidente d'un processus et de tous ses descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._pids: list[int] = []

    def watch(self, pid: int) -> None:
        self._pids.append(pid)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in list(self._pids):
                try:
                    proc = psutil.Process(pid)
                    procs = [proc, *proc.children(recursive=True)]
                except psutil.Error:
                    continue
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


CPU = {"total": 0.0}  # temps CPU (utilisateur + système) des commandes lancées


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], memory: TreeMemory | None = None, **kw) -> float:
    """Lance une commande, renvoie sa durée ; échoue si elle échoue.

    Le temps CPU de la commande et de tous ses descendants s'ajoute à ``CPU``.
    """
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if memory is not None:
        memory.watch(proc.pid)
    output, _ = proc.communicate()
    elapsed = time.perf_counter() - start
    CPU["total"] += _children_cpu() - cpu
    if proc.returncode not in (0, 1):
        sys.exit(f"échec de {' '.join(cmd[:3])}… (code {proc.returncode}) :\n{output[-3000:]}")
    return elapsed


def territory(dest: Path, n: int) -> Path:
    """Territoire synthétique de ``n`` quartiers (cache Parquet rempli).

    Un territoire déjà généré dans ``dest`` (relance avec le même ``--dossier``) est
    repris tel quel : la génération nationale prend plusieurs minutes.
    """
    from observatoire.demo.generator import generate_demo

    start = time.perf_counter()
    if (dest / "observatoire.toml").is_file():
        print(f"  territoire de {n} quartiers repris : {dest}")
        return dest / "observatoire.toml"
    config = generate_demo(dest, n_quartiers=n)
    subprocess.run(
        [str(BIN / "observatoire"), "valider", "--config", str(config)],
        check=False,
        capture_output=True,
    )
    print(f"  territoire de {n} quartiers généré en {time.perf_counter() - start:.1f} s")
    return config


def quartiers(config: Path) -> list[str]:
    import observatoire

    return [str(c) for c in observatoire.open(config).quartiers["code"]]


def naive_loop(config: Path, codes: list[str], notebook: Path, work: Path) -> tuple[float, int]:
    """La boucle shell : papermill puis nbconvert, un quartier après l'autre."""
    work.mkdir(parents=True, exist_ok=True)
    total = 0.0
    with TreeMemory() as memory:
        for code in codes:
            executed = work / f"{code}.ipynb"
            total += run(
                [
                    str(BIN / "papermill"),
                    str(notebook),
                    str(executed),
                    "-p",
                    "config",
                    str(config),
                    "-p",
                    "quartier",
                    code,
                    "--cwd",
                    str(notebook.parent),
                ],
                memory,
            )
            total += run(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                memory,
            )
    return total, memory.peak


def batch(config: Path, out: Path, jobs: int, args: list[str]) -> tuple[float, int, dict]:
    cmd = [
        str(BIN / "observatoire"),
        "rapports",
        "--config",
        str(config),
        "--format",
        "html",
        "--sortie",
        str(out),
        "--jobs",
        str(jobs),
        *args,
    ]
    with TreeMemory() as memory:
        elapsed = run(cmd, memory)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return elapsed, memory.peak, manifest["dernier_lot"]


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} Mio".replace(",", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10, help="quartiers comparés (défaut 10)")
    parser.add_argument(
        "--national",
        type=int,
        default=1600,
        help="quartiers du cas national (0 : pas de cas national)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="processus du lot")
    parser.add_argument("--dossier", type=Path, help="dossier de travail (défaut : temporaire)")
    args = parser.parse_args()
    work = args.dossier or Path(tempfile.mkdtemp(prefix="bench-rapports-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"Banc d'essai des rapports — {os.cpu_count()} cœurs, --jobs {args.jobs}, dossier {work}")

    from observatoire.publish.jobs import ReportJob
    from observatoire.publish.report import notebook_path

    size = max(args.n, 14)
    config = territory(work / f"territoire-{size}", size)
    codes = quartiers(config)[: args.n]
    notebook = notebook_path(ReportJob("quartier", config, {"quartier": codes[0]}))
    print(f"\n1. Boucle naïve papermill + nbconvert, {len(codes)} quartiers ({notebook.name})")
    CPU["total"] = 0.0
    naive, naive_mem = naive_loop(config, codes, notebook, work / "naif")
    naive_cpu = CPU["total"]
    print(
        f"   {naive:.1f} s, soit {naive / len(codes):.2f} s par tableau de bord "
        f"(CPU {naive_cpu:.1f} s) ; mémoire max {mib(naive_mem)}"
    )

    print(f"\n2. observatoire rapports, les mêmes {len(codes)} quartiers (HTML)")
    out = work / "lot"
    shutil.rmtree(out, ignore_errors=True)
    flags = [a for code in codes for a in ("--quartier", code)]
    CPU["total"] = 0.0
    ours, ours_mem, info = batch(config, out, args.jobs, flags)
    ours_cpu = CPU["total"]
    print(
        f"   {ours:.1f} s, soit {ours / len(codes):.2f} s par tableau de bord "
        f"(CPU {ours_cpu:.1f} s) ; mémoire max {mib(ours_mem)} (tous processus), "
        f"{info['memoire_max_rapport_mio']:.0f} Mio par rapport"
    )
    print(
        f"   rapport des temps : {ours / naive:.3f} (accélération × {naive / ours:.1f}) ; "
        f"rapport des temps CPU : {ours_cpu / naive_cpu:.3f}"
    )
    print(f"   charge moyenne de la machine (1 min) : {os.getloadavg()[0]:.1f}")

    if args.national:
        print(f"\n3. Cas national : {args.national} quartiers, --tous, HTML")
        national = territory(work / f"territoire-{args.national}", args.national)
        out = work / "national"
        shutil.rmtree(out, ignore_errors=True)
        CPU["total"] = 0.0
        elapsed, mem, info = batch(national, out, args.jobs, ["--tous"])
        print(
            f"   {info['produits']} produits, {info['echecs']} échecs en {elapsed:.0f} s "
            f"({elapsed / 60:.1f} min, {elapsed / max(info['rapports'], 1):.2f} s par rapport) ; "
            f"mémoire max {mib(mem)} (tous processus), "
            f"{info['memoire_max_rapport_mio']:.0f} Mio par rapport ; CPU {CPU['total']:.0f} s"
        )
        again, _, info = batch(national, out, args.jobs, ["--tous"])
        print(f"   relance sans changement : {again:.1f} s ({info['sautes']} sautés)")


if __name__ == "__main__":
    main()
