"""Banc d'essai du tirage du panel citoyen : vivier fictif de 5 000 personnes, panel de 40.

Construit un vivier fictif déterministe (identifiants pseudonymes, sexe, âge, quartier
parmi 6 QPV ou hors QPV ; volontaires plus âgés que la population, comme souvent) et
une population de référence fictive (pyramide des âges, population des quartiers),
puis mesure, par les fonctions du paquet (celles qu'appellent ``obs.panel`` et
``observatoire panel``) : le calcul des quotas, le tirage (bibliothèque
sortition-algorithms, maximin par défaut) et la mémoire maximale du processus
(solveur HiGHS compris). Vérifie que chaque quota est tenu et que la somme des
probabilités vaut la taille du panel.

Exemple ::

    .venv/bin/python benchmarks/bench_panel.py                      # 5 000 personnes, 40 sièges
    .venv/bin/python benchmarks/bench_panel.py --personnes 1000 --algorithme nash
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from observatoire.analysis import panel as pn  # noqa: E402
from observatoire.analysis import panel_quotas as pq  # noqa: E402

QUARTIERS = [f"QN0000{i}A" for i in range(1, 7)]


def fictive_pool(n: int, seed: int = 5000) -> pd.DataFrame:
    """Vivier fictif de ``n`` personnes au schéma ``vivier`` (déterministe)."""
    rng = np.random.default_rng(seed)
    ages = np.clip(rng.normal(50, 18, n).round(), 16, 95).astype(int)
    lives = rng.random(n) < 0.35
    quartier = np.where(lives, rng.choice(QUARTIERS, n), None)
    return pd.DataFrame({
        "personne": [f"V{i:05d}" for i in range(n)],
        "sexe": rng.choice(["F", "H"], n, p=[0.56, 0.44]),
        "tranche_age": pd.Series([pd.NA] * n, dtype="object"),
        "age": pd.array(ages, dtype="Int64"),
        "quartier": quartier,
        "habite_qpv": pd.array(lives, dtype="boolean"),
        "source": "vivier-fictif.csv",
        "ligne": pd.array(range(2, n + 2), dtype="Int64"),
    })  # fmt: skip


def fictive_reference() -> pq.Reference:
    """Population fictive : 120 000 habitants, 6 quartiers de 2 500 à 5 000 habitants."""
    shares = {"0-14": 0.17, "15-29": 0.19, "30-44": 0.19, "45-59": 0.19, "60-74": 0.16, "75+": 0.10}
    pyramid = {}
    for band, share in shares.items():
        women = 0.54 if band == "75+" else 0.51
        pyramid[("F", band)] = 120_000 * share * women
        pyramid[("H", band)] = 120_000 * share * (1 - women)
    quartiers = {q: 2_500.0 + 500 * i for i, q in enumerate(QUARTIERS)}
    return pq.Reference("territoire fictif du banc d'essai", pyramid, 120_000.0, quartiers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personnes", type=int, default=5000)
    parser.add_argument("--taille", type=int, default=40)
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--algorithme", default="maximin", choices=["maximin", "nash"])
    parser.add_argument("--moins-25", type=int, default=6, dest="moins_25")
    parser.add_argument("--criteres", default="sexe,tranche_age,qpv")
    args = parser.parse_args()
    criteres = args.criteres.split(",")
    print(f"Vivier fictif : {args.personnes} personnes ; panel de {args.taille} ; critères "
          f"{', '.join(criteres)} ; minimum de moins de 25 ans {args.moins_25} ; "
          f"algorithme {args.algorithme}")  # fmt: skip
    vivier = fictive_pool(args.personnes)
    start = time.perf_counter()
    pool, warnings = pq.pool_features(vivier, criteres, args.moins_25)
    quotas = pq.build_quotas(pool, fictive_reference(), args.taille, 1, args.moins_25)
    t_quotas = time.perf_counter() - start
    start = time.perf_counter()

    def progress(line: str) -> None:
        print(f"    {line} ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)

    draw = pn.draw_panel(pool, quotas, args.taille, args.graine, args.algorithme, progress)
    t_draw = time.perf_counter() - start
    audit = pn.panel_audit(quotas, pool, draw.selected)
    summary = pn.probability_summary(draw.probabilities)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Kio → Mio (Linux)
    print(f"  quotas : {t_quotas:.2f} s ({len(quotas)} quotas, {len(warnings)} retrait(s))")
    print(f"  tirage : {t_draw:.1f} s ({draw.committees} panels dans la distribution)")
    print(f"  mémoire maximale du processus : {peak:.0f} Mio")
    print(f"  quotas tenus : {int(audit['tenu'].sum())} sur {len(audit)}")
    print(f"  probabilités : min {summary['minimum']:.4f}, médiane {summary['mediane']:.4f}, "
          f"max {summary['maximum']:.4f}, somme {summary['somme']:.4f}")  # fmt: skip
    if not audit["tenu"].all() or abs(summary["somme"] - args.taille) > 1e-6:
        sys.exit("ÉCHEC : quota non tenu ou somme des probabilités différente de la taille")


if __name__ == "__main__":
    main()
