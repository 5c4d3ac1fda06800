"""Outils partagés par les adaptateurs : colonnes configurables, codes, niveaux.

Exemple ::

    problems = ProblemCollector("liste_qpv.csv")
    cols = map_columns(raw, source, {"code": ["code_qp", "CODE_QP"]}, problems,
                       required=["code"])
    expected = code_expected("1001", "commune")   # '… : « 01001 » (zéro initial perdu ?)'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.schemas.geography import NIVEAUX
from observatoire.sources.tabular import RawTable, guess_column, normalise_label, read_raw_table
from observatoire.sources.values import check_code, unescape_excel
from observatoire.text_clean import (
    BIDI,
    MAX_NAME_LENGTH,
    ZERO_WIDTH,
    clean_text,
    count_fr,
    has_nul,
)

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.errors import ProblemCollector

# valeurs usuelles d'une colonne de niveau géographique (NIVGEO des fichiers INSEE…)
NIVEAU_ALIASES: dict[str, str] = {
    "qp": "qpv",
    "qpv": "qpv",
    "qn": "qpv",
    "quartier": "qpv",
    "com": "commune",
    "commune": "commune",
    "comm": "commune",
    "arm": "commune",
    "epci": "epci",
    "ept": "ept",
    "uu": "unite_urbaine",
    "uu2020": "unite_urbaine",
    "unite urbaine": "unite_urbaine",
    "unite_urbaine": "unite_urbaine",
    "dep": "departement",
    "dept": "departement",
    "departement": "departement",
    "reg": "region",
    "region": "region",
    "fr": "france",
    "fe": "france",
    "france": "france",
    "metro": "france_metropolitaine",
    "frm": "france_metropolitaine",
    "fm": "france_metropolitaine",
    "france metropolitaine": "france_metropolitaine",
    "france_metropolitaine": "france_metropolitaine",
    "ensqpv": "ensemble_qpv",
    "ens_qpv": "ensemble_qpv",
    "ensemble qpv": "ensemble_qpv",
    "ensemble des qpv": "ensemble_qpv",
    "ensemble_qpv": "ensemble_qpv",
    "qpv_ensemble": "ensemble_qpv",
}


def niveau_of(value: object, mapping: Mapping[str, str] | None = None) -> str | None:
    """Niveau canonique d'une valeur de colonne de niveau (``"COM"`` → ``"commune"``).

    >>> niveau_of("ENSQPV")
    'ensemble_qpv'
    """
    text = str(value).strip()
    if mapping:
        for key, target in mapping.items():
            if normalise_label(key) == normalise_label(text):
                return target if target in NIVEAUX else None
    return NIVEAU_ALIASES.get(normalise_label(text).replace("-", " "))


def code_expected(code: str, niveau: str) -> str | None:
    """Description attendue si ``code`` n'a pas la forme du niveau (None sinon).

    Un code numérique trop court (zéro initial perdu par un tableur) donne la
    valeur probablement voulue :

    >>> code_expected("1001", "commune")
    'un code commune INSEE à 5 caractères (ex. 01001, 2A004) : probablement « 01001 » (zéro initial perdu par un tableur ?)'
    """
    expected = check_code(code, niveau)
    if expected is None:
        return None
    width = {"commune": 5, "departement": 2, "region": 2, "epci": 9}.get(niveau)
    if width and code.isdigit() and len(code) < width:
        padded = code.zfill(width)
        if check_code(padded, niveau) is None:
            return f"{expected} : probablement « {padded} » (zéro initial perdu par un tableur ?)"
    return expected


def split_list(text: object) -> list[str]:
    """Découpe une cellule multi-valeurs (``"13055;13070"``, ``"Séméac, Tarbes"``)."""
    s = unescape_excel(text)
    parts = (unescape_excel(p) for p in re.split(r"[;,|/]", s))
    return [p for p in parts if p]


def read_source_table(
    source: SourceConfig, problems: ProblemCollector, expected: Iterable[str] = ()
) -> RawTable:
    """Lit le fichier tabulaire d'une source avec ses options de lecture communes.

    Un fichier géographique (GeoJSON, GeoPackage, Shapefile) est lu par ses seuls
    attributs : une ligne par entité (« ligne n » = entité n° n).
    """
    assert source.path is not None
    fmt = str(source.get("format") or source.path.suffix.lstrip(".")).lower()
    if fmt in GEO_ATTRIBUTE_FORMATS:
        return clean_raw_table(read_geo_attributes(source, problems), problems)
    raw = read_raw_table(
        source.path,
        problems=problems,
        file_format=source.get("format"),
        separator=source.get("separateur"),
        encoding=source.get("encodage"),
        sheet=source.get("feuille"),
        header_row=source.get("ligne_entete"),
        expected=list(expected),
        display_name=source.label,
    )
    return clean_raw_table(raw, problems)


GEO_ATTRIBUTE_FORMATS = ("geojson", "json", "gpkg", "shp", "zip")


def read_geo_attributes(source: SourceConfig, problems: ProblemCollector) -> RawTable:
    """Attributs (sans géométrie) d'un fichier géographique, en texte."""
    import pyogrio

    from observatoire.errors import InputError, Problem

    assert source.path is not None
    path, file = source.path, source.label
    if not path.exists():
        raise InputError([Problem(file, "fichier introuvable", found=str(path))])
    kwargs = {"layer": source.get("couche")} if source.get("couche") else {}
    if not kwargs and path.suffix.lower() in (".gpkg", ".zip"):  # plusieurs couches : refus
        from observatoire.sources.geo_checks import pick_layer

        kwargs = {"layer": pick_layer(path, problems)}
    try:
        frame = pyogrio.read_dataframe(path, read_geometry=False, **kwargs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise InputError(
            [
                Problem(
                    file,
                    "fichier géographique illisible",
                    found=str(exc).splitlines()[0][:200],
                    expected="un GeoJSON, Shapefile (avec .shx et .dbf) ou GeoPackage valide",
                )
            ]
        ) from None
    if not len(frame):
        raise InputError([Problem(file, "le fichier est vide", expected="des entités")])
    frame = frame.drop(columns=[c for c in frame.columns if c == "geometry"])
    text = frame.astype(object).where(frame.notna(), "").map(_cell_text)
    return RawTable(text, list(range(1, len(text) + 1)), file)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # attribut numérique : 65440.0 → « 65440 »
    return str(value)


def names_frame(
    raw: RawTable, column: str, locate: Callable[[dict, int], tuple[str, str] | None]
) -> pd.DataFrame:
    """Noms des territoires d'un fichier (code, niveau, nom, ligne) : ``locate(ligne, n°)``
    donne le code et le niveau d'une ligne. Sert à nommer les territoires des autres
    sources (:mod:`observatoire.names`)."""
    out = []
    for pos, rec in enumerate(raw.records()):
        nom = str(rec.get(column, "") or "").strip()
        where = locate(rec, raw.line_of(pos)) if nom else None
        if where:
            out.append((where[0], where[1], nom, raw.line_of(pos)))
    frame = pd.DataFrame(out, columns=["code", "niveau", "nom", "ligne"])
    return frame.drop_duplicates(["code", "niveau"])


READ_OPTIONS = {
    "separateur": "séparateur du CSV (« ; », « , », « \\t ») ; détecté si absent",
    "encodage": "encodage du CSV (utf-8, cp1252…) ; détecté si absent",
    "feuille": "nom (ou numéro à partir de 1) de la feuille d'un classeur XLSX",
    "ligne_entete": "numéro de la ligne d'en-tête (1 = première ligne) ; détectée si absent",
}


def map_columns(
    raw: RawTable,
    source: SourceConfig,
    defaults: Mapping[str, Sequence[str]],
    problems: ProblemCollector,
    *,
    required: Iterable[str] = (),
) -> dict[str, str]:
    """Associe chaque clé canonique à une colonne réelle du fichier.

    ``[sources.X] colonnes = {code = "CODGEO"}`` l'emporte (colonne absente →
    anomalie listant les colonnes disponibles) ; sinon la première colonne dont le nom
    figure dans ``defaults[clé]``. Une clé de ``required`` sans colonne → anomalie.
    """
    configured = source.get("colonnes") or {}
    if not isinstance(configured, dict):
        problems.add(
            "l'option « colonnes » doit être une table",
            column="colonnes",
            found=configured,
            expected='colonnes = { code = "…", nom = "…" }',
        )
        configured = {}
    resolved: dict[str, str] = {}
    available = ", ".join(map(str, raw.frame.columns))
    actual = {normalise_label(c): c for c in raw.frame.columns}
    for key, wanted in configured.items():
        if key not in defaults:
            problems.add(
                "clé inconnue dans l'option « colonnes »",
                column=f"colonnes.{key}",
                found=key,
                expected="une des clés : " + ", ".join(defaults),
            )
            continue
        real = actual.get(normalise_label(wanted))
        if real is None:
            problems.add(
                f"colonne configurée (colonnes.{key}) absente du fichier",
                column=str(wanted),
                found=wanted,
                expected="une des colonnes disponibles : " + available,
            )
            continue
        resolved[key] = real
    for key, candidates in defaults.items():
        if key in resolved or key in configured:
            continue
        hit = guess_column(raw.frame.columns, candidates)
        if hit is not None:
            resolved[key] = hit
    for key in required:
        if key not in resolved and key not in configured:
            problems.add(
                f"colonne « {key} » introuvable",
                expected=(
                    f"une colonne nommée {' / '.join(defaults[key][:4])}, ou "
                    f'colonnes = {{ {key} = "…" }} dans la configuration ; colonnes '
                    f"disponibles : {available}"
                ),
            )
    return resolved


_SUSPECT = "[" + re.escape("\x00\x1b" + BIDI + ZERO_WIDTH) + "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def clean_raw_table(
    raw: RawTable, problems: ProblemCollector, max_length: int | None = MAX_NAME_LENGTH
) -> RawTable:
    """Nettoie en place les cellules et en-têtes de ``raw`` (:mod:`observatoire.text_clean`).

    NUL dans une cellule → erreur ; cellule de plus de ``max_length`` caractères →
    erreur ; caractères invisibles ou de contrôle retirés → un avertissement (nombre,
    première cellule).
    """
    frame = raw.frame
    frame.columns = [clean_text(str(c)) for c in frame.columns]
    removed, first = 0, None
    for index, column in enumerate(frame.columns):
        if frame.dtypes.iloc[index].kind != "O":
            continue
        text = frame.iloc[:, index].astype(str).reset_index(drop=True)
        if max_length is not None:
            for pos in text.index[text.str.len() > max_length]:
                problems.add(
                    "texte trop long pour un nom ou un libellé", row=raw.rows[pos],
                    column=str(column), found=f"{count_fr(len(text[pos]))} caractères",
                    expected=f"au plus {count_fr(max_length)} caractères",
                )  # fmt: skip
        for pos in text.index[text.str.contains(_SUSPECT, regex=True)]:
            value = text[pos]
            if has_nul(value):
                problems.add(
                    "caractère NUL dans la cellule (fichier binaire ou corrompu ?)",
                    row=raw.rows[pos], column=str(column), found=value[:60],
                    expected="du texte sans caractère NUL",
                )  # fmt: skip
                continue
            cleaned = clean_text(value)
            if cleaned != value:
                removed += 1
                first = first or (raw.rows[pos], str(column))
                frame.iat[pos, index] = cleaned
    if removed:
        problems.add(
            f"caractères invisibles ou de contrôle retirés dans {removed} cellule(s) "
            "(échappements ANSI, contrôles de direction, espaces de largeur nulle) ; "
            "première cellule concernée",
            row=first[0], column=first[1], severity="avertissement",
        )  # fmt: skip
    return raw
