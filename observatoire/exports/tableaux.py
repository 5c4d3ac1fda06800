"""``observatoire exporter tableaux`` : les tableaux des rapports en XLSX ou CSV.

Chaque tableau qu'un tableau de bord ou le rapport d'évaluation montre (portrait, écarts,
rangs, évolutions, participation après masquage des petits effectifs, programmation,
financements, euros par habitant, besoins et moyens) et les valeurs canoniques des
indicateurs, calculés par les mêmes fonctions que les rapports (``obs.indicateurs``,
``obs.participation``, ``obs.contrat``), avec une feuille « Lisez-moi ».

Fichiers (sous ``--sortie``, défaut ``<[sortie] dossier>/exports``) ::

    tableaux/tableaux-territoire.xlsx      # territoire : tous les quartiers + évaluation
    tableaux/tableaux-QN00001A.xlsx        # --quartier QN00001A : son tableau de bord
    tableaux/csv-territoire/*.csv          # --format csv : un fichier par tableau

Relance incrémentale : mêmes données, même configuration, même version → rien n'est
refait (empreintes de :mod:`observatoire.exports.common`).

Exemple (API) ::

    from observatoire.exports.tableaux import exporter_tableaux
    exporter_tableaux("data/demo/observatoire.toml", format="xlsx", quartier="QN00001A")
    exporter_tableaux(obs, format="csv", tous=True, sortie="/tmp/exports")
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from observatoire.config import load_config
from observatoire.errors import ConfigError
from observatoire.exports import common
from observatoire.exports import tables_contrat as contrat_tables
from observatoire.exports import tables_indicateurs as ind
from observatoire.exports import tables_participation as part
from observatoire.exports.tables_model import Absent, Column, Table
from observatoire.exports.tables_readme import readme_rows
from observatoire.exports.tables_write import (
    README_SLUG,
    csv_names,
    write_csv,
    write_xlsx,
    xlsx_names,
)
from observatoire.publish.sections import contrat as contrat_section
from observatoire.publish.sections import fictif_suffix
from observatoire.publish.sections import quartier as quartier_section

FORMATS = ("xlsx", "csv")
FOLDER = "tableaux"
TERRITOIRE = "territoire"


def register(parser: Any) -> None:
    """Options de ``observatoire exporter tableaux`` (``--config`` et ``--sortie`` déjà là)."""
    parser.description = (
        "Exporte en XLSX (un classeur, une feuille par tableau, feuille « Lisez-moi ») ou en "
        "CSV (un fichier par tableau, « ; », virgule décimale, UTF-8 avec BOM) les tableaux "
        "des tableaux de bord et du rapport d'évaluation, et les valeurs des indicateurs. "
        "Sans option : le classeur du territoire (tous les quartiers, évaluation du contrat "
        "de ville). Seuls les exports dont les entrées ont changé sont refaits."
    )
    parser.add_argument("--format", choices=FORMATS, default="xlsx",
                        help="xlsx (défaut) ou csv")  # fmt: skip
    parser.add_argument("--quartier", metavar="CODE",
                        help="tableaux du tableau de bord de ce quartier seulement")  # fmt: skip
    parser.add_argument("--tous", action="store_true",
                        help="le territoire et un export par quartier")  # fmt: skip
    parser.add_argument("--force", action="store_true", help="refait les exports même à jour")


def run(args: Any) -> int:
    """Exécute la sous-commande (messages en français, code 2 si l'entrée est invalide)."""
    exporter_tableaux(
        args.config, format=args.format, quartier=args.quartier, tous=args.tous,
        sortie=args.sortie, force=getattr(args, "force", False),
    )  # fmt: skip
    return 0


def output_paths(out: Path, unit: str, fmt: str) -> Path:
    """Fichier XLSX, ou dossier des CSV, d'un export (``territoire`` ou un code)."""
    if fmt == "xlsx":
        return out / FOLDER / f"tableaux-{common.safe(unit)}.xlsx"
    return out / FOLDER / f"csv-{common.safe(unit)}"


def exporter_tableaux(
    source: Any,
    format: str = "xlsx",  # noqa: A002 — nom de l'option de la CLI
    quartier: str | None = None,
    tous: bool = False,
    sortie: str | Path | None = None,
    force: bool = False,
    echo: Callable[[str], None] | None = None,
) -> list[Path]:
    """Exporte les tableaux ; renvoie les fichiers XLSX ou dossiers CSV (écrits ou à jour).

    ``source`` : chemin de ``observatoire.toml`` ou territoire déjà ouvert
    (``observatoire.open``). ``quartier`` : un code ; ``tous`` : le territoire et chaque
    quartier ; sinon le territoire seul. ``ConfigError`` (code 2) si le format ou le
    quartier est inconnu — rien n'est écrit.
    """
    say = echo or (lambda text: print(text, file=sys.stdout))
    if quartier and tous:
        raise ConfigError("--quartier et --tous s'excluent : un quartier, ou tous les quartiers.")
    if format not in FORMATS:
        raise ConfigError(f"Format inconnu : « {format} » (formats possibles : xlsx, csv).")
    obs = None if isinstance(source, str | Path) else source
    config = load_config(source) if obs is None else obs.config
    out = common.output_dir(SimpleNamespace(sortie=sortie), config)

    def opened() -> Any:
        nonlocal obs
        if obs is None:
            import observatoire

            obs = observatoire.open(config.path)
        return obs

    if tous:
        units = [TERRITOIRE, *opened().quartiers["code"].astype(str)]
    elif quartier:
        units = [str(quartier)]
    else:
        units = [TERRITOIRE]
    done, fresh = [], []
    for unit in units:
        target = output_paths(out, unit, format)
        key = common.export_key("tableaux", {"format": format, "quartier": unit})
        fingerprint = common.export_fingerprint(config, out, key)
        marker = target if format == "xlsx" else target / f"{README_SLUG}.csv"
        if not force and common.is_fresh(out, key, fingerprint, [marker]):
            fresh.append(target)
            continue
        o = opened()
        if unit != TERRITOIRE:
            _check_quartier(o, unit)
        files = _export_unit(o, unit, format, target, fingerprint)
        common.record(out, key, fingerprint, files, config)
        n = len(files) - 1 if format == "csv" else None
        what = f"{n} tableaux CSV et lisez-moi.csv" if n is not None else "classeur XLSX"
        say(f"Tableaux écrits : {target} ({what}).")
        done.append(target)
    if done and obs is not None and obs.warnings:
        say(f"{len(obs.warnings)} avertissement(s) au chargement des données : listés dans "
            "le Lisez-moi (détail : observatoire valider).")  # fmt: skip
    if fresh:
        listed = ", ".join(str(p) for p in fresh[:3]) + (" …" if len(fresh) > 3 else "")
        say(f"Tableaux à jour, rien à refaire ({len(fresh)} export(s) : {listed}) : mêmes "
            "données, même configuration, même version (--force pour refaire).")  # fmt: skip
    return done + fresh


def _check_quartier(obs: Any, code: str) -> None:
    known = obs.quartiers["code"].astype(str).tolist()
    if code in known:
        return
    close = difflib.get_close_matches(code, known, n=5, cutoff=0.5)
    hint = f" Codes proches : {', '.join(close)}." if close else ""
    sample = ", ".join(known[:5]) + ("…" if len(known) > 5 else "")
    raise ConfigError(
        f"Quartier inconnu : « {code} » (quartiers de la génération "
        f"{obs.config.territoire.generation} de ce territoire : {sample or 'aucun'}).{hint}"
    )


def build_tables(obs: Any, unit: str = TERRITOIRE) -> tuple[list[Table], list[Absent], Any, Any]:
    """Tableaux d'un export (``territoire`` ou un code de quartier), sans rien écrire.

    Renvoie ``(tableaux, tableaux sans données, quartier ou None, période ou None)``."""
    src = ind.Sources(obs)
    if unit == TERRITOIRE:
        qs = [quartier_section.contexte(obs, c, None) for c in obs.quartiers["code"]]
        p = contrat_section.periode(obs, None, None, None)
        items: list[Table | Absent] = [
            ind.portrait(obs, qs, src), ind.position(obs, qs, src), ind.ecarts(obs, qs, src),
            ind.rangs(obs, qs, src),
            ind.evolutions(obs, qs, src), part.par_annee(obs, qs),
            part.par_dispositif_quartier(obs, qs), part.representativite(obs, qs, True),
            *part.evaluation(obs, p), *contrat_tables.evaluation(obs, p),
            *contrat_tables.quartier(obs, qs), ind.valeurs(obs, None, src),
        ]  # fmt: skip
        q = None
    else:
        q = quartier_section.contexte(obs, unit, None)
        qs, p = [q], None
        api = obs.contrat
        per_hab: list[Table | Absent] = []
        if len(obs.actions):
            src_c = contrat_tables.source(api, obs)
            per_hab.append(contrat_tables.euros_par_habitant(obs, api, api.annees, src_c,
                                                             "Euros par habitant"))  # fmt: skip
        items = [
            ind.portrait(obs, qs, src), ind.position(obs, qs, src), ind.ecarts(obs, qs, src),
            ind.rangs(obs, qs, src),
            ind.evolutions(obs, qs, src), part.par_annee(obs, qs),
            part.par_dispositif_quartier(obs, qs), part.representativite(obs, qs),
            *contrat_tables.quartier(obs, qs), *per_hab, ind.valeurs(obs, [unit], src),
        ]  # fmt: skip
    tables = [t for t in items if isinstance(t, Table) and t.rows]
    absents = [t for t in items if isinstance(t, Absent)]
    notice = obs.config.territoire.non_publiable
    if notice:  # dérogation au seuil des petits effectifs : sur chaque ligne de chaque tableau
        for t in tables:
            t.columns.append(Column("Avertissement"))
            t.rows = [[*row, notice] for row in t.rows]
    return tables, absents, q, p


def _title(obs: Any, q: Any) -> str:
    where = f"tableau de bord de {q.nom} ({q.code})" if q is not None else "territoire"
    return f"Tableaux de l'observatoire — {obs.config.territoire.nom} — {where}" + fictif_suffix(
        obs
    )


def _export_unit(obs: Any, unit: str, fmt: str, target: Path, fingerprint: str) -> list[Path]:
    """Calcule tous les tableaux (une erreur n'écrit rien), puis les écrit."""
    tables, absents, q, p = build_tables(obs, unit)
    entries = xlsx_names(tables) if fmt == "xlsx" else csv_names(tables)
    title = _title(obs, q)
    readme = readme_rows(obs, title, entries, absents, q=q, periode=p,
                         fingerprint=fingerprint, csv=fmt == "csv")  # fmt: skip
    if fmt == "xlsx":
        return [write_xlsx(target, entries, readme, title)]
    return write_csv(target, entries, readme)
