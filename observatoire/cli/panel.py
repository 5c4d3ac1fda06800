"""``observatoire panel`` : tirage au sort stratifié du panel citoyen et son audit.

Exemple ::

    observatoire panel --config data/demo/observatoire.toml --taille 30 --graine 2026

Écrit (atomiquement) ``<sortie>/panel/panel-<graine>.csv`` (identifiants pseudonymes
tirés, leurs critères et leur probabilité de sélection) et
``<sortie>/panel/audit-<graine>.csv`` (quotas, composition du panel, parts dans la
population et le vivier, probabilités) ; CSV « ; » en UTF-8 avec BOM. Code de sortie 2
si les quotas ne peuvent pas être tenus (explication : quel quota, de combien).
"""

from __future__ import annotations

import sys
from pathlib import Path

from observatoire.cli import add_config_option, add_parser


def register(sub) -> None:
    p = add_parser(
        sub,
        "panel",
        "tire au sort le panel citoyen dans le vivier (quotas, audit)",
        description=(
            "Tire au sort un panel citoyen dans le vivier (source « vivier_panel »), avec des "
            "quotas dérivés de la population du recensement (sexe, tranche d'âge, habitants "
            "des QPV, quartier, minimum de moins de 25 ans) et la graine publiée : même "
            "graine, même vivier → même panel. Écrit le panel et son audit (quotas, "
            "composition, probabilités de sélection) en CSV dans DOSSIER/panel."
        ),
    )
    add_config_option(p)
    p.add_argument(
        "--taille", type=int, metavar="N", help="sièges du panel (défaut : [panel] taille)"
    )
    p.add_argument(
        "--graine", type=int, metavar="G", help="graine publiée (défaut : [panel] graine)"
    )
    p.add_argument(
        "--sortie",
        metavar="DOSSIER",
        default=None,
        help="dossier de sortie (défaut : [sortie] dossier de la configuration) ; les fichiers "
        "vont dans DOSSIER/panel",
    )


def run(args) -> int:
    import observatoire
    from observatoire.atomic import write_atomic
    from observatoire.exports.tables_model import Column
    from observatoire.exports.tables_write import _csv_payload
    from observatoire.output_folder import check_output_folder

    if args.sortie:  # contrôlé avant toute lecture
        check_output_folder(args.sortie)
    obs = observatoire.open(args.config)
    for w in obs.panel.avertissements():
        print(f"Avertissement : {w.format_fr()}", file=sys.stderr)
    if len(obs.panel.vivier):
        count = len(obs.panel.vivier)
        print(f"Tirage en cours ({count} personnes dans le vivier)…", file=sys.stderr)
    result = obs.panel.tirer(taille=args.taille, graine=args.graine,
                             progression=lambda line: print(line, file=sys.stderr, flush=True))  # fmt: skip
    fictive = " (Données fictives)" if obs.fictif else ""
    if result.vide:
        print(f"{result.phrase}{fictive}")
        return 0
    out = Path(args.sortie).resolve() if args.sortie else Path(obs.config.output_dir)
    folder = out / "panel"
    mention = "Données fictives" if obs.fictif else ""
    panel = result.selectionnes
    audit = result.audit.assign(**{"Probabilité": "sans objet"})
    proba_rows = [
        {**dict.fromkeys(audit.columns, "sans objet"), "Critère": "Probabilités de sélection",
         "Valeur": stat, "Probabilité": value}
        for stat, value in zip(result.probabilites["Statistique"], result.probabilites["Valeur"],
                               strict=True)
    ]  # fmt: skip
    audit_rows = [list(r) for r in audit.itertuples(index=False)]
    audit_rows += [[row[c] for c in audit.columns] for row in proba_rows]
    tables = {
        f"panel-{result.graine}.csv": (list(panel.columns), panel.values.tolist()),
        f"audit-{result.graine}.csv": (list(audit.columns), audit_rows),
    }
    written = []
    for name, (columns, rows) in tables.items():
        if mention:
            columns = [*columns, "Mention"]
            rows = [[*r, mention] for r in rows]
        payload = _csv_payload([Column(str(c)) for c in columns], rows)
        written.append(write_atomic(folder / name, payload, root=out))
    _summary(result, written, fictive)
    return 0


def _summary(result, written, fictive: str) -> None:
    print(f"Panel tiré{fictive} : {result.taille} sièges, graine {result.graine}, "
          f"algorithme {result.algorithme}.")  # fmt: skip
    for note in result.notes:
        print(f"  {note}")
    audit = result.audit
    held = int((audit["Quota tenu"] == "oui").sum())
    print(f"  Quotas tenus : {held} sur {len(audit)}.")
    for stat, value in zip(result.probabilites["Statistique"], result.probabilites["Valeur"],
                           strict=True):  # fmt: skip
        print(f"  {stat} : {value}")
    for path in written:
        print(f"Fichier écrit : {path}")
