"""Noms des territoires toujours connus : fichiers d'abord, COG embarqué ensuite.

Après la lecture de toutes les sources, :func:`complete_territories` complète la table
``territoires`` :

1. les communes données par leur seul nom (``lib_com = "Séméac, Tarbes"`` sans
   ``insee_com``) sont retrouvées parmi les communes nommées par les fichiers (listes,
   contours des communes, territoires de référence, fichiers d'indicateurs), sinon dans
   le COG embarqué (communes 2026), dans le département du quartier quand il est connu
   (accents, casse, « St »/« Saint » indifférents) ; un nom introuvable ou ambigu est un
   avertissement (fichier, ligne, valeur) et reste affiché (colonne ``noms_communes`` des QPV) ;
2. le département d'un quartier sans département est lu dans son code (``QP065001`` →
   ``65``), sa région dans le COG ;
3. les départements cités sans ligne propre sont ajoutés (pas les régions, dont les
   codes 11, 24… sont aussi des codes de département : ``obs.nom("region", …)``) ;
4. un nom absent est pris dans les autres fichiers (contours, puis colonne de nom des
   fichiers d'indicateurs), puis au COG embarqué (:mod:`observatoire.cog`), sinon
   c'est le code : jamais ``None``.

Exemple ::

    frame, warnings = complete_territories(obs.territoires, obs.tables, labels)
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from observatoire.cog import (
    COG_COMMUNES_MILLESIME,
    departement_of_qpv,
    find_commune,
    normalise_name,
    official_name,
    region_of,
)
from observatoire.errors import Problem


def _missing(value: object) -> bool:
    return value is None or value != value or str(value).strip() == ""


def _split(value: object) -> list[str]:
    return [] if _missing(value) else [p for p in str(value).split(";") if p]


def commune_departement(code: str) -> str:
    """Département d'un code commune (``65440`` → ``65``, ``97411`` → ``974``)."""
    return code[:3] if code.startswith("97") else code[:2]


def _commune_index(frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> dict:
    """Nom normalisé → {code : nom} des communes nommées par les fichiers."""
    pairs: list[tuple[str, object]] = []
    rows = frame[frame["niveau"] == "commune"]
    pairs += list(zip(rows["code"], rows["nom"], strict=True))
    contours = tables.get("communes_contours")
    if contours is not None and len(contours) and "nom" in contours.columns:
        pairs += list(zip(contours["code"], contours["nom"], strict=True))
    named = tables.get("noms")
    if named is not None and len(named):
        rows = named[named["niveau"] == "commune"]
        pairs += list(zip(rows["code"], rows["nom"], strict=True))
    index: dict[str, dict[str, str]] = {}
    for code, nom in pairs:
        if not _missing(nom) and not _missing(code):
            index.setdefault(normalise_name(nom), {}).setdefault(str(code), str(nom))
    return index


def _resolve_communes(
    frame: pd.DataFrame, index: dict, labels: Mapping[str, str], warnings: list[Problem]
) -> dict[str, str]:
    """Communes d'un quartier données par leur nom : codes retrouvés, noms gardés pour
    l'affichage (``noms_communes``), avertissement pour chaque nom sans code. Renvoie les
    communes retrouvées (code → nom)."""
    resolved: dict[str, str] = {}
    if "noms_communes" not in frame.columns:
        return resolved
    todo = frame.index[
        (frame["niveau"] == "qpv") & frame["noms_communes"].notna() & frame["communes"].isna()
    ]
    for i in todo:
        row = frame.loc[i]
        dep = row["departement"] if not _missing(row["departement"]) else None
        dep = dep or departement_of_qpv(str(row["code"]))
        codes: list[str] = []
        shown: list[str] = []
        for name in _split(row["noms_communes"]):
            deps = str(dep).split(";") if dep else None
            found = index.get(normalise_name(name), {})
            if deps and len(found) > 1:
                found = {c: n for c, n in found.items() if commune_departement(c) in deps}
            if not found:  # aucun fichier ne nomme cette commune : COG embarqué
                found = find_commune(name, deps)
            if len(found) == 1:
                code, official = next(iter(found.items()))
                codes.append(code)
                shown.append(official)
                resolved[code] = official
                continue
            shown.append(name)
            where = f" dans le département {dep}" if dep else ""
            message = (
                f"commune « {name} » du quartier {row['code']} : nom ambigu{where} "
                f"({', '.join(sorted(found))})"
                if found
                else f"commune « {name} » du quartier {row['code']} : nom sans code, "
                f"introuvable{where} dans les fichiers et dans le Code officiel "
                f"géographique {COG_COMMUNES_MILLESIME} embarqué"
            )
            warnings.append(
                Problem(
                    file=labels.get(str(row.get("source")), str(row.get("source"))),
                    message=message + " ; nom affiché, sans comparaison avec la commune",
                    row=None if _missing(row.get("ligne")) else int(row["ligne"]),
                    found=name,
                    expected="la colonne insee_com (codes des communes) ou une source qui "
                    "donne le code et le nom de la commune (contours des communes, territoires)",
                    severity="avertissement",
                )
            )
        frame.at[i, "noms_communes"] = ";".join(dict.fromkeys(shown))
        if codes:
            frame.at[i, "communes"] = ";".join(dict.fromkeys(codes))
    return resolved


def _fill_parents(frame: pd.DataFrame) -> pd.DataFrame:
    """Département déduit du code QPV, région du COG ; lignes ajoutées pour les parents."""
    qpv = frame["niveau"] == "qpv"
    for i in frame.index[qpv & frame["departement"].isna()]:
        dep = departement_of_qpv(str(frame.at[i, "code"]))
        if dep:
            frame.at[i, "departement"] = dep
    for i in frame.index[(frame["niveau"] == "commune") & frame["departement"].isna()]:
        dep = commune_departement(str(frame.at[i, "code"]))
        if official_name("departement", dep):
            frame.at[i, "departement"] = dep
    deps = (frame["niveau"] == "departement") & frame["region"].isna()
    frame.loc[deps, "region"] = [region_of(str(c)) for c in frame.loc[deps, "code"]]
    mask = frame["niveau"].isin(["qpv", "commune", "epci"])
    for i in frame.index[mask & frame["region"].isna() & frame["departement"].notna()]:
        regs = {region_of(d) for d in _split(frame.at[i, "departement"])}
        if len(regs) == 1 and None not in regs:
            frame.at[i, "region"] = regs.pop()
    known = set(zip(frame["code"], frame["niveau"], strict=True))
    extra: list[dict] = []
    for niveau in ("departement",):  # régions : obs.nom() (codes communs avec des départements)
        for value in frame.loc[frame["niveau"] != niveau, niveau].dropna().unique():
            for code in _split(value):
                if (code, niveau) in known or official_name(niveau, code) is None:
                    continue
                known.add((code, niveau))
                region = region_of(code) if niveau == "departement" else None
                extra.append({"code": code, "niveau": niveau, "region": region, "deduit": True})
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    return frame


SINGLE_LEVELS = ("france", "france_metropolitaine", "ensemble_qpv")


def _add_single_references(frame: pd.DataFrame, valeurs: pd.DataFrame | None) -> pd.DataFrame:
    """Une référence unique (France, France métropolitaine, ensemble des QPV) qui n'a de
    valeurs que dans un fichier d'indicateurs, sans ligne dans une source ``territoires``,
    reçoit sa ligne : sans elle, ses valeurs ne seraient jamais comparées aux quartiers."""
    if valeurs is None or not len(valeurs):
        return frame
    extra = []
    for niveau in SINGLE_LEVELS:
        if (frame["niveau"] == niveau).any():
            continue
        codes = valeurs.loc[valeurs["niveau"] == niveau, "code"].dropna().unique()
        if len(codes) == 1:
            extra.append({"code": str(codes[0]), "niveau": niveau, "deduit": True})
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    return frame


def complete_territories(
    frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame], labels: Mapping[str, str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Table ``territoires`` complétée (communes par leur nom, parents, noms jamais vides)."""
    warnings: list[Problem] = []
    if frame is None or not len(frame):
        return frame, warnings
    frame = frame.copy()
    for col in ("nom", "communes", "epci", "departement", "region"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    resolved = _resolve_communes(frame, _commune_index(frame, tables), labels, warnings)
    known = set(frame.loc[frame["niveau"] == "commune", "code"])
    extra = [  # communes retrouvées par leur nom sans ligne propre (noms d'un autre fichier)
        {"code": c, "niveau": "commune", "nom": n, "deduit": True}
        for c, n in resolved.items()
        if c not in known
    ]
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    frame = _add_single_references(frame, tables.get("valeurs"))
    frame = _fill_parents(frame)
    for col in ("communes", "epci", "departement", "region", "noms_communes"):
        if col in frame.columns:
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    contours = tables.get("contours")
    from_files: dict[tuple[str, str], str] = {}
    if contours is not None and len(contours) and "nom" in contours.columns:
        from_files.update(
            (("qpv", str(c)), str(n))
            for c, n in zip(contours["code"], contours["nom"], strict=True)
            if not _missing(n)
        )
    communes = tables.get("communes_contours")
    if communes is not None and len(communes) and "nom" in communes.columns:
        from_files.update(
            (("commune", str(c)), str(n))
            for c, n in zip(communes["code"], communes["nom"], strict=True)
            if not _missing(n)
        )
    named = tables.get("noms")
    if named is not None and len(named):  # fichiers d'indicateurs : après les contours
        for code, niveau, nom in zip(named["code"], named["niveau"], named["nom"], strict=True):
            if not _missing(nom):
                from_files.setdefault((str(niveau), str(code)), str(nom))
    names = frame["nom"].to_numpy(dtype=object)
    for pos, (code, niveau) in enumerate(zip(frame["code"], frame["niveau"], strict=True)):
        if _missing(names[pos]):
            key = (str(niveau), str(code))
            names[pos] = from_files.get(key) or official_name(niveau, str(code)) or str(code)
    frame["nom"] = names
    if "deduit" in frame.columns:
        frame["deduit"] = frame["deduit"].fillna(False).astype(bool)
    return frame, warnings


def complete_contour_names(
    contours: pd.DataFrame, territoires: pd.DataFrame, niveau: str
) -> pd.DataFrame:
    """Contours dont le nom manque : nom de la table ``territoires``, sinon le code."""
    if contours is None or not len(contours) or "nom" not in contours.columns:
        return contours
    names = contours["nom"].to_numpy(dtype=object)
    missing = [_missing(n) for n in names]
    if not any(missing):
        return contours
    rows = territoires[territoires["niveau"] == niveau] if len(territoires) else territoires
    known = dict(zip(rows["code"], rows["nom"], strict=True)) if len(rows) else {}
    codes = contours["code"].astype(str).to_numpy()
    for pos, absent in enumerate(missing):
        if absent:
            found = known.get(codes[pos])
            names[pos] = str(codes[pos]) if _missing(found) else str(found)
    contours = contours.copy()
    contours["nom"] = names
    return contours
