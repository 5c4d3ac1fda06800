"""``observatoire indicateurs`` : affiche le catalogue des indicateurs (id en 1re colonne).

Sans ``--config`` et sans ``observatoire.toml`` dans le dossier courant : le
catalogue intégré. Avec une configuration : le catalogue étendu par ``[catalogue]``.

Exemple ::

    observatoire indicateurs --config data/demo/observatoire.toml
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from observatoire.cli import add_parser
from observatoire.errors import ConfigError

COLUMNS = [
    ("id", "id"),
    ("libelle", "libellé"),
    ("unite", "unité"),
    ("theme", "thème"),
    ("polarite", "polarité"),
    ("source", "source"),
]
POLARITY = {-1: "élevé = défavorable", 0: "neutre", 1: "élevé = favorable"}


def register(sub) -> None:
    p = add_parser(
        sub,
        "indicateurs",
        "affiche le catalogue des indicateurs (identifiant, libellé, unité, thème…)",
    )
    p.add_argument(
        "--config",
        default=None,
        metavar="F",
        help="fichier de configuration (défaut : observatoire.toml du dossier courant s'il "
        "existe, sinon le catalogue intégré)",
    )


def render_table(catalogue: pd.DataFrame) -> str:
    """Tableau texte aligné du catalogue, première colonne l'identifiant."""
    rows = [[label for _key, label in COLUMNS]]
    for rec in catalogue.to_dict("records"):
        row = []
        for key, _label in COLUMNS:
            value = rec.get(key)
            if key == "polarite":
                value = POLARITY.get(int(value), str(value))
            row.append(
                "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            )
        rows.append(row)
    widths = [max(len(r[j]) for r in rows) for j in range(len(COLUMNS))]
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def run(args) -> int:
    from observatoire.catalogue import build_catalogue
    from observatoire.config import load_config

    path = args.config
    if path is None and Path("observatoire.toml").exists():
        path = "observatoire.toml"
    config = load_config(path) if path else None
    catalogue, problems = build_catalogue(config)
    if problems:
        raise ConfigError(f"Catalogue invalide dans {path}", problems)
    origin = f"configuration {path}" if path else "catalogue intégré"
    sys.stdout.write(render_table(catalogue) + "\n")
    sys.stdout.write(f"\n{len(catalogue)} indicateurs ({origin}).\n")
    return 0
