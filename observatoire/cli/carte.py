"""``observatoire carte INDICATEUR`` : carte des quartiers en PNG, SVG, PDF ou HTML.

Exemple ::

    observatoire carte taux_pauvrete --config data/demo/observatoire.toml \\
        --format html --sortie carte.html

L'indicateur peut aussi être donné par le nom de sa colonne dans le fichier source
(``observatoire carte tp60`` → note « tp60 → taux_pauvrete … » sur la sortie d'erreur).
"""

from __future__ import annotations

import sys
from pathlib import Path

from observatoire.cli import add_config_option, add_parser
from observatoire.errors import OutputError

FORMATS = ("png", "svg", "pdf", "html")
METHODS = ("jenks", "quantiles", "egal")


def register(sub) -> None:
    p = add_parser(
        sub,
        "carte",
        "dessine la carte d'un indicateur sur les quartiers",
        description=(
            "Dessine la carte choroplèthe d'un indicateur sur les quartiers prioritaires, avec "
            "les limites communales : PNG (300 dpi), SVG ou PDF pour les présentations, ou HTML "
            "interactif autonome (fonctionne hors ligne). Les valeurs secrètes ou absentes "
            "apparaissent en « donnée non disponible »."
        ),
    )
    p.add_argument(
        "indicateur",
        metavar="INDICATEUR",
        help="identifiant du catalogue (ex. taux_pauvrete), ou nom de la colonne du fichier "
        "source (ex. TP60) ou libellé ; un nom inconnu donne les identifiants proches",
    )
    p.add_argument("--annee", type=int, metavar="A", help="millésime (défaut : le plus récent)")
    p.add_argument(
        "--classes", type=int, default=5, metavar="N", help="nombre de classes, 2 à 9 (défaut : 5)"
    )
    p.add_argument(
        "--methode",
        choices=METHODS,
        default="jenks",
        help="classement : jenks (seuils naturels, défaut), quantiles, egal (intervalles égaux)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="format (défaut : extension de --sortie, sinon png)",
    )
    p.add_argument(
        "--sortie",
        metavar="FICHIER",
        help="fichier à écrire (défaut : carte_INDICATEUR_ANNEE.FORMAT)",
    )
    p.add_argument("--surligner", metavar="CODE", help="code d'un quartier à mettre en évidence")
    add_config_option(p)


def run(args) -> int:
    import observatoire
    from observatoire.errors import ConfigError
    from observatoire.indicator_ids import resolve_indicator

    if not 2 <= args.classes <= 9:
        raise ConfigError(
            f"--classes doit être compris entre 2 et 9 (valeur trouvée : {args.classes})."
        )
    fmt = args.format
    if fmt is None and args.sortie and Path(args.sortie).suffix.lstrip(".").lower() in FORMATS:
        fmt = Path(args.sortie).suffix.lstrip(".").lower()
    fmt = fmt or "png"
    obs = observatoire.open(args.config)
    api = obs.indicateurs
    found = resolve_indicator(obs.catalogue, obs.config, args.indicateur)
    if found.note:
        print(f"Note : {found.note}", file=sys.stderr)
    ident = found.ident
    api.verifier_indicateur(ident)
    if args.surligner:
        api.verifier_quartier(args.surligner)
    annee = api.annee_valide(ident, args.annee)
    sortie = Path(args.sortie or f"carte_{ident}_{annee}.{fmt}")
    try:
        if fmt == "html":
            from observatoire.views.maps_interactive import save_html

            m = api.carte(ident, annee, args.classes, args.methode, args.surligner)
            save_html(m, sortie)
        else:
            from observatoire.views.charts import save_figure

            fig = api.carte_statique(ident, annee, args.classes, args.methode, args.surligner)
            save_figure(fig, sortie, fmt, dpi=300)
    except OSError as exc:
        raise OutputError(f"Impossible d'écrire {sortie} : {exc.strerror or exc}") from None
    note = " (Données fictives)" if obs.fictif else ""
    print(f"Carte écrite : {sortie}{note}", file=sys.stdout)
    return 0
