"""Table embarquée du Code officiel géographique (COG) : noms officiels hors ligne.

Les fichiers ``observatoire/data/cog_departements.csv`` (101 départements) et
``cog_regions.csv`` (18 régions) reprennent les codes et libellés du COG de l'INSEE,
millésime 2024 (inchangés depuis 2019), sous Licence Ouverte / Open Licence 2.0
(Etalab). Le paquet n'embarque pas les communes ni les EPCI : aucun paquet maintenu ne
les fournit hors ligne (``insee-cogpy`` n'est qu'un client de l'API en ligne) ; leurs
noms viennent des fichiers de la configuration.

Exemple ::

    official_name("departement", "65")        # 'Hautes-Pyrénées'
    display_name("departement", "99", None)   # 'département 99'
    normalise_name("St-Denis") == normalise_name("SAINT DENIS")   # True
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

COG_MILLESIME = 2024
COG_LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"

LEVEL_LABELS = {
    "qpv": "quartier",
    "commune": "commune",
    "epci": "intercommunalité",
    "ept": "établissement public territorial",
    "unite_urbaine": "unité urbaine",
    "departement": "département",
    "region": "région",
    "france": "France",
    "france_metropolitaine": "France métropolitaine",
    "ensemble_qpv": "ensemble des quartiers prioritaires",
}


@cache
def _table(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files("observatoire.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines(), delimiter=";"))


@cache
def departements() -> dict[str, tuple[str, str]]:
    """Code département → (nom officiel, code région)."""
    return {r["dep"]: (r["libelle"], r["reg"]) for r in _table("cog_departements.csv")}


@cache
def regions() -> dict[str, str]:
    """Code région → nom officiel."""
    return {r["reg"]: r["libelle"] for r in _table("cog_regions.csv")}


def official_name(niveau: str, code: str) -> str | None:
    """Nom officiel du COG embarqué (départements, régions, France), sinon None."""
    if niveau == "departement":
        hit = departements().get(code)
        return hit[0] if hit else None
    if niveau == "region":
        return regions().get(code)
    if niveau in ("france", "france_metropolitaine"):
        return LEVEL_LABELS[niveau]
    return None


def region_of(departement: str) -> str | None:
    """Code de la région d'un département (None si le code n'est pas au COG)."""
    hit = departements().get(departement)
    return hit[1] if hit else None


def departement_of_qpv(code: str) -> str | None:
    """Département d'un code QPV (``QP065001`` → ``65``), s'il figure au COG."""
    part = code[2:5].upper()
    if part[:2] in ("2A", "2B"):
        dep = part[:2]
    elif part in ("02A", "02B"):
        dep = part[1:]
    else:
        dep = part[1:] if part.startswith("0") else part
    return dep if dep in departements() else None


def _missing(value: object) -> bool:
    return value is None or value != value or str(value).strip() in ("", "None", "nan")


def display_name(niveau: str, code: object, nom: object = None) -> str:
    """Nom à afficher, jamais vide ni ``None`` : le nom connu, le nom officiel, sinon
    « département 65 » (niveau en clair suivi du code)."""
    if not _missing(nom):
        return str(nom).strip()
    code_text = "" if _missing(code) else str(code).strip()
    official = official_name(niveau, code_text) if code_text else None
    if official:
        return official
    label = LEVEL_LABELS.get(niveau, niveau or "territoire")
    return f"{label} {code_text}".strip()


_SAINT = re.compile(r"\b(st|ste)\b")


def normalise_name(text: object) -> str:
    """Forme de comparaison d'un nom : sans accents, casse, tirets ni apostrophes ;
    « St »/« Ste » lus « Saint »/« Sainte »."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    s = re.sub(r"[-'’_.]", " ", s.lower())
    s = _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", s)
    return " ".join(s.split())
