"""Banc d'essai des analyses à l'échelle nationale : écarts, précalcul, sections d'un
tableau de bord.

Sur un territoire synthétique (``generate_demo``, 1 600 quartiers par défaut, données
fictives), mesure :

1. ``obs.indicateurs.ecarts()`` : la table des écarts de TOUS les quartiers à leurs
   références, sur un territoire fraîchement chargé ;
2. ``sections.quartier.prepare(obs)`` : le précalcul partagé par les tableaux de bord
   (fait une fois dans le processus pré-chauffé des lots), sur un autre territoire
   fraîchement chargé ;
3. les sections d'UN tableau de bord (contexte, en-tête, portrait, écarts, évolution,
   participation, contrat, carte, sources), chacune chronométrée, après ``prepare`` :
   chaque tableau de bord est calculé dans un processus forké, comme dans un lot (ce
   qu'un rapport met en cache ne profite pas au suivant).

Le chargement du territoire (cache Parquet) est affiché à part ; les rapports simulés
sont en HTML seul par défaut (``--formats html,pdf`` : carte statique en plus), et le
temps de rendu des figures en SVG (``blocks._figure_svg``) est affiché à part. Ce n'est pas un test :
les durées dépendent de la machine et de sa charge.

Exemple ::

    .venv/bin/python benchmarks/bench_analyses.py --dest /tmp/nat      # territoire déjà généré
    .venv/bin/python benchmarks/bench_analyses.py --quartiers 1600     # généré dans /tmp
    .venv/bin/python benchmarks/bench_analyses.py --dest /tmp/nat --profil /tmp/prof
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECTIONS = (
    "contexte",
    "entete",
    "portrait",
    "ecarts",
    "evolution",
    "participation",
    "contrat",
    "carte",
    "sources",
)


def _clock(label: str, fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<52} {elapsed:8.2f} s", flush=True)
    return result, elapsed


def _dashboard(obs: Any, code: str) -> dict[str, float]:
    """Durée de chaque section du tableau de bord de ``code`` (dans ce processus)."""
    from observatoire.publish import blocks
    from observatoire.publish.sections import carte, contrat, participation
    from observatoire.publish.sections import quartier as tableau

    times: dict[str, float] = {}
    render = blocks._figure_svg

    def timed_render(*args: Any, **kwargs: Any) -> str:
        start = time.perf_counter()
        try:
            return render(*args, **kwargs)
        finally:
            times["dont_figures"] = times.get("dont_figures", 0.0) + time.perf_counter() - start

    blocks._figure_svg = timed_render  # processus forké : le parent n'est pas touché

    def run(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = fn()
        times[name] = time.perf_counter() - start
        return result

    q = run("contexte", lambda: tableau.contexte(obs, code, None))
    run("entete", lambda: tableau.entete(obs, q))
    run("portrait", lambda: tableau.portrait(obs, q))
    run("ecarts", lambda: tableau.ecarts(obs, q))
    run("evolution", lambda: tableau.evolution(obs, q))
    run("participation", lambda: participation.quartier_participation(obs, q))
    run("contrat", lambda: contrat.quartier_contrat(obs, q))
    run("carte", lambda: carte.carte(obs, q))
    run("sources", lambda: tableau.sources(obs, q))
    import matplotlib.pyplot as plt

    plt.close("all")
    blocks._figure_svg = render
    times.setdefault("dont_figures", 0.0)
    return times


def _forked_dashboard(obs: Any, code: str, profile_dir: Path | None) -> dict[str, float]:
    """Tableau de bord calculé dans un fils forké (comme un rapport d'un lot)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # fils
        os.close(read)
        status = 0
        try:
            if profile_dir is not None:
                import cProfile

                profiler = cProfile.Profile()
                times = profiler.runcall(_dashboard, obs, code)
                profiler.dump_stats(str(profile_dir / f"tableau_{code}.prof"))
            else:
                times = _dashboard(obs, code)
            payload = json.dumps(times).encode()
        except BaseException as exc:  # noqa: BLE001 — remonté au parent
            payload = json.dumps({"erreur": repr(exc)}).encode()
            status = 1
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = json.loads(pipe.read() or b"{}")
    os.waitpid(pid, 0)
    if "erreur" in data:
        raise RuntimeError(f"tableau de bord {code} : {data['erreur']}")
    return data


def _profiled(profile_dir: Path | None, name: str, fn: Callable[[], Any]) -> Callable[[], Any]:
    if profile_dir is None:
        return fn

    def wrapper() -> Any:
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(fn)
        profiler.dump_stats(str(profile_dir / f"{name}.prof"))
        return result

    return wrapper


def _warm_imports() -> None:
    """Imports faits d'avance par le processus pré-chauffé des lots (hors mesure)."""
    import importlib

    try:
        from observatoire.publish.prewarm import WARM_MODULES
    except ImportError:
        WARM_MODULES = ("pandas", "matplotlib.pyplot", "geopandas", "folium", "mapclassify")
    for name in (*WARM_MODULES, "scipy.optimize", "observatoire.views.maps_interactive"):
        importlib.import_module(name)


def measure(
    config: Path,
    n_dashboards: int,
    profile_dir: Path | None,
    steps: set[int] = frozenset({1, 2, 3}),
) -> dict[str, Any]:
    """Mesures ``steps`` (1, 2, 3 : voir le module) sur le territoire de ``config``."""
    from observatoire.territory import Observatoire

    results: dict[str, Any] = {}
    _warm_imports()
    print("Chargement et analyses communes :")
    Observatoire.from_config(config)  # remplit le cache Parquet si besoin
    obs, results["chargement"] = _clock(
        "chargement du territoire (cache Parquet)", lambda: Observatoire.from_config(config)
    )
    print(f"  ({len(obs.quartiers)} quartiers, {len(obs.valeurs):,} valeurs)".replace(",", " "))
    if 1 in steps:
        table, results["ecarts_tous"] = _clock(
            "1. obs.indicateurs.ecarts() (tous les quartiers)",
            _profiled(profile_dir, "ecarts", lambda: obs.indicateurs.ecarts()),
        )
        print(f"     ({len(table):,} lignes d'écarts)".replace(",", " "))
    if not steps & {2, 3}:
        return results

    from observatoire.publish.sections.quartier import prepare

    obs = Observatoire.from_config(config)  # territoire frais : rien en cache

    def warm() -> None:
        prepare(obs)
        obs.participation  # noqa: B018 — comme le processus pré-chauffé des lots
        obs.contrat  # noqa: B018

    _, results["prepare"] = _clock(
        "2. sections.quartier.prepare(obs)", _profiled(profile_dir, "prepare", warm)
    )
    codes = obs.quartiers["code"].tolist()
    step = max(1, len(codes) // max(1, n_dashboards))
    chosen = codes[::step][:n_dashboards] if 3 in steps else []
    print(f"3. Sections d'un tableau de bord (processus forké, après prepare) : {len(chosen)}")
    per_dashboard = []
    for code in chosen:
        times = _forked_dashboard(obs, code, profile_dir)
        total = sum(v for k, v in times.items() if k != "dont_figures")
        detail = ", ".join(f"{k} {v:.2f}" for k, v in times.items())
        print(f"  {code} : {total:6.2f} s  ({detail})", flush=True)
        per_dashboard.append(times)
    results["tableaux"] = per_dashboard
    if per_dashboard:
        mean = {s: sum(t[s] for t in per_dashboard) / len(per_dashboard) for s in SECTIONS}
        png = sum(t["dont_figures"] for t in per_dashboard) / len(per_dashboard)
        results["tableau_moyen"] = sum(mean.values())
        results["tableau_figures"] = png
        print(
            f"  moyenne par tableau de bord : {results['tableau_moyen']:.2f} s "
            f"(dont rendu SVG des figures {png:.2f} s, calculs {results['tableau_moyen'] - png:.2f} s)"
        )
        for s in SECTIONS:
            print(f"    {s:<14} {mean[s]:6.2f} s")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quartiers", type=int, default=1600, help="nombre de quartiers")
    parser.add_argument("--dest", type=Path, help="territoire déjà généré (sinon : temporaire)")
    parser.add_argument("--tableaux", type=int, default=3, help="tableaux de bord mesurés")
    parser.add_argument("--profil", type=Path, help="dossier où écrire les profils cProfile")
    parser.add_argument(
        "--formats", default="html", help="formats des rapports simulés (html ou html,pdf)"
    )
    parser.add_argument(
        "--etapes", default="1,2,3", help="mesures à faire, parmi 1,2,3 (voir l'aide du module)"
    )
    args = parser.parse_args()
    if args.profil is not None:
        args.profil.mkdir(parents=True, exist_ok=True)
    os.environ["OBSERVATOIRE_FORMATS"] = args.formats  # comme produce_report (carte statique…)
    tmp = None
    if args.dest is not None:
        config = args.dest / "observatoire.toml"
    else:
        from observatoire.demo.generator import generate_demo

        tmp = Path(tempfile.mkdtemp(prefix="bench-analyses-"))
        start = time.perf_counter()
        generate_demo(tmp / "territoire", n_quartiers=args.quartiers)
        print(f"génération du territoire : {time.perf_counter() - start:.1f} s")
        config = tmp / "territoire" / "observatoire.toml"
    try:
        steps = {int(s) for s in args.etapes.split(",") if s.strip()}
        measure(config, args.tableaux, args.profil, steps)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
