"""Conversion des cellules texte en valeurs typées, selon les conventions françaises.

- nombres : virgule décimale (``43,9``), milliers séparés par espace, espace
  insécable ou espace fine (``1 234``, ``31 000,00``), ``%`` et ``€`` tolérés,
  artefacts flottants arrondis (``1.7000000000000002`` → ``1.7``) ;
- marqueurs de valeur manquante : ``s`` (secret statistique), ``nd``, ``n.d.``,
  ``ns``, ``NA``, ``-``, ``///``, vide → un **statut**, jamais 0 ;
- tranches publiées à la place d'une valeur confidentielle (``< 5``, ``[10;20[``)
  → statut ``secret`` avec la tranche conservée ;
- codes : ``="01001"`` déprotégé, espaces retirés, toujours des chaînes ;
- dates : ``jj/mm/aaaa``, ``aaaa-mm-jj``, numéros de série Excel.

Exemple ::

    >>> parse_number_cell("1 234,5")
    (1234.5, 'ok', None)
    >>> parse_number_cell("s")
    (None, 'secret', None)
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

STATUS_OK = "ok"
STATUS_SECRET = "secret"
STATUS_ABSENT = "absent"
STATUSES = (STATUS_OK, STATUS_SECRET, STATUS_ABSENT)

# marqueurs → statut ; comparaison en minuscules, espaces retirés
MISSING_MARKERS: dict[str, str] = {
    "": STATUS_ABSENT,
    "s": STATUS_SECRET,
    "secret": STATUS_SECRET,
    "ns": STATUS_SECRET,
    "n.s.": STATUS_SECRET,
    "n.s": STATUS_SECRET,
    "c": STATUS_SECRET,
    "nd": STATUS_ABSENT,
    "n.d.": STATUS_ABSENT,
    "n.d": STATUS_ABSENT,
    "nc": STATUS_ABSENT,
    "n.c.": STATUS_ABSENT,
    "na": STATUS_ABSENT,
    "n/a": STATUS_ABSENT,
    "nan": STATUS_ABSENT,
    "none": STATUS_ABSENT,
    "null": STATUS_ABSENT,
    "-": STATUS_ABSENT,
    "–": STATUS_ABSENT,
    "—": STATUS_ABSENT,
    "///": STATUS_ABSENT,
    "//": STATUS_ABSENT,
    "x": STATUS_SECRET,
}
MARKERS_TEXT = "un nombre (ex. 43,9 ou 1 234) ou un marqueur : vide, s, nd, n.d., ns, NA, -, ///"

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_EXCEL_TEXT = re.compile(r'^="(.*)"$')
_BAND = re.compile(r"^(?:[<>≤≥]=?\s*\d|\[.*[\[\]]$|\]\s*\d.*[\[\]]$|\d[\d\s,.]*\s*(?:à|-)\s*\d)")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def unescape_excel(text: object) -> str:
    """Retire la protection ``="01001"`` des exports de tableur et les espaces autour."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = str(text).strip()
    m = _EXCEL_TEXT.match(s)
    if m:
        s = m.group(1).strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1].strip()
    return s


def clean_float(value: float) -> float:
    """Arrondit les artefacts flottants (``1.7000000000000002`` → ``1.7``)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.12g}")


class CellValueError(ValueError):
    """Cellule refusée avec une raison précise (``reason``) et l'attendu (``expected``)."""

    def __init__(self, raw: str, reason: str, expected: str) -> None:
        super().__init__(raw)
        self.reason = reason
        self.expected = expected


_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DOT_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")


def _finite(value: float, raw: str) -> float:
    if not math.isfinite(value):
        raise CellValueError(
            raw,
            "nombre hors des limites des nombres en virgule flottante (lu comme infini)",
            "un nombre fini (ex. 43,9 ou 1 234)",
        )
    return clean_float(value)


def thousands_dot(text: object) -> str | None:
    """Valeur probablement voulue d'un nombre groupé par points (``4.811`` → ``4 811``).

    >>> thousands_dot("4.811"), thousands_dot("43.9")
    ('4\u202f811', None)
    """
    s = unescape_excel(text).strip()
    if not _DOT_GROUPED.match(s):
        return None
    return f"{int(s.replace('.', '')):,}".replace(",", "\u202f")


def parse_number_cell(text: object) -> tuple[float | None, str, str | None]:
    """Convertit une cellule en ``(valeur, statut, tranche)``.

    Lève ``ValueError`` si la cellule n'est ni un nombre ni un marqueur reconnu
    (:class:`CellValueError`, avec la raison, pour une date ou un nombre infini).
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        if isinstance(text, float) and math.isnan(text):
            return None, STATUS_ABSENT, None
        return _finite(float(text), str(text)), STATUS_OK, None
    if isinstance(text, str) and _PLAIN.match(text):  # chemin rapide : « 43.9 », « 1234 »
        return clean_float(float(text)), STATUS_OK, None
    raw = unescape_excel(text).replace("\u2212", "-")  # signe moins typographique
    key = raw.lower().replace(" ", "")
    if key in MISSING_MARKERS:
        return None, MISSING_MARKERS[key], None
    if _DATE_LIKE.match(raw):
        raise CellValueError(
            raw,
            "date dans une cellule numérique (cellule au format Date dans le tableur ?)",
            "un nombre : mettez la cellule au format Nombre et vérifiez sa valeur",
        )
    s = _SPACES.sub("", raw)
    s = s.rstrip("%€").rstrip()
    s = _SPACES.sub("", s)
    if _NUMBER.match(s):
        if "," in s:
            if "." in s:  # 1.234,5 : point des milliers
                s = s.replace(".", "")
            s = s.replace(",", ".")
        return _finite(float(s), raw), STATUS_OK, None
    if re.match(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$", s):  # 1.234.567,5
        return _finite(float(s.replace(".", "").replace(",", ".")), raw), STATUS_OK, None
    if _BAND.match(raw.strip()):
        return None, STATUS_SECRET, raw.strip()
    raise ValueError(raw)


def parse_code(text: object) -> str:
    """Normalise un code géographique en chaîne (``="01001"`` → ``01001``, ``2a004`` → ``2A004``)."""
    s = unescape_excel(text).replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d+\.0", s):  # code lu comme nombre par un tableur
        s = s[:-2]
    return s.upper()


CODE_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "qpv": (
        # QP + département sur 3 caractères + 3 chiffres (2015) ; QN + département
        # + 2 chiffres + 1 caractère (2024) ; Corse : 02A / 2A0 selon les publications
        re.compile(r"^(QP(\d{3}|02[AB]|2[AB]\d)\d{3}|QN(\d{3}|02[AB]|2[AB]\d)\d{2}[0-9A-Z])$"),
        "un code QPV (ex. QP093005 pour 2015, QN04901M pour 2024)",
    ),
    "commune": (
        re.compile(r"^(\d{5}|2[AB]\d{3})$"),
        "un code commune INSEE à 5 caractères (ex. 01001, 2A004)",
    ),
    "departement": (
        re.compile(r"^(\d{2}|2[AB]|97\d)$"),
        "un code département (ex. 09, 2A, 974)",
    ),
    "epci": (re.compile(r"^(\d{9}|[A-Z0-9]{2,12})$"), "un SIREN d'EPCI à 9 chiffres"),
    "region": (re.compile(r"^\d{2}$"), "un code région à 2 chiffres"),
}


def check_code(code: str, niveau: str) -> str | None:
    """Renvoie la description attendue si ``code`` n'a pas la forme du niveau, sinon None."""
    rule = CODE_PATTERNS.get(niveau)
    if rule is None or rule[0].match(code):
        return None
    return rule[1]


def qpv_generation(code: str) -> int | None:
    """Génération d'un code QPV : 2015 (``QP…``) ou 2024 (``QN…``)."""
    if code.startswith("QP"):
        return 2015
    if code.startswith("QN"):
        return 2024
    return None


_EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_date_cell(text: object) -> date | None:
    """Convertit ``jj/mm/aaaa``, ``aaaa-mm-jj``, un datetime ou un numéro de série Excel.

    Renvoie ``None`` pour une cellule vide ; lève ``ValueError`` sinon.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    s = unescape_excel(text)
    if not s:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}", s)
    if iso:
        return datetime.strptime(iso.group(1), "%Y-%m-%d").date()
    if re.fullmatch(r"\d{4,5}(\.0+)?", s):
        serial = int(float(s))
        if 20000 <= serial <= 80000:  # 1954 à 2119
            return (_EXCEL_EPOCH + timedelta(days=serial)).date()
    raise ValueError(s)


DATE_EXPECTED = "une date jj/mm/aaaa ou aaaa-mm-jj"


def parse_bool_cell(text: object) -> bool | None:
    """``oui``/``non``, ``1``/``0``, ``vrai``/``faux``, ``x`` → booléen ; vide → None."""
    s = unescape_excel(text).lower()
    if s in ("", "nd", "na", "?", "inconnu", "ne sait pas"):
        return None
    if s in ("oui", "o", "1", "vrai", "true", "x", "yes", "y"):
        return True
    if s in ("non", "n", "0", "faux", "false", "no"):
        return False
    raise ValueError(s)
