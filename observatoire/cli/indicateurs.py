"""``observatoire indicateurs`` : affiche le catalogue des indicateurs (id en 1re colonne).

Sans ``--config`` et sans ``observatoire.toml`` dans le dossier courant : le
catalogue intégré. Avec une configuration : le catalogue étendu par ``[catalogue]``.

Avec un identifiant (ou le nom de la colonne du fichier source, ou le libellé) : la
fiche de cet indicateur et ses noms dans les fichiers déclarés.

Exemple ::

    observatoire indicateurs --config data/demo/observatoire.toml
    observatoire indicateurs TX_PAUV --config data/demo/observatoire.toml
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
        "indicateur",
        nargs="?",
        metavar="INDICATEUR",
        help="affiche la fiche d'un seul indicateur : identifiant, nom de colonne du fichier "
        "source (ex. TP60) ou libellé",
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


DETAIL = [
    ("libelle", "libellé"),
    ("unite", "unité"),
    ("theme", "thème"),
    ("polarite", "polarité"),
    ("definition", "définition"),
    ("source", "source"),
    ("poids", "pondération"),
]


def render_detail(catalogue: pd.DataFrame, config, ident: str) -> str:
    """Fiche texte d'un indicateur : champs renseignés du catalogue, noms dans les fichiers."""
    from observatoire.indicator_ids import source_names

    rec = catalogue.set_index("id").loc[ident].to_dict()
    lines = [f"identifiant : {ident}"]
    for key, label in DETAIL:
        value = rec.get(key)
        if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
            continue
        if key == "polarite":
            value = POLARITY.get(int(value), str(value))
        lines.append(f"{label} : {value}")
    names = [f"{s.name} ({s.file})" for s in source_names(config) if s.ident == ident]
    if names:
        lines.append("noms dans les fichiers : " + ", ".join(names))
    return "\n".join(lines)


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
    if args.indicateur:
        from observatoire.indicator_ids import resolve_indicator

        found = resolve_indicator(catalogue, config, args.indicateur)
        if found.note:
            print(f"Note : {found.note}", file=sys.stderr)
        sys.stdout.write(render_detail(catalogue, config, found.ident) + "\n")
        return 0
    sys.stdout.write(render_table(catalogue) + "\n")
    sys.stdout.write(f"\n{len(catalogue)} indicateurs ({origin}).\n")
    return 0
