"""Adaptateurs de géographie tabulaire : liste des QPV, territoires de référence.

- ``qpv_liste`` : la liste nationale des QPV (``code_qp;lib_qp;insee_reg;…``), codes
  commune protégés ``="60057"``, quartiers multi-communes ``"13055;13070"`` ;
  produit les QPV et les communes, EPCI, départements, régions qu'on en déduit ;
- ``territoires`` : territoires de référence (code, niveau, nom, parents).

Les contours sont dans :mod:`observatoire.sources.contours`, la correspondance
2015 → 2024 dans :mod:`observatoire.sources.correspondance`.

Exemple (``observatoire.toml``) ::

    [sources.qpv_2024]
    type = "qpv_liste"
    fichier = "geographie/liste_qpv_2024.csv"
"""

from __future__ import annotations

import pandas as pd

from observatoire.config import SourceConfig
from observatoire.errors import ProblemCollector
from observatoire.sources.common import (
    READ_OPTIONS,
    code_expected,
    map_columns,
    niveau_of,
    read_source_table,
    split_list,
)
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.values import parse_code, qpv_generation

TERRITORY_COLUMNS = [
    "code",
    "niveau",
    "nom",
    "generation",
    "communes",
    "epci",
    "departement",
    "region",
    "source",
    "ligne",
    "deduit",
    "noms_communes",
]

QPV_COLUMNS = {
    "code": ["code_qp", "code_qpv", "codeqp", "code_quartier", "qp", "code"],
    "nom": ["lib_qp", "nom_qp", "nom_qpv", "lib_qpv", "libelle_qp", "quartier", "nom"],
    "communes": ["insee_com", "code_insee", "codes_communes", "code_commune", "depcom"],
    "noms_communes": ["lib_com", "nom_com", "commune_qp", "communes", "commune"],
    "epci": ["siren_epci", "code_epci", "epci"],
    "nom_epci": ["lib_epci", "nom_epci"],
    "departement": ["insee_dep", "code_dep", "dep", "departement"],
    "nom_departement": ["lib_dep", "nom_dep"],
    "region": ["insee_reg", "code_reg", "reg", "region"],
    "nom_region": ["lib_reg", "nom_reg"],
}


def _text(value: object) -> str:
    return str(value if value is not None else "").strip()


def _check(problems: ProblemCollector, code: str, niveau: str, row: int, column: str) -> bool:
    expected = code_expected(code, niveau)
    if expected is None:
        return True
    problems.add(f"code {niveau} invalide", row=row, column=column, found=code, expected=expected)
    return False


def _generation_option(source: SourceConfig, problems: ProblemCollector) -> int | None:
    gen = source.get("generation")
    if gen is not None and gen not in (2015, 2024):
        problems.add(
            "génération QPV inconnue", column="generation", found=gen, expected="2015 ou 2024"
        )
        return None
    return gen


def qpv_generation_checked(
    code: str, option: int | None, problems: ProblemCollector, row: int | None, column: str
) -> int | None:
    """Génération d'un code QPV, vérifiée contre l'option ``generation`` de la source."""
    deduced = qpv_generation(code)
    if option is not None and deduced is not None and deduced != option:
        problems.add(
            f"code QPV de la génération {deduced} dans une source déclarée génération {option}",
            row=row,
            column=column,
            found=code,
            expected=f"un code {'QN' if option == 2024 else 'QP'}… (génération {option})",
        )
    return option if option is not None else deduced


def load_qpv_liste(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Liste des QPV → table ``territoires`` (QPV + communes, EPCI, départements, régions)."""
    problems = ProblemCollector(source.label)
    gen_option = _generation_option(source, problems)
    raw = read_source_table(source, problems, expected=["code_qp", "CODE_QP", "lib_qp", "nom_qp"])
    cols = map_columns(raw, source, QPV_COLUMNS, problems, required=["code"])
    problems.raise_if_any()
    records: list[dict] = []
    parents: dict[tuple[str, str], dict] = {}
    first_line: dict[str, int] = {}
    for pos, rec in enumerate(raw.records()):
        line = raw.line_of(pos)

        def get(key: str, rec=rec) -> str:
            return _text(rec.get(cols[key], "")) if key in cols else ""

        code = parse_code(get("code"))
        if not code:
            problems.add("code QPV manquant", row=line, column=cols["code"], expected="un code QPV")
            continue
        if code in first_line:
            problems.add(
                f"quartier en double (déjà à la ligne {first_line[code]})",
                row=line,
                column=cols["code"],
                found=code,
                expected="une seule ligne par quartier",
            )
            continue
        first_line[code] = line
        _check(problems, code, "qpv", line, cols["code"])
        generation = qpv_generation_checked(code, gen_option, problems, line, cols["code"])
        communes = [parse_code(c) for c in split_list(get("communes"))]
        for c in communes:
            _check(problems, c, "commune", line, cols.get("communes", "communes"))
        names = split_list(get("noms_communes"))
        if names and communes and len(names) != len(communes):
            problems.add(
                f"{len(names)} noms de communes pour {len(communes)} codes : noms ignorés",
                row=line,
                column=cols["noms_communes"],
                found=get("noms_communes"),
                expected="autant de noms que de codes, dans le même ordre",
                severity="avertissement",
            )
        # EPCI, département, région : en général un seul, parfois une liste
        level_codes = {}
        for key in ("epci", "departement", "region"):
            level_codes[key] = [parse_code(c) for c in split_list(get(key))]
            for c in level_codes[key]:
                _check(problems, c, key, line, cols.get(key, key))
        joined = {k: ";".join(v) or None for k, v in level_codes.items()}
        records.append(
            {
                "code": code,
                "niveau": "qpv",
                "nom": get("nom") or None,
                "generation": generation,
                "communes": ";".join(communes) or None,
                **joined,
                "ligne": line,
                "deduit": False,
                # noms sans codes : rattachés aux communes connues après lecture de tout
                "noms_communes": ";".join(names) if names and not communes else None,
            }
        )
        single = {k: (v[0] if len(v) == 1 else None) for k, v in level_codes.items()}
        _add_parents(parents, "commune", communes, names, single, line)
        upper = {
            "epci": {"departement": single["departement"], "region": single["region"]},
            "departement": {"region": single["region"]},
            "region": {},
        }
        for key, extra in upper.items():
            noms = split_list(get(f"nom_{key}"))
            _add_parents(parents, key, level_codes[key], noms, extra, line)
    problems.raise_if_any()
    ctx.warnings += problems.warnings
    return {"territoires": territory_frame(records + list(parents.values()), source.name)}


def _add_parents(
    parents: dict, niveau: str, codes: list[str], names: list[str], links: dict, line: int
) -> None:
    """Ajoute les territoires parents déduits d'une ligne (la première occurrence gagne)."""
    for i, code in enumerate(codes):
        name = names[i] if len(names) == len(codes) else None
        parents.setdefault(
            (code, niveau),
            {"code": code, "niveau": niveau, "nom": name, **links, "ligne": line, "deduit": True},
        )


def territory_frame(records: list[dict], source_name: str) -> pd.DataFrame:
    """Construit une table ``territoires`` typée à partir d'enregistrements."""
    frame = pd.DataFrame(records, columns=TERRITORY_COLUMNS)
    frame["source"] = source_name
    frame["generation"] = pd.array(frame["generation"], dtype="Int64")
    frame["ligne"] = pd.array(frame["ligne"], dtype="Int64")
    frame["deduit"] = frame["deduit"].fillna(False).astype(bool)
    for col in ("nom", "communes", "epci", "departement", "region", "noms_communes"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


# ------------------------------------------------------------------ territoires

TERRITOIRES_COLUMNS = {
    "code": ["code", "codgeo", "code_geo", "code_territoire", "code_insee"],
    "niveau": ["niveau", "nivgeo", "niveau_geo", "type", "type_territoire"],
    "nom": ["nom", "libgeo", "libelle", "lib_geo", "nom_territoire"],
    "generation": ["generation", "generation_qpv"],
    "communes": ["communes", "codes_communes", "insee_com"],
    "epci": ["epci", "siren_epci", "code_epci"],
    "departement": ["departement", "dep", "insee_dep", "code_dep"],
    "region": ["region", "reg", "insee_reg", "code_reg"],
}
CHECKED_LEVELS = ("qpv", "commune", "epci", "departement", "region")


def load_territoires(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Territoires de référence (code, niveau, nom, parents) → ``territoires``."""
    problems = ProblemCollector(source.label)
    raw = read_source_table(source, problems, expected=["code", "niveau", "nom", "codgeo"])
    fixed = source.get("niveau")
    mapping = source.get("niveaux") or {}
    required = ["code"] if fixed else ["code", "niveau"]
    cols = map_columns(raw, source, TERRITOIRES_COLUMNS, problems, required=required)
    problems.raise_if_any()
    records = []
    for pos, rec in enumerate(raw.records()):
        line = raw.line_of(pos)

        def get(key: str, rec=rec) -> str:
            return _text(rec.get(cols[key], "")) if key in cols else ""

        value = get("niveau") if "niveau" in cols else str(fixed)
        niveau = niveau_of(value, mapping)
        if niveau is None:
            problems.add(
                "niveau géographique inconnu",
                row=line,
                column=cols.get("niveau", "niveau"),
                found=value,
                expected="qpv, commune, epci, ept, unite_urbaine, departement, region, france, "
                "france_metropolitaine, ensemble_qpv (ou une table niveaux = { … })",
            )
            continue
        code = parse_code(get("code"))
        if not code:
            problems.add("code manquant", row=line, column=cols["code"], expected="un code")
            continue
        if niveau in CHECKED_LEVELS:
            _check(problems, code, niveau, line, cols["code"])
        generation = None
        if niveau == "qpv":
            gen_text = get("generation")
            generation = int(gen_text) if gen_text in ("2015", "2024") else qpv_generation(code)
        communes = [parse_code(c) for c in split_list(get("communes"))]
        for c in communes:
            _check(problems, c, "commune", line, cols.get("communes", "communes"))
        records.append(
            {
                "code": code,
                "niveau": niveau,
                "nom": get("nom") or None,
                "generation": generation,
                "communes": ";".join(communes) or None,
                "epci": parse_code(get("epci")) or None,
                "departement": parse_code(get("departement")) or None,
                "region": parse_code(get("region")) or None,
                "ligne": line,
                "deduit": False,
            }
        )
    seen: dict[tuple[str, str], int] = {}
    for r in records:
        key = (r["code"], r["niveau"])
        if key in seen:
            problems.add(
                f"territoire en double (déjà à la ligne {seen[key]})",
                row=r["ligne"],
                column=cols["code"],
                found=f"{r['code']} ({r['niveau']})",
                expected="une seule ligne par code et niveau",
            )
        seen.setdefault(key, r["ligne"])
    problems.raise_if_any()
    return {"territoires": territory_frame(records, source.name)}


_COLONNES_HELP = 'table des colonnes du fichier : {clé = "nom de colonne"} ; clés : '

ADAPTERS = [
    Adapter(
        type="qpv_liste",
        tables=("territoires",),
        load=load_qpv_liste,
        options={
            "colonnes": _COLONNES_HELP
            + ", ".join(QPV_COLUMNS)
            + " (défaut : code_qp, lib_qp, insee_com, lib_com, siren_epci, lib_epci, insee_dep, "
            "lib_dep, insee_reg, lib_reg et leurs variantes CODE_QP, nom_qp…)",
            "generation": "génération des QPV (2015 ou 2024) ; déduite du préfixe QP/QN si absente",
            "couche": "couche d'un GeoPackage (liste lue dans les attributs d'un fichier de "
            "contours GeoJSON, GeoPackage ou Shapefile)",
            **READ_OPTIONS,
        },
        description="Liste des quartiers prioritaires (forme de la liste nationale, ou "
        "attributs d'un fichier de contours).",
    ),
    Adapter(
        type="territoires",
        tables=("territoires",),
        load=load_territoires,
        options={
            "colonnes": _COLONNES_HELP + ", ".join(TERRITOIRES_COLUMNS),
            "niveau": "niveau unique de toutes les lignes (si le fichier n'a pas de colonne niveau)",
            "niveaux": 'table valeur du fichier → niveau (ex. { COM = "commune" })',
            **READ_OPTIONS,
        },
        description="Territoires de référence : code, niveau, nom, parents.",
    ),
]
