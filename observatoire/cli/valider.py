"""``observatoire valider`` : charge et valide toutes les sources, affiche un résumé.

Code de sortie 0 si tout est lisible (avertissements compris), 2 sinon : toutes les
anomalies de tous les fichiers sont listées, rien n'est écrit (pas même le cache).

Exemple ::

    observatoire valider --config data/demo/observatoire.toml
"""

from __future__ import annotations

import sys

from observatoire.cli import add_config_option, add_parser

WARNING_LIMIT = 10  # avertissements affichés par fichier (sauf --tous-avertissements)
NIVEAU_LABELS = {  # niveau → (singulier, pluriel)
    "commune": ("commune", "communes"),
    "epci": ("EPCI", "EPCI"),
    "ept": ("EPT", "EPT"),
    "unite_urbaine": ("unité urbaine", "unités urbaines"),
    "departement": ("département", "départements"),
    "region": ("région", "régions"),
    "france": ("France", "France"),
    "france_metropolitaine": ("France métropolitaine", "France métropolitaine"),
    "ensemble_qpv": ("ensemble des QPV", "ensembles des QPV"),
}


def register(sub) -> None:
    p = add_parser(
        sub,
        "valider",
        "charge et valide toutes les sources de la configuration, affiche un résumé",
        description=(
            "Lit chaque source déclarée dans observatoire.toml, la contrôle et affiche un "
            "résumé (quartiers, millésimes, indicateurs, lignes par table, avertissements). "
            "Sur une entrée invalide : toutes les anomalies, code de sortie 2, rien d'écrit."
        ),
    )
    add_config_option(p)
    p.add_argument(
        "--tous-avertissements",
        action="store_true",
        help=f"affiche tous les avertissements (par défaut : {WARNING_LIMIT} par fichier)",
    )
    p.add_argument(
        "--sans-cache",
        action="store_true",
        help="relit tous les fichiers sans utiliser ni écrire le cache Parquet",
    )


def _n(value: int) -> str:
    from observatoire.views.format import format_number

    return format_number(value)


def warning_lines(warnings: list, limit: int | None = WARNING_LIMIT) -> list[str]:
    """Avertissements : au plus ``limit`` par fichier, puis le nombre de ceux non affichés."""
    if not warnings:
        return ["Aucun avertissement."]
    lines = [f"Avertissements ({_n(len(warnings))}) :"]
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for w in warnings:
        if limit is None or shown.get(w.file, 0) < limit:
            shown[w.file] = shown.get(w.file, 0) + 1
            lines.append(f"  - {w.format_fr()}")
        else:
            hidden[w.file] = hidden.get(w.file, 0) + 1
    for file, count in hidden.items():
        lines.append(f"  … et {_n(count)} autre(s) avertissement(s) pour {file}")
    if hidden:
        lines.append("  (liste complète : observatoire valider --tous-avertissements)")
    return lines


def summary_lines(obs, limit: int | None = WARNING_LIMIT) -> list[str]:
    """Résumé français d'un territoire chargé (une ligne par élément)."""
    config = obs.config
    lines = [f"Territoire : {config.territoire.nom}"]
    if obs.fictif:
        lines[0] += " — Données fictives"
    if config.territoire.non_publiable:  # dérogation au seuil des petits effectifs
        lines.append(f"Attention : {config.territoire.non_publiable}")
    lines.append(f"Configuration : {config.path}")
    terr = obs.territoires
    qpv = terr[terr["niveau"] == "qpv"]
    gens = []
    for gen in sorted(set(qpv["generation"].dropna().astype(int)), reverse=True):
        n = int((qpv["generation"] == gen).sum())
        current = " (en vigueur)" if gen == config.territoire.generation else ""
        gens.append(f"{n} en géographie {gen}{current}")
    lines.append("Quartiers (QPV) : " + (", ".join(gens) if gens else "aucun"))
    refs = []
    for niveau, (one, many) in NIVEAU_LABELS.items():
        n = int((terr["niveau"] == niveau).sum())
        if n == 1 and niveau in ("france", "france_metropolitaine", "ensemble_qpv"):
            refs.append(one)
        elif n:
            refs.append(f"{_n(n)} {one if n == 1 else many}")
    lines.append("Territoires de référence : " + (", ".join(refs) if refs else "aucun"))
    valeurs = obs.valeurs
    if len(valeurs):
        gen_of = dict(zip(qpv["code"], qpv["generation"], strict=True))
        years = sorted(set(valeurs["annee"].astype(int)))
        detail = []
        v_qpv = valeurs[valeurs["niveau"] == "qpv"]
        by_gen = v_qpv.assign(g=v_qpv["code"].map(gen_of)).groupby("g")["annee"]
        for gen, ys in sorted(by_gen, key=lambda t: -t[0]):
            detail.append(f"géographie {int(gen)} : " + ", ".join(map(str, sorted(set(ys)))))
        lines.append(
            "Millésimes : "
            + ", ".join(map(str, years))
            + (f" ({' ; '.join(detail)})" if detail else "")
        )
        used = sorted(set(valeurs["indicateur"]))
        lines.append(
            f"Indicateurs : {len(used)} avec des valeurs sur {len(obs.catalogue)} au catalogue"
        )
        counts = valeurs["statut"].value_counts()
        lines.append(
            f"Valeurs : {_n(len(valeurs))} (ok {_n(int(counts.get('ok', 0)))}, "
            f"secret {_n(int(counts.get('secret', 0)))}, "
            f"absent {_n(int(counts.get('absent', 0)))})"
        )
    else:
        lines.append(f"Indicateurs : aucune valeur ({len(obs.catalogue)} au catalogue)")
    lines.append("Lignes par table :")
    for name, frame in obs.tables.items():
        if len(frame):
            lines.append(f"  {name:<20} {_n(len(frame)):>10}")
    lines += warning_lines(obs.warnings, limit)
    lines.append("Validation réussie : aucune anomalie bloquante.")
    return lines


def run(args) -> int:
    from observatoire.territory import Observatoire

    obs = Observatoire.from_config(args.config, use_cache=not args.sans_cache)
    limit = None if args.tous_avertissements else WARNING_LIMIT
    sys.stdout.write("\n".join(summary_lines(obs, limit)) + "\n")
    return 0
