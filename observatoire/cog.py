"""Table embarquée du Code officiel géographique (COG) : noms officiels hors ligne.

- ``observatoire/data/cog_departements.csv`` (101 départements) et ``cog_regions.csv``
  (18 régions) : codes et libellés du COG de l'INSEE, millésime 2024 (inchangés depuis) ;
- ``cog_communes.csv.gz`` (34 969 communes, leurs 2 576 communes déléguées ou associées et
  45 arrondissements municipaux, avec leur EPCI) et ``cog_epci.csv`` (1 255 EPCI à
  fiscalité propre) : COG 2026 de l'INSEE et liste des EPCI de la DGCL, repris du paquet
  npm ``@etalab/decoupage-administratif`` 6.0.0 par ``.ci/fabriquer-cog``.

Toutes sous Licence Ouverte / Open Licence 2.0 (Etalab). Aucun paquet Python maintenu ne
fournit ces tables hors ligne (``insee-cogpy`` n'est qu'un client de l'API en ligne).

Exemple ::

    official_name("departement", "65")        # 'Hautes-Pyrénées'
    display_name("departement", "99", None)   # 'département 99'
    normalise_name("St-Denis") == normalise_name("SAINT DENIS")   # True
"""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from functools import cache
from importlib import resources

COG_MILLESIME = 2024  # départements et régions
COG_COMMUNES_MILLESIME = 2026  # communes et EPCI
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
def _commune_rows() -> tuple[dict[str, str], ...]:
    """Lignes de ``cog_communes.csv.gz``, décompressées et lues une seule fois."""
    data = resources.files("observatoire.data").joinpath("cog_communes.csv.gz").read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    return tuple(csv.DictReader(text.splitlines(), delimiter=";"))


@cache
def communes() -> dict[str, tuple[str, str, str, str]]:
    """Code commune → (nom officiel, département, type, code EPCI) ; type ``actuelle``,
    ``arrondissement``, ``deleguee`` ou ``associee`` (une commune nouvelle et sa commune
    déléguée chef-lieu partagent un code : la commune actuelle l'emporte)."""
    out: dict[str, tuple[str, str, str, str]] = {}
    for r in _commune_rows():
        out.setdefault(r["com"], (r["libelle"], r["dep"], r["type"], r["epci"]))
    return out


@cache
def _communes_by_name() -> dict[str, list[tuple[str, str, str, str]]]:
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in _commune_rows():
        out.setdefault(normalise_name(r["libelle"]), []).append(
            (r["com"], r["libelle"], r["dep"], r["type"])
        )
    return out


def find_commune(name: object, departements: list[str] | None = None) -> dict[str, str]:
    """Communes du COG portant ce nom (accents, casse, « St » indifférents), dans les
    départements donnés s'il y en a : ``{code : nom officiel}``. Une commune actuelle
    l'emporte sur une commune déléguée ou associée du même nom.

    >>> find_commune("seméac", ["65"])
    {'65417': 'Séméac'}
    """
    hits = _communes_by_name().get(normalise_name(name), [])
    if departements:
        hits = [h for h in hits if h[2] in departements]
    current = [h for h in hits if h[3] in ("actuelle", "arrondissement")]
    return {code: nom for code, nom, _dep, _type in (current or hits)}


@cache
def epcis() -> dict[str, str]:
    """Code SIREN d'EPCI → nom officiel."""
    return {r["epci"]: r["libelle"] for r in _table("cog_epci.csv")}


@cache
def regions() -> dict[str, str]:
    """Code région → nom officiel."""
    return {r["reg"]: r["libelle"] for r in _table("cog_regions.csv")}


def official_name(niveau: str, code: str) -> str | None:
    """Nom officiel du COG embarqué (communes, EPCI, départements, régions, France), sinon None."""
    if niveau == "departement":
        hit = departements().get(code)
        return hit[0] if hit else None
    if niveau == "region":
        return regions().get(code)
    if niveau == "commune":
        hit = communes().get(code)
        return hit[0] if hit else None
    if niveau == "epci":
        return epcis().get(code)
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
