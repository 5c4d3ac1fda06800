"""Données personnelles DANS le texte libre : e-mails, téléphones, noms de personnes.

:mod:`observatoire.privacy` reconnaît des colonnes entières ; ce module cherche, dans
une cellule de texte libre (titre d'événement, description Decidim…), les passages
identifiants, les masque pour les messages (:func:`mask`) et les retire
(:func:`redact`) quand la source demande ``pseudonymiser = true``.

Reconnus :

- e-mails (``prenom.nom@exemple.fr``) ;
- téléphones français sous toutes leurs formes, au milieu d'une phrase aussi :
  ``06 11 00 00 01``, ``06.11.00.00.01``, ``0611000001``, ``+33 6 11 00 00 01``,
  ``+33 (0)6 11 00 00 01``, ``0033 6 11 00 00 01`` ;
- une civilité suivie d'un nom (``M. Martin``, ``Mme LEBLANC``, ``Madame Diallo``) ;
- un prénom de la liste intégrée accolé à un nom en capitales (``Karim BENALI``,
  ``BENALI Karim``) ;
- cellule entière (pour reconnaître une colonne de noms) : ``NOM Prénom`` et
  ``Prénom NOM`` même hors de la liste de prénoms (:func:`is_name_cell`).

Exemple ::

    spans = find_spans("Atelier avec M. Martin (06 11 00 00 01)")
    redact("Atelier avec M. Martin (06 11 00 00 01)", spans)
    # 'Atelier avec [nom retiré] ([téléphone retiré])'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KIND_LABELS = {
    "email": "adresse e-mail",
    "telephone": "numéro de téléphone",
    "nom": "nom de personne",
}
PLACEHOLDERS = {
    "email": "[e-mail retiré]",
    "telephone": "[téléphone retiré]",
    "nom": "[nom retiré]",
}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEP = r"[ \t\u00a0\u202f.\-]?"
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?33" + _SEP + r"(?:\(0\)" + _SEP + r")?[1-9]|0[1-9])"
    r"(?:" + _SEP + r"\d{2}){4}(?!\d)"
)
_UP = "A-ZÀ-ÖØ-Ý"
_LOW = "a-zß-öø-ÿ"
_CAP_WORD = rf"[{_UP}][{_LOW}]+(?:[-'’][{_UP}][{_LOW}]+)*"
_UPPER_WORD = rf"[{_UP}]{{2,}}(?:[-'’][{_UP}]{{2,}})*"
_ANY_NAME = rf"(?:{_CAP_WORD}|{_UPPER_WORD}|[{_UP}]'[{_UP}{_LOW}]+)"
CIVILITE = re.compile(
    r"(?<![\w.])(?:M\.|MM\.|Mr\.?|Mme|Mmes|Mlle|Mlles|Monsieur|Madame|Mademoiselle)"
    rf"\s+(?:et\s+(?:Mme|M\.)\s+)?{_ANY_NAME}(?:\s+{_ANY_NAME})?(?![\w])"
)
_FIRST_THEN_UPPER = re.compile(rf"(?<![\w])({_CAP_WORD})\s+({_UPPER_WORD})(?![\w])")
_UPPER_THEN_FIRST = re.compile(rf"(?<![\w])({_UPPER_WORD})\s+({_CAP_WORD})(?![\w])")
_LAST_FIRST_CELL = re.compile(rf"^{_UPPER_WORD}(?:\s+{_UPPER_WORD})?\s+{_CAP_WORD}$")
_FIRST_LAST_CELL = re.compile(rf"^{_CAP_WORD}\s+{_UPPER_WORD}(?:\s+{_UPPER_WORD})?$")
_CIVILITE_CELL = re.compile(rf"^\s*{CIVILITE.pattern}\s*$")

# sigles et mots en capitales courants dans les intitulés : jamais pris pour un nom
ACRONYMS = {
    "QPV", "QP", "QN", "CCSPL", "CAF", "ANRU", "NPNRU", "PNRU", "PRU", "CLAS", "MJC", "CCAS",
    "EHPAD", "PMI", "ASV", "PLIE", "RSA", "CV", "BP", "ANCT", "ONPV", "INSEE", "CAE", "CMP",
    "CLSPD", "GUP", "PRE", "CUCS", "CGET", "DDETS", "DREETS", "FSE", "FEDER", "EPCI", "EPT",
    "OPH", "HLM", "ESS", "PIJ", "CIO", "FLE", "TLM", "AG", "CA", "CR", "ODJ", "COPIL",
    "COTECH", "RDV", "FAQ", "URL", "PDF", "ZAC", "ZUS", "CDC", "SNCF", "RATP", "TCSP",
    "BHNS", "ALSH", "ACM", "REP", "CP", "CE1", "CE2", "CM1", "CM2", "BTP", "JO", "ONU",
    "UE", "EU", "FR", "TV", "DJ", "STOP", "INFO", "NB", "OK", "II", "III", "IV", "VI",
}  # fmt: skip


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _first_names() -> set[str]:
    from observatoire.privacy import FIRST_NAMES

    return FIRST_NAMES


def is_first_name(word: str) -> bool:
    """Vrai si chaque partie de ``word`` (« Jean-Pierre ») est un prénom de la liste."""
    parts = [p for p in re.split(r"[-'’]", _fold(word)) if p]
    names = _first_names()
    return bool(parts) and all(p in names for p in parts)


def _is_surname(word: str) -> bool:
    parts = [p for p in re.split(r"[-'’]", word) if p]
    return bool(parts) and not any(p in ACRONYMS or len(p) < 2 for p in parts)


@dataclass(frozen=True)
class Span:
    """Un passage identifiant dans un texte."""

    kind: str  # email, telephone, nom
    start: int
    end: int
    text: str


def find_spans(text: str, *, names: bool = True, first_names: bool = True) -> list[Span]:
    """Passages identifiants de ``text``, dans l'ordre, sans chevauchement.

    ``names`` : chercher aussi les civilités suivies d'un nom ; ``first_names`` : et les
    prénoms de la liste accolés à un nom en capitales (à désactiver pour les noms de
    lieux : « Salle Jean MOULIN »).

    >>> [s.kind for s in find_spans("Écrire à a.b@exemple.fr ou au +33 (0)6 11 00 00 01")]
    ['email', 'telephone']
    """
    text = str(text)
    if not text.strip():
        return []
    found: list[Span] = []
    for kind, pattern in (("email", EMAIL), ("telephone", PHONE)):
        found += [Span(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
    if names:
        found += [Span("nom", m.start(), m.end(), m.group()) for m in CIVILITE.finditer(text)]
    if names and first_names:
        for pattern, first, last in ((_FIRST_THEN_UPPER, 1, 2), (_UPPER_THEN_FIRST, 2, 1)):
            for m in pattern.finditer(text):
                if is_first_name(m.group(first)) and _is_surname(m.group(last)):
                    found.append(Span("nom", m.start(), m.end(), m.group()))
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    for span in found:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def is_name_cell(value: str) -> bool:
    """Vrai si la cellule ENTIÈRE a la forme d'un nom de personne : « LEBLANC Aurore »,
    « Aurore LEBLANC », « M. Martin » (prénom hors de la liste intégrée compris)."""
    text = " ".join(str(value).split())
    if not text or len(text) > 80:
        return False
    if _CIVILITE_CELL.match(text):
        return True
    words = text.split()
    if _LAST_FIRST_CELL.match(text):
        return all(_is_surname(w) for w in words[:-1])
    if _FIRST_LAST_CELL.match(text):
        return all(_is_surname(w) for w in words[1:])
    return False


_TITLE_WORD = re.compile(r"M\.|MM\.|Mr\.?|Mme|Mmes|Mlle|Mlles|Monsieur|Madame|Mademoiselle|et")


def mask(kind: str, text: str) -> str:
    """Forme masquée d'un identifiant, citable dans un message.

    >>> mask("email", "karim.benali@example.org"), mask("telephone", "06 11 00 00 01")
    ('k…@….org', '06 … 01')
    >>> mask("nom", "M. Martin")
    'M. M…'
    """
    text = str(text).strip()
    if kind == "email":
        local, _, domain = text.partition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}…@….{tld}"
    if kind == "telephone":
        digits = re.sub(r"\D", "", text)
        for prefix in ("0033", "33"):
            if digits.startswith(prefix) and len(digits) > 10:
                digits = "0" + digits[len(prefix) :].removeprefix("0")
        return f"{digits[:2]} … {digits[-2:]}"
    words = text.split()
    out = []
    for word in words:
        if _TITLE_WORD.fullmatch(word):
            out.append(word)
        else:
            out.append(word[:1] + "…")
    return " ".join(out)


def redact(text: str, spans: list[Span]) -> str:
    """``text`` dont chaque passage de ``spans`` est remplacé par « [e-mail retiré] »…"""
    out, pos = [], 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(PLACEHOLDERS[span.kind])
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
