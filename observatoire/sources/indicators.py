"""Adaptateur ``indicateurs`` : fichiers d'indicateurs QPV, formes large et longue.

- forme **large** (défaut) : une ligne par territoire, une colonne par indicateur
  (fichiers INSEE : ``CODGEO;LIBGEO;NIVGEO;TX_PAUV;…``) ; la table ``indicateurs``
  associe chaque colonne à un identifiant du catalogue (une colonne déjà nommée
  comme un identifiant est reprise d'office) ;
- forme **longue** : une ligne par territoire × indicateur × année
  (``colonnes = { code, indicateur, annee, valeur }``).

Chaque cellule devient une ligne de ``valeurs`` avec un statut (ok / secret /
absent) : ``s``, ``nd``, tranches… ne deviennent jamais 0. Le millésime vient d'une
colonne, de l'option ``annee`` ou du nom du fichier (``annee_depuis_nom``).

Exemple (``observatoire.toml``) ::

    [sources.revenus_2021]
    type = "indicateurs"
    fichier = "indicateurs/revenus_qpv_2021.csv"
    annee_depuis_nom = "_(\\d{4})\\.csv$"
    colonne_niveau = "NIVGEO"
    colonnes = { code = "CODGEO", nom = "LIBGEO" }
    indicateurs = { TX_PAUV = "taux_pauvrete", MED_UC = "revenu_median_uc" }
"""

from __future__ import annotations

import re

import pandas as pd

from observatoire.config import SourceConfig
from observatoire.errors import ProblemCollector
from observatoire.sources.common import (
    READ_OPTIONS,
    code_expected,
    names_frame,
    niveau_of,
    read_source_table,
)
from observatoire.sources.indicator_cells import (
    IndicatorCells,
    fraction_warning,
    unknown_indicator,
)
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.tabular import RawTable, guess_column, normalise_label
from observatoire.sources.values import check_code, parse_code

DEFAULTS = {
    "code": ["codgeo", "code", "code_qp", "code_qpv", "code_geo", "code_territoire", "qp"],
    "nom": ["libgeo", "nom", "lib_qp", "nom_qp", "libelle", "nom_territoire"],
    "niveau": ["nivgeo", "niveau", "niveau_geo"],
    "indicateur": ["indicateur", "variable", "id_indicateur", "code_indicateur"],
    "annee": ["annee", "millesime", "an", "year"],
    "valeur": ["valeur", "value", "val"],
    "numerateur": ["numerateur"],
    "denominateur": ["denominateur"],
}
WIDE_KEYS = ("code", "nom", "niveau", "annee")
LONG_KEYS = tuple(DEFAULTS)
LEVEL_GUESS = ("qpv", "commune", "epci", "departement")


def _table(source: SourceConfig, key: str, problems: ProblemCollector) -> dict[str, str]:
    value = source.get(key) or {}
    if not isinstance(value, dict):
        problems.add(
            f"l'option « {key} » doit être une table",
            column=key,
            found=value,
            expected=f'{key} = {{ … = "…" }}',
        )
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _year_option(source: SourceConfig, problems: ProblemCollector) -> int | None:
    if source.get("annee") is not None:
        year = source.get("annee")
        if not isinstance(year, int) or not 1990 <= year <= 2100:
            problems.add(
                "millésime invalide",
                column="annee",
                found=year,
                expected="une année entre 1990 et 2100, ex. annee = 2021",
            )
            return None
        return year
    pattern = source.get("annee_depuis_nom")
    if pattern is None:
        return None
    try:
        regex = re.compile(str(pattern))
    except re.error as exc:
        problems.add(
            "expression régulière invalide",
            column="annee_depuis_nom",
            found=pattern,
            expected=f"une expression valide avec un groupe ({exc})",
        )
        return None
    assert source.path is not None
    m = regex.search(source.path.name)
    if not m or not m.groups() or not (m.group(1) or "").isdigit():
        problems.add(
            "le millésime n'a pas été trouvé dans le nom du fichier",
            column="annee_depuis_nom",
            found=source.path.name,
            expected=f"un nom qui correspond à « {pattern} » avec l'année dans le 1er groupe",
        )
        return None
    return int(m.group(1))


def _catalogue_ids(ctx: LoadContext) -> dict[str, dict]:
    cat = ctx.tables.get("catalogue")
    if cat is None or not len(cat):
        from observatoire.catalogue import build_catalogue

        cat, _ = build_catalogue(ctx.config)
    return {r["id"]: r for r in cat.to_dict("records")}


def _territory(rec, cols, source, mapping, problems, line) -> tuple[str, str] | None:
    code = parse_code(rec.get(cols["code"], ""))
    if not code:
        problems.add(
            "code du territoire manquant",
            row=line,
            column=cols["code"],
            expected="un code (QPV, commune, EPCI…)",
        )
        return None
    if "niveau" in cols:
        raw_level = str(rec.get(cols["niveau"], "")).strip()
        niveau = niveau_of(raw_level, mapping)
        if niveau is None:
            problems.add(
                "niveau géographique inconnu", row=line, column=cols["niveau"], found=raw_level,
                expected="QPV, COM, EPCI, EPT, UU, DEP, REG, FR, ENSQPV… ou une table "
                "niveaux = { VALEUR = \"niveau\" } dans la configuration",
            )  # fmt: skip
            return None
    elif source.get("niveau"):
        niveau = niveau_of(source.get("niveau")) or "qpv"  # validé dans load_indicateurs
    else:
        niveau = next((lv for lv in LEVEL_GUESS if check_code(code, lv) is None), None)
        if niveau is None:
            problems.add(
                "niveau géographique impossible à déduire du code", row=line,
                column=cols["code"], found=code,
                expected="un code QPV ou commune, ou colonne_niveau / niveau dans la configuration",
            )  # fmt: skip
            return None
    expected = code_expected(code, niveau)
    if expected:
        problems.add(
            f"code {niveau} invalide", row=line, column=cols["code"], found=code, expected=expected
        )
        return None
    return code, niveau


def _resolve(raw: RawTable, wanted: dict[str, str], problems: ProblemCollector) -> dict[str, str]:
    actual = {normalise_label(c): c for c in raw.frame.columns}
    out = {}
    for key, name in wanted.items():
        real = actual.get(normalise_label(name))
        if real is None:
            problems.add(
                f"colonne configurée ({key}) absente du fichier", column=name, found=name,
                expected="une des colonnes disponibles : " + ", ".join(map(str, raw.frame.columns)),
            )  # fmt: skip
        else:
            out[key] = real
    return out


def load_indicateurs(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Fichier d'indicateurs (large ou long) → table ``valeurs``."""
    problems = ProblemCollector(source.label)
    catalogue = _catalogue_ids(ctx)
    forme = str(source.get("forme", "large")).lower()
    if forme not in ("large", "longue"):
        problems.add("forme inconnue", column="forme", found=forme, expected='"large" ou "longue"')
        problems.raise_if_any()
    colonnes = _table(source, "colonnes", problems)
    mapping = _table(source, "indicateurs", problems)
    niveaux = _table(source, "niveaux", problems)
    numerateurs = _table(source, "numerateurs", problems)
    denominateurs = _table(source, "denominateurs", problems)
    if source.get("colonne_niveau"):
        colonnes["niveau"] = str(source.get("colonne_niveau"))
    allowed = WIDE_KEYS if forme == "large" else LONG_KEYS
    for key in colonnes:
        if key not in allowed:
            problems.add(
                "clé inconnue dans l'option « colonnes »",
                column=f"colonnes.{key}",
                found=key,
                expected="une des clés : " + ", ".join(allowed),
            )
    for column, ident in list(mapping.items()) + [(i, i) for i in (*numerateurs, *denominateurs)]:
        if ident not in catalogue:
            unknown_indicator(ident, catalogue, problems, f"indicateurs.{column}")
    year = _year_option(source, problems)
    if source.get("niveau") is not None and niveau_of(source.get("niveau")) is None:
        problems.add(
            "niveau géographique inconnu",
            column="niveau",
            found=source.get("niveau"),
            expected="qpv, commune, epci, ept, unite_urbaine, departement, region, france, "
            "france_metropolitaine ou ensemble_qpv",
        )
    problems.raise_if_any()
    expected = list(colonnes.values()) or DEFAULTS["code"][:3]
    expected += list(mapping) if forme == "large" else []
    raw = read_source_table(source, problems, expected=expected)
    cols = _resolve(raw, {k: v for k, v in colonnes.items() if k in allowed}, problems)
    for key in allowed:
        if key not in colonnes and (hit := guess_column(raw.frame.columns, DEFAULTS[key])):
            cols[key] = hit
    if "code" not in cols and "code" not in colonnes:
        problems.add(
            "colonne du code introuvable",
            expected='colonnes = { code = "…" } ; '
            "colonnes disponibles : " + ", ".join(map(str, raw.frame.columns)),
        )
    if year is None and "annee" not in cols:
        problems.add(
            "millésime inconnu",
            expected="une colonne annee, ou annee = 2021, ou annee_depuis_nom = "
            '"(\\\\d{4})" dans la configuration',
        )
    cells = IndicatorCells(source, problems, catalogue)
    cells.decimal_comma = raw.separator == ";"
    if forme == "large":
        _wide(raw, cols, mapping, numerateurs, denominateurs, year, source, niveaux, cells)
    else:
        _long(raw, cols, mapping, year, source, niveaux, cells)
    problems.raise_if_any()
    frame = cells.frame()
    fraction_warning(frame, catalogue, problems)
    ctx.warnings += problems.warnings
    if "nom" in cols:  # noms des territoires du fichier : nomment ceux des autres sources
        quiet = ProblemCollector(source.label)  # anomalies déjà signalées ci-dessus
        where = lambda rec, line: _territory(rec, cols, source, niveaux, quiet, line)  # noqa: E731
        return {"valeurs": frame, "noms": names_frame(raw, cols["nom"], where)}
    return {"valeurs": frame}


def _aux_columns(
    raw: RawTable, kind: str, table: dict[str, str], problems: ProblemCollector
) -> dict[str, str]:
    """Colonnes réelles des numérateurs (ou dénominateurs) : identifiant → colonne."""
    found = _resolve(raw, {f"{kind}.{ident}": col for ident, col in table.items()}, problems)
    return {key.split(".", 1)[1]: real for key, real in found.items()}


def _wide(raw, cols, mapping, numerateurs, denominateurs, year, source, niveaux, cells):
    problems = cells.problems
    reserved = set(cols.values())
    actual = {normalise_label(c): c for c in raw.frame.columns}
    indicator_cols = _resolve(raw, {f"indicateurs.{k}": k for k in mapping}, problems)
    pairs = [(real, mapping[key.split(".", 1)[1]]) for key, real in indicator_cols.items()]
    if not mapping:  # colonnes nommées comme un identifiant du catalogue
        pairs = [
            (actual[i], i) for i in cells.catalogue if i in actual and actual[i] not in reserved
        ]
    num_of = _aux_columns(raw, "numerateurs", numerateurs, problems)
    den_of = _aux_columns(raw, "denominateurs", denominateurs, problems)
    used = reserved | {c for c, _ in pairs} | set(num_of.values()) | set(den_of.values())
    ignored = [c for c in raw.frame.columns if c not in used]
    if ignored and mapping:
        problems.warn(
            "colonnes non associées à un indicateur, ignorées",
            found=", ".join(map(str, ignored)),
            expected='indicateurs = { COLONNE = "id" } pour les lire',
        )
    if not pairs and not problems.errors:
        problems.add(
            "aucune colonne d'indicateur reconnue",
            expected='indicateurs = { COLONNE = "id_du_catalogue" } dans la configuration',
        )
    if problems.errors:
        return
    for pos, rec in enumerate(raw.records()):
        line = raw.line_of(pos)
        terr = _territory(rec, cols, source, niveaux, problems, line)
        row_year = _row_year(rec, cols, year, problems, line)
        if terr is None or row_year is None:
            continue
        for column, ident in pairs:
            num = _aux(cells, rec, num_of.get(ident), line)
            den = _aux(cells, rec, den_of.get(ident), line)
            cells.add(*terr, ident, row_year, rec.get(column, ""), line, column, num, den)


def _aux(cells: IndicatorCells, rec: dict, column: str | None, line: int) -> float | None:
    if column is None:
        return None
    value, _status, _band = cells.number(rec.get(column, ""), line, column)
    return value


def _row_year(rec, cols, year, problems, line) -> int | None:
    if "annee" not in cols:
        return year
    text = str(rec.get(cols["annee"], "")).strip()
    try:
        value = int(float(text.replace(",", ".")))
    except ValueError:
        value = None
    if value is None or not 1990 <= value <= 2100:
        problems.add(
            "millésime invalide",
            row=line,
            column=cols["annee"],
            found=text,
            expected="une année entre 1990 et 2100",
        )
        return None
    return value


def _long(raw, cols, mapping, year, source, niveaux, cells) -> None:
    problems = cells.problems
    for key in ("indicateur", "valeur"):
        if key not in cols:
            problems.add(f"colonne « {key} » introuvable (forme longue)",
                         expected=f'colonnes = {{ {key} = "…" }} ; colonnes disponibles : '
                         + ", ".join(map(str, raw.frame.columns)))  # fmt: skip
    if problems.errors:
        return
    by_label = {normalise_label(k): v for k, v in mapping.items()}
    unknown: set[str] = set()
    for pos, rec in enumerate(raw.records()):
        line = raw.line_of(pos)
        label = str(rec.get(cols["indicateur"], "")).strip()
        ident = by_label.get(normalise_label(label), label)
        if ident not in cells.catalogue:
            if label not in unknown:
                unknown.add(label)
                unknown_indicator(label, cells.catalogue, problems, cols["indicateur"])
            continue
        terr = _territory(rec, cols, source, niveaux, problems, line)
        row_year = _row_year(rec, cols, year, problems, line)
        if terr is None or row_year is None:
            continue
        num = _aux(cells, rec, cols.get("numerateur"), line)
        den = _aux(cells, rec, cols.get("denominateur"), line)
        cells.add(*terr, ident, row_year, rec.get(cols["valeur"], ""), line, cols["valeur"],
                  num, den)  # fmt: skip


ADAPTERS = [
    Adapter(
        type="indicateurs",
        tables=("valeurs",),
        load=load_indicateurs,
        needs=("catalogue",),
        options={
            "forme": '"large" (une colonne par indicateur, défaut) ou "longue" '
            "(une ligne par territoire × indicateur × année)",
            "annee": "millésime de toutes les valeurs du fichier (ex. 2021)",
            "annee_depuis_nom": "expression régulière dont le 1er groupe extrait le millésime "
            'du nom du fichier (ex. "_(\\\\d{4})\\\\.csv$")',
            "niveau": "niveau de toutes les lignes (qpv, commune…) si pas de colonne de niveau",
            "colonne_niveau": "colonne qui donne le niveau géographique (ex. NIVGEO)",
            "niveaux": 'table valeur de la colonne de niveau → niveau (ex. { COM = "commune" })',
            "colonnes": "table des colonnes : code, nom, niveau, annee ; en forme longue aussi "
            "indicateur, valeur, numerateur, denominateur",
            "indicateurs": "table colonne du fichier (forme large) ou libellé (forme longue) → "
            "identifiant du catalogue",
            "numerateurs": "table identifiant → colonne du numérateur (forme large)",
            "denominateurs": "table identifiant → colonne du dénominateur (forme large)",
            **READ_OPTIONS,
        },
        description="Valeurs d'indicateurs par territoire et millésime.",
    ),
]
