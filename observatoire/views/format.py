"""Mise en forme française des nombres, pourcentages, montants et dates.

Séparateur des milliers : espace insécable (U+00A0) ; virgule décimale ; espace
insécable avant ``%`` et ``€``. Les valeurs manquantes s'affichent selon leur
statut, jamais comme 0.

    >>> format_number(1234567)
    '1\\xa0234\\xa0567'
    >>> format_value(43.94, "%")
    '43,9\\xa0%'
    >>> format_euros(31000)
    '31\\xa0000\\xa0€'
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

NBSP = "\u00a0"
STATUS_LABELS = {
    "secret": "secret statistique",
    "absent": "donnée non disponible",
    None: "donnée non disponible",
}
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_number(value: object, decimals: int = 0, missing: str = "n.d.") -> str:
    """Nombre à la française : ``1 234 567`` ou ``43,9`` (``decimals`` chiffres)."""
    if _missing(value):
        return missing
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{number:,.{decimals}f}"
    text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", NBSP)
    if text.startswith("-"):
        text = "−" + text[1:] if any(c not in "-0,\u00a0" for c in text) else text[1:]
    return text


def format_percent(value: object, decimals: int = 1, missing: str = "n.d.") -> str:
    """Pourcentage donné en points (43.9 → ``43,9 %``)."""
    if _missing(value):
        return missing
    return f"{format_number(value, decimals)}{NBSP}%"


def format_euros(value: object, decimals: int = 0, missing: str = "n.d.") -> str:
    """Montant en euros : ``31 000 €`` (``decimals=2`` → ``31 000,00 €``)."""
    if _missing(value):
        return missing
    return f"{format_number(value, decimals)}{NBSP}€"


def format_points(value: object, decimals: int = 1, missing: str = "n.d.") -> str:
    """Écart en points de pourcentage, signé : ``+12,3 pts``."""
    if _missing(value):
        return missing
    sign = "+" if float(value) > 0 else ""  # type: ignore[arg-type]
    return f"{sign}{format_number(value, decimals)}{NBSP}pts"


def format_value(value: object, unit: str | None = None, status: str | None = "ok") -> str:
    """Valeur d'indicateur selon son unité du catalogue (``%``, ``€``, ``nombre``…).

    Une valeur secrète ou absente s'affiche en toutes lettres, jamais comme 0.
    """
    if status not in (None, "ok") or _missing(value):
        return STATUS_LABELS.get(status, STATUS_LABELS[None])
    if unit == "%":
        return format_percent(value)
    if unit == "€":
        return format_euros(value)
    if unit in ("ratio", "indice"):
        return format_number(value, 2)
    if unit == "ans":
        return format_number(value, 1) + f"{NBSP}ans"
    number = float(value)  # type: ignore[arg-type]
    return format_number(value, 0 if number.is_integer() or abs(number) >= 100 else 1)


def format_date(value: date | datetime | None, long: bool = True) -> str:
    """Date française : ``25 novembre 2026`` (ou ``25/11/2026`` si ``long=False``)."""
    if value is None:
        return "date inconnue"
    if not long:
        return value.strftime("%d/%m/%Y")
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"
