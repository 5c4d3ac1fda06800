"""``observatoire exporter atlas`` : l'atlas HTML autonome et hors ligne de tous les quartiers.

Une seule page : listes déroulantes de l'indicateur et du millésime, choroplèthe de
tous les quartiers (contours simplifiés, « donnée non disponible » en hachures grises),
légende en texte, tableau classé à côté, et un clic (ou Entrée) sur un quartier ouvre
son tableau de bord (lien relatif vers ``quartiers/<CODE>.html`` du dossier des
rapports). Relance incrémentale : mêmes empreintes que les rapports
(:mod:`observatoire.exports.common`).

Exemple ::

    observatoire exporter atlas --config data/demo/observatoire.toml
    # → data/demo/reports/exports/atlas.html
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

from observatoire.cache import combine
from observatoire.errors import ConfigError, ObservatoireError, OutputError
from observatoire.exports.common import (
    export_fingerprint,
    export_key,
    is_fresh,
    output_dir,
    record,
)

FILENAME = "atlas.html"
METHODS = ("jenks", "quantiles", "egal")


def register(parser) -> None:
    """Options de ``observatoire exporter atlas``."""
    parser.description = (
        "Écrit atlas.html, une page autonome qui s'ouvre hors ligne : on choisit un "
        "indicateur et un millésime, la carte colore tous les quartiers (mêmes classes que "
        "les rapports, secret et absence en hachures), le tableau les classe, et un clic ou "
        "Entrée sur un quartier ouvre son tableau de bord. Refaite seulement si les "
        "données, la configuration, les options ou les tableaux de bord présents changent."
    )
    parser.add_argument(
        "--classes", type=int, default=5, metavar="N",
        help="nombre de classes de la carte, 2 à 9 (défaut : 5, comme les cartes des rapports)",
    )  # fmt: skip
    parser.add_argument(
        "--methode", choices=METHODS, default="jenks",
        help="classement : jenks (seuils naturels, défaut), quantiles, egal (intervalles égaux)",
    )  # fmt: skip
    parser.add_argument(
        "--rapports", metavar="DOSSIER", default=None,
        help="dossier des rapports dont les tableaux de bord sont liés "
        "(défaut : [sortie] dossier de la configuration)",
    )  # fmt: skip


def dashboard_links(codes: list[str], reports: Path, out_dir: Path) -> dict[str, str]:
    """Lien relatif (depuis ``out_dir``) vers le tableau de bord HTML de chaque quartier produit."""
    from observatoire.publish.jobs import ReportJob

    links = {}
    for code in codes:
        try:
            stem = ReportJob("quartier", Path("."), {"quartier": code}).relative_stem
        except ObservatoireError:  # code impropre à un nom de fichier : pas de rapport
            continue
        target = reports / f"{stem.as_posix()}.html"
        if target.is_file():
            rel = Path(os.path.relpath(target, out_dir)).as_posix()
            links[code] = quote(rel, safe="/._-~")
    return links


def reports_signature(reports: Path, out_dir: Path) -> str:
    """Ce dont dépendent les liens : chemin relatif du dossier des rapports, tableaux présents."""
    present = sorted(p.name for p in (reports / "quartiers").glob("*.html"))
    return combine(os.path.relpath(reports, out_dir), present)[:16]


def _title(nom: str, fictif: bool) -> str:
    title = f"Atlas des quartiers : {nom}"
    if fictif and "fictif" not in nom.lower() and "fictiv" not in nom.lower():
        title += " (données fictives)"
    return title


def _size(n_bytes: int) -> str:
    from observatoire.views.format import format_number

    if n_bytes >= 1_000_000:
        return f"{format_number(n_bytes / 1_000_000, 1)} Mo"
    return f"{format_number(n_bytes / 1000, 0)} ko"


def run(args) -> int:
    """Écrit ``<sortie>/atlas.html`` (ou ne fait rien s'il est à jour)."""
    from observatoire.config import load_config

    if not 2 <= args.classes <= 9:
        raise ConfigError(
            f"--classes doit être compris entre 2 et 9 (valeur trouvée : {args.classes})."
        )
    config = load_config(args.config)
    out = output_dir(args, config)
    reports = Path(args.rapports).resolve() if args.rapports else Path(config.output_dir)
    target = out / FILENAME
    key = export_key("atlas", {
        "classes": args.classes, "methode": args.methode,
        "rapports": reports_signature(reports, out),
    })  # fmt: skip
    fingerprint = export_fingerprint(config, out, key)
    if is_fresh(out, key, fingerprint, [target]):
        print(f"Atlas à jour, rien à refaire : {target}")
        return 0
    written = write_atlas(args, config, out, reports, fingerprint)
    record(out, key, fingerprint, [target], config)
    return written


def write_atlas(args, config, out: Path, reports: Path, fingerprint: str) -> int:
    """Charge le territoire, construit les données et écrit la page (écriture atomique)."""
    import observatoire
    from observatoire.atomic import write_atomic
    from observatoire.exports.atlas_data import SIMPLIFY_M, atlas_payload
    from observatoire.exports.atlas_page import render_atlas
    from observatoire.publish.credits import territory_credit

    obs = observatoire.open(args.config)
    codes = obs.indicateurs.codes
    if not codes:
        raise ConfigError("Aucun quartier de la génération en vigueur : atlas impossible.")
    links = dashboard_links(codes, reports, out)
    payload = atlas_payload(obs, args.classes, args.methode, links)
    if not payload["indicateurs"]:
        raise ConfigError(
            "Aucun indicateur n'a de valeur pour les quartiers du territoire : atlas impossible "
            "(vérifiez les sources d'indicateurs avec observatoire valider)."
        )
    page = render_atlas(
        payload, titre=_title(config.territoire.nom, obs.fictif), fictif=obs.fictif,
        credit=territory_credit(config), empreinte=fingerprint[:16],
        dossier_rapports=str(reports), tolerance=SIMPLIFY_M,
    )  # fmt: skip
    target = out / FILENAME
    try:
        write_atomic(target, page)
    except OSError as exc:
        raise OutputError(f"Impossible d'écrire {target} : {exc.strerror or exc}") from None
    n_ind = len(payload["indicateurs"])
    n_years = sum(len(i["annees"]) for i in payload["indicateurs"])
    print(
        f"Atlas écrit : {target} ({len(codes)} quartiers, {n_ind} indicateurs, {n_years} "
        f"couples indicateur × millésime, {_size(len(page.encode('utf-8')))})"
        + (" (Données fictives)" if obs.fictif else "")
    )
    missing = len(codes) - len(links)
    if missing:
        print(
            f"  {missing} quartier(s) sans tableau de bord dans {reports} : l'atlas l'indique ; "
            "liens créés à la relance après observatoire rapports --tous.",
            file=sys.stderr,
        )
    return 0
