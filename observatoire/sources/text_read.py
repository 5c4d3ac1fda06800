"""Lecture d'un CSV en texte : encodage, séparateur, lignes — à mémoire bornée.

- encodage détecté (UTF-8, UTF-8 avec BOM, UTF-16 d'Excel, Windows-1252) ; un
  fichier UTF-8 dont quelques lignes sont en Windows-1252 (copier-coller d'un autre
  fichier) est refusé en nommant ces lignes, au lieu d'être décodé tout entier en
  Windows-1252 (caractères accentués faux partout) ;
- séparateur détecté (``;``, ``,``, tabulation, ``|``) ;
- limites de :mod:`observatoire.sources.limits` : taille du fichier, nombre de
  lignes et de cellules, taille d'une cellule (128 Kio : au-delà, c'est presque
  toujours un guillemet non refermé).

Exemple ::

    rows, encoding, separator = read_csv_rows(Path("revenus.csv"), "revenus.csv", None, None)
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from observatoire.errors import InputError, Problem
from observatoire.sources.limits import (
    LIMITS_TEXT,
    MAX_CELL_BYTES,
    MAX_CELLS,
    MAX_ROWS,
    MAX_TEXT_BYTES,
)

SEPARATORS = (";", ",", "\t", "|")
_SEP_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}
ENCODING_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf8-sig": "utf-8-sig",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso-8859-15": "iso-8859-15",
    "utf-16": "utf-16",
    "utf16": "utf-16",
}


_SHOWN = 5  # lignes nommées dans un message d'encodage mélangé


def _problem(file: str, message: str, **kwargs: object) -> Problem:
    return Problem(file, message, **kwargs)  # type: ignore[arg-type]


def detect_encoding(data: bytes, declared: str | None, file: str) -> tuple[str, str]:
    """Décode ``data`` ; renvoie (texte, encodage). Lève si l'encodage déclaré échoue
    ou si un fichier UTF-8 contient des lignes dans un autre encodage."""
    if declared:
        enc = ENCODING_ALIASES.get(declared.strip().lower(), declared.strip().lower())
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError) as exc:
            pos = getattr(exc, "start", None)
            line = data[:pos].count(b"\n") + 1 if pos is not None else None
            raise InputError(
                [
                    _problem(
                        file,
                        f"le fichier ne se lit pas avec l'encodage déclaré « {declared} »",
                        row=line,
                        expected="un encodage correct (retirez « encodage » de la "
                        "configuration pour qu'il soit détecté)",
                    )
                ]
            ) from None
        if enc == "utf-8" and text.startswith("\ufeff"):
            text = text[1:]
        return text, enc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            _mixed(data[3:], file, force=True)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        _mixed(data, file)
        return data.decode("cp1252", errors="replace"), "cp1252"


def _mixed(data: bytes, file: str, force: bool = False) -> None:
    """Lève si ``data`` mêle des lignes UTF-8 (accentuées) et des lignes illisibles en UTF-8."""
    bad: list[int] = []
    utf8_accents = force
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
            continue
        if not utf8_accents and not line.isascii():
            utf8_accents = True
    if not utf8_accents or not bad:
        return
    lines = data.split(b"\n")
    problems = [
        _problem(
            file,
            "encodage mélangé : cette ligne n'est pas en UTF-8 (Windows-1252 ?) alors que "
            "le reste du fichier l'est",
            row=n,
            found=lines[n - 1].decode("cp1252", errors="replace").strip()[:60],
            expected="un fichier entièrement en UTF-8 : corrigez ou ressaisissez cette ligne, "
            "puis réenregistrez le fichier en UTF-8",
        )
        for n in bad[:_SHOWN]
    ]
    if len(bad) > _SHOWN:
        problems.append(
            _problem(
                file,
                f"encodage mélangé : {len(bad)} lignes au total ne sont pas en UTF-8 "
                f"(les {_SHOWN} premières sont détaillées)",
                found=", ".join(map(str, bad[:20])) + ("…" if len(bad) > 20 else ""),
                expected="un fichier entièrement en UTF-8",
            )
        )
    raise InputError(problems)


def looks_binary(data: bytes) -> bool:
    """Vrai si l'échantillon ressemble à un fichier binaire plutôt qu'à du texte."""
    sample = data[:4096]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return control / len(sample) > 0.05


def detect_separator(text: str) -> str:
    """Choisit le séparateur le plus cohérent sur les premières lignes non vides."""
    lines = []
    for line in io.StringIO(text):
        if line.strip():
            lines.append(line.rstrip("\r\n"))
            if len(lines) == 60:
                break
    if not lines:
        return ";"
    best, best_score = ";", (-1.0, 0)
    sample = "\n".join(lines)
    for sep in SEPARATORS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=sep)]
        except csv.Error:
            continue
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        score = (freq / len(lines), width)
        if score > best_score:
            best, best_score = sep, score
    return best


def _too_large(file: str, what: str, found: str, row: int | None = None) -> InputError:
    return InputError(
        [
            _problem(
                file,
                f"fichier trop grand pour être lu : {what}",
                row=row,
                found=found,
                expected=f"{LIMITS_TEXT}, {MAX_TEXT_BYTES >> 20} Mio au plus ; découpez le "
                "fichier (par année, par territoire) ou ne gardez que les colonnes utiles",
            )
        ]
    )


def read_csv_rows(
    path: Path, file: str, encoding: str | None, separator: str | None
) -> tuple[list[list[str]], str, str]:
    """Lignes d'un CSV (listes de textes), encodage et séparateur ; lève :class:`InputError`."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise _too_large(file, f"{size >> 20} Mio", f"{size:,} octets".replace(",", "\u202f"))
        data = path.read_bytes()
    except OSError as exc:  # dossier, droits insuffisants…
        raise InputError(
            [_problem(file, f"fichier illisible ({exc.strerror or type(exc).__name__})")]
        ) from None
    if not data.strip():
        raise InputError(
            [_problem(file, "le fichier est vide", expected="un tableau avec en-tête")]
        )
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # « Texte Unicode » d'Excel
    if looks_binary(data) and not utf16:
        raise InputError(
            [
                _problem(
                    file,
                    "le fichier n'est pas un fichier texte (contenu binaire)",
                    expected="un CSV en texte (UTF-8 ou Windows-1252)",
                )
            ]
        )
    lines = data.count(b"\n") + 1
    if lines > MAX_ROWS + 100:  # marge : titres, notes, lignes vides
        raise _too_large(file, "trop de lignes", f"{lines:,} lignes".replace(",", "\u202f"))
    text, enc = detect_encoding(data, encoding, file)
    del data
    sep = separator if separator else detect_separator(text)
    if sep in ("\\t", "tab", "tabulation"):
        sep = "\t"
    return _parse(text, sep, file), enc, sep


def _parse(text: str, sep: str, file: str) -> list[list[str]]:
    csv.field_size_limit(MAX_CELL_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    cells = done = 0
    try:
        for row in reader:
            done = reader.line_num
            rows.append(row)
            cells += len(row)
            if cells > MAX_CELLS:
                raise _too_large(
                    file,
                    "trop de cellules",
                    f"plus de {MAX_CELLS:,} cellules".replace(",", "\u202f"),
                    row=reader.line_num,
                )
    except csv.Error as exc:
        start = done + 1  # première ligne de l'enregistrement illisible
        big = "larger than field limit" in str(exc)
        raise InputError(
            [
                _problem(
                    file,
                    'cellule de plus de 128 Kio (guillemet « " » non refermé ?)'
                    if big
                    else f"ligne CSV illisible ({exc})",
                    row=start,
                    expected="des cellules de moins de 128 Kio : vérifiez que chaque "
                    "guillemet ouvrant a son guillemet fermant",
                )
            ]
        ) from None
    return rows
