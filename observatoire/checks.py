"""Contrôles de cohérence entre tables canoniques (après chargement de chaque source).

Erreurs : valeurs d'un QPV inconnu de la liste des territoires. Avertissements :
quartier sans contour, contour sans quartier ou sans données, indicateurs manquants
pour certains quartiers, communes parentes inconnues, codes de la correspondance
inconnus, territoire de référence sans aucune valeur. Toute table peut manquer.

Exemple ::

    problems = cross_checks(config, {"territoires": t, "valeurs": v})
    [p.format_fr() for p in problems if p.severity == "avertissement"]
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import Problem

if TYPE_CHECKING:
    from observatoire.config import Config

WARN = "avertissement"
LIST_LIMIT = 8


def _listing(codes) -> str:
    codes = sorted(map(str, codes))
    text = ", ".join(codes[:LIST_LIMIT])
    return text + (f"… ({len(codes)} au total)" if len(codes) > LIST_LIMIT else "")


def _table(tables: dict, name: str) -> pd.DataFrame | None:
    frame = tables.get(name)
    return frame if frame is not None and len(frame) else None


def _first_source(frame: pd.DataFrame, default: str) -> str:
    if "source" in frame.columns and frame["source"].notna().any():
        return str(frame["source"].dropna().iloc[0])
    return default


def cross_checks(config: Config | None, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Contrôles entre tables ; renvoie erreurs et avertissements (jamais d'exception)."""
    problems: list[Problem] = []
    file = config.path.name if config is not None else "observatoire.toml"
    labels = {n: s.label for n, s in config.sources.items()} if config is not None else {}
    terr = _table(tables, "territoires")
    valeurs = _table(tables, "valeurs")
    contours = _table(tables, "contours")
    qpv = terr[terr["niveau"] == "qpv"] if terr is not None else None
    if qpv is not None and not len(qpv):
        qpv = None
    generation = config.territoire.generation if config is not None else 2024
    if valeurs is not None and terr is not None:
        problems += _values_vs_territories(valeurs, terr, qpv, labels)
    if qpv is not None and contours is not None:
        problems += _contours_vs_quartiers(contours, qpv)
    if qpv is not None and valeurs is not None:
        problems += _missing_indicators(valeurs, qpv, generation)
    if contours is not None and valeurs is not None:
        with_data = set(valeurs.loc[valeurs["niveau"] == "qpv", "code"])
        current = contours[contours["generation"].fillna(generation) == generation]
        orphans = sorted(set(current["code"]) - with_data)
        if orphans and with_data:
            problems.append(Problem(
                _first_source(contours, file),
                f"{len(orphans)} contour(s) de quartier sans aucune donnée d'indicateur : "
                + _listing(orphans), severity=WARN,
            ))  # fmt: skip
    if terr is not None:
        problems += _parents(terr)
    corr = _table(tables, "correspondances")
    if corr is not None and qpv is not None:
        known = set(qpv["code"])
        codes = set(corr["code_2015"].dropna()) | set(corr["code_2024"].dropna())
        unknown = codes - known
        if unknown:
            problems.append(Problem(
                _first_source(corr, file),
                f"{len(unknown)} code(s) QPV de la correspondance absents de la liste des "
                "quartiers : " + _listing(unknown), severity=WARN,
            ))  # fmt: skip
    if valeurs is not None and config is not None:
        problems += _references_without_values(file, valeurs, config.territoire.references)
    problems += _event_demarches(config, tables)
    return [replace(p, file=labels.get(p.file, p.file)) for p in problems]


def _event_demarches(config: Config | None, tables: dict) -> list[Problem]:
    """Événements qui citent une démarche absente de la table ``concertations`` (seulement si
    une source ``concertations`` est déclarée) : avertissement par événement."""
    events = _table(tables, "evenements")
    if config is None or events is None or "demarche" not in events.columns:
        return []
    if not any(s.type == "concertations" for s in config.sources.values()):
        return []
    demarches = _table(tables, "concertations")
    known = set(demarches["id"]) if demarches is not None else set()
    orphans = events[events["demarche"].notna() & ~events["demarche"].isin(known)]
    return [
        Problem(
            str(rec.source), f"événement {rec.id} rattaché à une démarche absente de la table "
            "concertations : il reste compté, mais dans le bilan d'aucune démarche",
            row=None if pd.isna(rec.ligne) else int(rec.ligne),
            found=rec.demarche, expected="une démarche connue : " + (_listing(known) or "aucune"),
            severity=WARN,
        )
        for rec in orphans.itertuples(index=False)
    ]  # fmt: skip


def _references_without_values(file: str, valeurs, references) -> list[Problem]:
    """Un seul avertissement pour toutes les références déclarées sans aucune valeur."""
    references = list(dict.fromkeys(references))
    missing = [r for r in references if r not in set(valeurs["niveau"])]
    if not missing:
        return []
    named = ", ".join(missing)
    these = "ces références" if len(missing) > 1 else "cette référence"
    if len(missing) == len(references):
        head = (
            "Aucune valeur de territoire de référence n'a été fournie : aucun fichier "
            "d'indicateurs n'a de ligne pour "
            + (
                f"les {len(missing)} références déclarées"
                if len(missing) > 1
                else "la référence déclarée"
            )
            + f" dans [territoire] references ({named})"
        )
    else:
        head = (
            f"aucune valeur d'indicateur pour {len(missing)} des {len(references)} territoires "
            f"de référence déclarés dans [territoire] references : {named}"
        )
    head += f" ; les écarts à {these} ne peuvent pas être calculés"
    return [
        Problem(
            file,
            head,
            expected="des lignes de ces niveaux dans un fichier d'indicateurs (colonne "
            "NIVGEO : COM, EPCI, DEP, FR…), ou les retirer de references",
            severity=WARN,
        )
    ]


def _values_vs_territories(valeurs, terr, qpv, labels: dict) -> list[Problem]:
    problems = []
    known = set(zip(terr["code"], terr["niveau"], strict=True))
    keys = valeurs[["code", "niveau", "source", "ligne"]].drop_duplicates(["code", "niveau"])
    for rec in keys.itertuples(index=False):
        if (rec.code, rec.niveau) in known:
            continue
        if rec.niveau == "qpv" and qpv is not None:
            problems.append(Problem(
                labels.get(rec.source, str(rec.source)), "code QPV absent de la liste des quartiers (qpv_liste)",
                row=None if pd.isna(rec.ligne) else int(rec.ligne), found=rec.code,
                expected="un code de la liste des QPV : " + _listing(qpv["code"]),
            ))  # fmt: skip
        elif rec.niveau != "qpv" and (terr["niveau"] == rec.niveau).any():
            problems.append(Problem(
                labels.get(rec.source, str(rec.source)), f"territoire de niveau {rec.niveau} absent de la table des "
                "territoires", row=None if pd.isna(rec.ligne) else int(rec.ligne),
                found=rec.code, severity=WARN,
            ))  # fmt: skip
    return problems


def _contours_vs_quartiers(contours, qpv) -> list[Problem]:
    problems = []
    for gen in sorted(set(contours["generation"].dropna().astype(int))):
        listed = set(qpv.loc[qpv["generation"] == gen, "code"])
        drawn = set(contours.loc[contours["generation"] == gen, "code"])
        src = _first_source(contours[contours["generation"] == gen], "contours")
        if listed - drawn:
            problems.append(Problem(
                src, f"{len(listed - drawn)} quartier(s) {gen} sans contour : "
                + _listing(listed - drawn), severity=WARN,
            ))  # fmt: skip
        if listed and drawn - listed:
            problems.append(Problem(
                src, f"{len(drawn - listed)} contour(s) {gen} absent(s) de la liste des "
                "quartiers : " + _listing(drawn - listed), severity=WARN,
            ))  # fmt: skip
    return problems


def _missing_indicators(valeurs, qpv, generation: int) -> list[Problem]:
    """Pour chaque indicateur × millésime publié, les quartiers sans aucune ligne."""
    problems = []
    gen_of = dict(zip(qpv["code"], qpv["generation"], strict=True))
    v = valeurs[valeurs["niveau"] == "qpv"]
    v = v.assign(generation=v["code"].map(gen_of))
    for gen, group in v.groupby("generation"):
        quartiers = {c for c, g in gen_of.items() if g == gen}
        present = group.groupby(["indicateur", "annee"])["code"].agg(set)
        for (ident, year), codes in present.items():
            missing = quartiers - codes
            if missing:
                problems.append(Problem(
                    _first_source(group[group["indicateur"] == ident], "valeurs"),
                    f"indicateur « {ident} » ({year}) absent pour {len(missing)} quartier(s) "
                    f"{int(gen)} : " + _listing(missing), severity=WARN,
                ))  # fmt: skip
    return problems


def _parents(terr) -> list[Problem]:
    problems = []
    communes = set(terr.loc[terr["niveau"] == "commune", "code"])
    if not communes:
        return problems
    qpv = terr[(terr["niveau"] == "qpv") & terr["communes"].notna()]
    unknown = set()
    for text in qpv["communes"]:
        unknown |= {c for c in str(text).split(";") if c and c not in communes}
    if unknown:
        problems.append(Problem(
            _first_source(qpv, "territoires"),
            f"{len(unknown)} commune(s) de quartier absente(s) de la table des territoires : "
            + _listing(unknown), severity=WARN,
        ))  # fmt: skip
    return problems


UNIQUE_KEYS = {
    "territoires": ["code", "niveau"],
    "valeurs": ["code", "niveau", "indicateur", "annee"],
    "contours": ["code"],
    "communes_contours": ["code"],
    "concertations": ["id"],
    "contributions": ["id"],
    "projets_bp": ["id"],
    "vivier": ["personne"],
}


def duplicate_keys(name: str, frame: pd.DataFrame, labels: dict[str, str]) -> list[Problem]:
    """Clés en double entre sources (ex. une même valeur dans deux fichiers) : erreurs
    qui citent les deux fichiers et lignes. Les doublons internes à un fichier sont
    déjà signalés par son lecteur."""
    keys = UNIQUE_KEYS.get(name)
    if keys is None or not len(frame) or not set(keys) <= set(frame.columns):
        return []
    dup = frame[frame.duplicated(keys, keep=False)]
    problems: list[Problem] = []
    for _key, group in dup.groupby(keys, sort=False):
        first = group.iloc[0]
        where = _where(first, labels)
        for _, rec in group.iloc[1:].iterrows():
            problems.append(Problem(
                labels.get(rec.get("source"), str(rec.get("source", name))),
                f"table {name} : déjà fourni par {where}",
                row=None if pd.isna(rec.get("ligne")) else int(rec["ligne"]),
                found=" / ".join(str(rec[k]) for k in keys),
                expected="une seule source par " + ", ".join(keys),
            ))  # fmt: skip
    return problems


def _where(rec: pd.Series, labels: dict[str, str]) -> str:
    text = labels.get(rec.get("source"), str(rec.get("source")))
    if "ligne" in rec and not pd.isna(rec["ligne"]):
        text += f" (ligne {int(rec['ligne'])})"
    return text
