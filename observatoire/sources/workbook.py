"""Lecture des classeurs XLSX en texte : choix de la feuille, feuilles masquées, nombres.

Utilisé par :func:`observatoire.sources.tabular.read_raw_table`. La lecture est en
flux et à mémoire bornée (:mod:`observatoire.sources.xlsx_stream`). Une cellule
numérique devient son texte (``1001`` → ``"1001"``, ``43.9`` → ``"43.9"``), une date
son ISO ; les plages fusionnées et les formules sans valeur en cache sont contrôlées
une fois l'en-tête trouvé (:mod:`observatoire.sources.workbook_checks`).

Les feuilles masquées sont ignorées (avertissement qui les nomme) sauf si la
configuration en désigne une (lue, avec un avertissement).

Sans option ``feuille``, la feuille lue est celle dont une ligne contient le plus de
colonnes attendues ; une feuille de documentation (« Documentation », « Lisez-moi »,
« Notes »…) n'est lue que si aucune autre ne convient. Deux feuilles à égalité :
refus qui liste les feuilles et demande ``feuille = "…"``. La feuille lue est
retenue (:func:`sheet_read`) pour que :func:`sheet_context` la nomme dans les
anomalies « colonne absente ».

Exemple ::

    sheet = read_xlsx_rows(Path("revenus.xlsx"), "revenus.xlsx", None, ["CODGEO"])
    sheet.rows, sheet.title, sheet.warnings
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from observatoire.errors import InputError, Problem
from observatoire.sources.xlsx_stream import SheetData, is_hidden, open_book, read_sheet

HEADER_SCAN = 30  # lignes examinées pour trouver l'en-tête d'une feuille
# débuts de mots d'un nom de feuille de documentation (normalisé, sans accents)
DOC_STEMS = (
    "doc", "lisez", "lire", "readme", "note", "notice", "metadon", "metada", "diction",
    "defini", "sommaire", "avertis", "method", "presentation", "info", "legende", "aide",
    "source", "glossaire", "variable", "mention", "champ", "contenu", "explication",
)  # fmt: skip
FILLER = {"a", "de", "des", "du", "d", "l", "la", "le", "les", "et", "sur", "moi", "me", "read"}
_READ: dict[str, tuple[str, tuple[str, ...]]] = {}  # chemin → (feuille lue, feuilles)
_MISSING = re.compile(r"colonne.*(absente|introuvable|reconnue)|propriété.*absente", re.I)


def _problem(file: str, message: str, **kwargs) -> Problem:
    return Problem(file, message, **kwargs)


def list_sheets(path: Path, file: str) -> list[str]:
    """Noms des feuilles **visibles** d'un classeur XLSX (les feuilles masquées sont
    ignorées ; :func:`read_xlsx_rows` le signale)."""
    return [ws.title for ws in open_book(path, file).worksheets if not is_hidden(ws)]


def is_documentation_sheet(title: str) -> bool:
    """Vrai pour un nom de feuille de documentation (« Documentation », « Lisez-moi »…).

    >>> is_documentation_sheet("Lisez-moi"), is_documentation_sheet("Données 2021")
    (True, False)
    """
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and not w.isdigit()]
    doc = [w for w in words if w.startswith(DOC_STEMS)]
    if "".join(words) in ("readme", "lisezmoi"):
        return True
    return bool(doc) and all(w in FILLER or w.startswith(DOC_STEMS) for w in words)


def _sheet_rows(book, ws, file: str, limit: int | None = None) -> list[list[str]]:
    return read_sheet(book, ws, file, limit).rows


def _hits(rows: list[list[str]], expected: Sequence[str]) -> int:
    """Plus grand nombre de colonnes attendues sur une même ligne des premières lignes."""
    from observatoire.sources.tabular import normalise_label

    wanted = {normalise_label(e) for e in expected if e}
    best = 0
    for row in rows[:HEADER_SCAN]:
        best = max(best, len(wanted & {normalise_label(c) for c in row if str(c).strip()}))
    return best


def _tabular(rows: list[list[str]]) -> bool:
    """Vrai si la feuille a au moins une ligne de deux cellules remplies (un tableau)."""
    return any(sum(1 for c in r if str(c).strip()) >= 2 for r in rows[:HEADER_SCAN])


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"« {n} »" for n in names)


def _choose(wb, expected: Sequence[str], file: str):
    """Feuille à lire sans option ``feuille`` (voir la docstring du module)."""
    sheets = [ws for ws in wb.worksheets if not is_hidden(ws)] or list(wb.worksheets)
    heads = {ws.title: _sheet_rows(wb, ws, file, HEADER_SCAN) for ws in sheets}
    data = [ws for ws in sheets if not is_documentation_sheet(ws.title)]
    if expected:
        score = {ws.title: _hits(heads[ws.title], expected) for ws in sheets}
        for pool in (data, sheets):
            best = max((score[ws.title] for ws in pool), default=0)
            if best == 0:
                continue
            top = [ws for ws in pool if score[ws.title] == best]
            if len(top) == 1:
                return top[0]
            names = [ws.title for ws in top]
            raise InputError(
                [
                    _problem(
                        file,
                        f"{len(top)} feuilles du classeur contiennent le tableau attendu : "
                        f"{_quoted(names)} ; impossible de choisir sans ambiguïté "
                        f"(feuilles du classeur : {_quoted([s.title for s in sheets])})",
                        expected=f'la feuille à lire dans la configuration : feuille = "{names[0]}"'
                        + "".join(f' ou feuille = "{n}"' for n in names[1:]),
                    )
                ]
            )
    tables = [ws for ws in data if _tabular(heads[ws.title])]
    return (tables or data or sheets)[0]


def read_xlsx_rows(
    path: Path, file: str, sheet: str | int | None, expected: Sequence[str]
) -> SheetData:
    """La feuille à lire (lignes en texte, plages fusionnées, formules sans valeur,
    avertissements sur les feuilles masquées) ; lève :class:`InputError`."""
    from observatoire.sources.tabular import find_header

    wb = open_book(path, file)
    names = [ws.title for ws in wb.worksheets]
    hidden = [ws.title for ws in wb.worksheets if is_hidden(ws)]
    visible = [n for n in names if n not in hidden]
    if sheet is None:
        ws = _choose(wb, expected, file)
    elif isinstance(sheet, int) and not isinstance(sheet, bool) and 1 <= sheet <= len(names):
        ws = wb.worksheets[sheet - 1]
    elif str(sheet) in names:
        ws = wb[str(sheet)]
    else:
        raise InputError(
            [
                _problem(
                    file,
                    "la feuille configurée n'existe pas dans le classeur",
                    column=None,
                    found=sheet,
                    expected="une des feuilles : " + ", ".join(names),
                )
            ]
        )
    data = read_sheet(wb, ws, file)
    if sheet is not None and expected and find_header(data.rows, expected) is None:
        elsewhere = [
            ws2.title
            for ws2 in wb.worksheets
            if ws2.title != ws.title
            and find_header(_sheet_rows(wb, ws2, file, HEADER_SCAN), expected) is not None
        ]
        if elsewhere:
            raise InputError(
                [
                    _problem(
                        file,
                        f"le tableau attendu n'est pas sur la feuille « {ws.title} » "
                        f"mais sur « {elsewhere[0]} »",
                        found=ws.title,
                        expected=f'feuille = "{elsewhere[0]}" dans la configuration',
                    )
                ]
            )
    if ws.title in hidden:
        data.warnings.append(
            {
                "message": f"la feuille « {ws.title} » est masquée dans le classeur ; "
                "elle est lue parce que la configuration la désigne",
                "found": ws.title,
                "expected": "une feuille visible, ou la confirmation que cette feuille "
                "masquée contient bien les données à publier",
            }
        )
    elif hidden and (sheet is None or (visible and ws.title == visible[0])):
        data.warnings.append(
            {
                "message": f"{len(hidden)} feuille(s) masquée(s) ignorée(s) : {_quoted(hidden)}",
                "found": ", ".join(hidden),
                "expected": "rien si ce sont des brouillons ; sinon affichez la feuille "
                'dans le tableur ou désignez-la : feuille = "…"',
            }
        )
    _READ[_key(path)] = (ws.title, tuple(visible or names))
    return data


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def sheet_read(path: Path) -> tuple[str, list[str]] | None:
    """(feuille lue, feuilles du classeur) de la dernière lecture de ``path``, sinon ``None``."""
    found = _READ.get(_key(path))
    return (found[0], list(found[1])) if found else None


def sheet_context(path: Path | None, file: str, problems: Sequence[Problem]) -> list[Problem]:
    """Anomalies d'une source complétées pour un classeur : chaque « colonne absente »
    nomme la feuille lue ; la première liste aussi les feuilles du classeur avec l'option
    ``feuille = "…"`` (celle qui porte les colonnes manquantes si on la trouve). Le
    nombre d'anomalies ne change pas.

    Sans colonne absente (ou si ``path`` n'est pas un classeur lu) : ``problems`` tel quel.
    """
    read = sheet_read(path) if path is not None else None
    missing = [
        p
        for p in problems
        if p.file == file and p.severity == "erreur" and _MISSING.search(p.message or "")
    ]
    if read is None or not missing:
        return list(problems)
    title, names = read
    others = [n for n in names if n != title and not is_documentation_sheet(n)]
    target = _sheet_with(path, [str(p.column) for p in missing if p.column], title)
    advice = ""
    if target:
        advice = f'feuille = "{target}" dans la configuration (les colonnes y figurent)'
    elif others:
        advice = "la feuille du tableau : " + " ou ".join(f'feuille = "{n}"' for n in others)
    else:
        advice = 'feuille = "…" dans la configuration si le tableau est sur une autre feuille'
    listing = f"le classeur contient {len(names)} feuille(s) : {_quoted(names)}"
    out = []
    for p in problems:
        if p is missing[0]:
            expected = " ; ou ".join(e for e in (p.expected, advice) if e) or None
            p = replace(p, message=f"{p.message} (feuille « {title} » ; {listing})")
            p = replace(p, expected=expected)
        elif p in missing:
            p = replace(p, message=f"{p.message} (feuille « {title} »)")
        out.append(p)
    return out


def _sheet_with(path: Path, columns: list[str], current: str) -> str | None:
    """Autre feuille de données dont une ligne contient le plus des ``columns`` (``None``
    si aucune, ou si plusieurs sont à égalité)."""
    if not columns:
        return None
    try:
        wb = open_book(path, str(path))
        score = {
            ws.title: _hits(_sheet_rows(wb, ws, str(path), HEADER_SCAN), columns)
            for ws in wb.worksheets
            if ws.title != current and not is_documentation_sheet(ws.title) and not is_hidden(ws)
        }
    except InputError:
        return None
    best = max(score.values(), default=0)
    top = [t for t, s in score.items() if s == best]
    return top[0] if best and len(top) == 1 else None
