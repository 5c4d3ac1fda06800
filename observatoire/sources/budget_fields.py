"""Cellules propres au budget participatif : édition, lignes de total, tranche d'âge libre
(« 16-24 ans ») → bornes, libellés des messages du vocabulaire des statuts (la lecture
commune est celle de :mod:`observatoire.sources.democratie_read`).

Chaque fonction renvoie une valeur ou lève ``ValueError`` avec ce qui est attendu.

Exemple ::

    parse_edition("Édition 2025")        # 2025
    parse_age_range("moins de 25 ans")   # (None, 24)
    parse_age_range("65 ans et plus")    # (65, None)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from observatoire.sources.democratie_read import Wording
from observatoire.sources.tabular import normalise_label
from observatoire.sources.values import unescape_excel

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

EDITION_EXPECTED = "une année d'édition entre 1990 et 2100 (ex. 2025 ou « Édition 2025 »)"
TOTAL_LABELS = ("total", "sous-total", "sous total", "total general")


def parse_edition(text: object) -> int | None:
    """« 2025 », « 2025.0 », « Édition 2025 », « BP 2025 » → 2025 ; vide → None."""
    raw = unescape_excel(text)
    if not raw:
        return None
    years = re.findall(r"(?<!\d)(\d{4})(?:\.0+)?(?!\d)", raw)
    rest = re.sub(r"(?<!\d)\d{4}(?:\.0+)?(?!\d)", "", raw)
    if len(years) != 1 or re.search(r"\d", rest) or not 1990 <= int(years[0]) <= 2100:
        raise ValueError(EDITION_EXPECTED)
    return int(years[0])


def fixed_edition(source: SourceConfig) -> int | None:
    """Option ``edition`` (édition de tout le fichier) contrôlée."""
    value = source.get("edition")
    if value is None:
        return None
    try:
        edition = parse_edition(str(value))
    except ValueError:
        edition = None
    if edition is None:
        raise source.error("édition invalide", "edition", value, EDITION_EXPECTED)
    return edition


def is_total(text: object) -> bool:
    """Vrai pour une cellule « Total », « Sous-total », « Total général »."""
    return normalise_label(unescape_excel(text)).rstrip(" :") in TOTAL_LABELS


# cellule inconnue : la liste, puis l'option à déclarer avec un exemple
BUDGET_WORDING = Wording(
    "{label} : {values} (synonymes usuels admis, sans accents ni majuscules ; sinon "
    '{option} = {{ "libellé du fichier" = "{first}" }} dans [sources.{source}])',
    "valeur cible invalide pour « {alias} »",
    "{values}",
)


AGE_RANGE_EXPECTED = (
    "une tranche d'âge : « 11-15 ans », « 16 à 24 ans », « moins de 25 ans », "
    "« 65 ans et plus » ou un âge (vide si non ventilé)"
)
_NOT_SPLIT = {"", "tous ages", "tous", "ensemble", "non renseigne", "nd", "inconnu", "?"}


def parse_age_range(text: object) -> tuple[int | None, int | None] | None:
    """Libellé de tranche → ``(age_min, age_max)`` (``None`` : borne ouverte) ;
    ``None`` si la cellule ne ventile pas par âge (vide, « Tous âges »)."""
    raw = unescape_excel(text)
    for dash in "–—‑":
        raw = raw.replace(dash, "-")
    raw = raw.replace("≥", ">=").replace("≤", "<=")
    key = normalise_label(raw).rstrip(".")
    if key in _NOT_SPLIT:
        return None
    age = r"(\d{1,3})(?:\s*ans)?"
    forms = (
        (rf"(?:de\s+)?{age}\s*(?:-|a|au)\s*{age}", lambda a, b: (a, b)),
        (rf"(?:moins de|<)\s*{age}", lambda a: (None, a - 1)),
        (rf"(?:<=|jusqu'a)\s*{age}", lambda a: (None, a)),
        (rf"{age}\s*(?:et plus|ou plus|et \+|\+)", lambda a: (a, None)),
        (rf"(?:plus de|\+ de|\+|>=|a partir de)\s*{age}", lambda a: (a, None)),
        (rf"{age}", lambda a: (a, a)),
    )
    for pattern, build in forms:
        match = re.fullmatch(pattern, key)
        if match:
            lo, hi = build(*(int(g) for g in match.groups()))
            if (lo is not None and lo > 120) or (hi is not None and hi > 120):
                break
            if lo is not None and hi is not None and lo > hi:
                break
            return lo, hi
    raise ValueError(AGE_RANGE_EXPECTED)


def overlaps(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> bool:
    """Deux tranches (bornes ouvertes : ``None``) ont-elles un âge en commun ?"""
    a_lo, a_hi = (a[0] if a[0] is not None else 0), (a[1] if a[1] is not None else 999)
    b_lo, b_hi = (b[0] if b[0] is not None else 0), (b[1] if b[1] is not None else 999)
    return a_lo <= b_hi and b_lo <= a_hi
