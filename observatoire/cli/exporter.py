"""``observatoire exporter QUOI`` : tableaux (XLSX/CSV), diaporamas (PPTX), figures, atlas.

Chaque export est un module de :mod:`observatoire.exports` qui expose
``register(parser)`` (ses options) et ``run(args) -> int``. Ajouter un export = un
module + une ligne dans :data:`EXPORTS`.

Exemple ::

    observatoire exporter tableaux --format xlsx --config data/demo/observatoire.toml
"""

from __future__ import annotations

import importlib

from observatoire.cli import FrenchParser, add_config_option, add_parser

# Une ligne par export : nom → (module, aide).
EXPORTS = {
    "tableaux": ("observatoire.exports.tableaux", "tableaux des rapports en XLSX ou CSV"),
    "diaporama": ("observatoire.exports.diaporama", "diaporama PPTX par quartier et du territoire"),
    "figures": ("observatoire.exports.figures", "figures en PNG haute résolution et SVG"),
    "atlas": ("observatoire.exports.atlas", "atlas HTML autonome des quartiers"),
}


def _available() -> dict[str, tuple[str, str]]:
    found = {}
    for name, (module_name, help_text) in EXPORTS.items():
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # export pas encore livré
            if exc.name != module_name:
                raise
            continue
        found[name] = (module_name, help_text)
    return found


def register(sub) -> None:
    p = add_parser(
        sub,
        "exporter",
        "exporte tableaux, diaporamas, figures ou atlas",
        description=(
            "Exporte, à partir des mêmes tables et analyses que les rapports : les tableaux "
            "(XLSX ou CSV pour les collègues), un diaporama PPTX pour les élus, les figures "
            "seules (PNG et SVG) ou un atlas HTML du territoire. Les fichiers vont dans "
            "--sortie (défaut : reports/exports)."
        ),
    )
    what = p.add_subparsers(dest="export", metavar="QUOI", parser_class=FrenchParser)
    what.required = True
    for name, (module_name, help_text) in _available().items():
        q = add_parser(what, name, help_text)
        add_config_option(q)
        q.add_argument(
            "--sortie",
            metavar="DOSSIER",
            default=None,
            help="dossier des fichiers exportés (défaut : <sortie de la configuration>/exports)",
        )
        importlib.import_module(module_name).register(q)
    p._positionals.title = "exports"


def run(args) -> int:
    module_name, _ = EXPORTS[args.export]
    if args.sortie:  # contrôlé avant toute lecture : rien (cache compris) écrit pour rien
        from observatoire.output_folder import check_output_folder

        check_output_folder(args.sortie)
    return int(importlib.import_module(module_name).run(args) or 0)
