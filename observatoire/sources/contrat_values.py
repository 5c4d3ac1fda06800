"""Valeurs propres au contrat de ville : montants exacts, statuts, piliers, quartiers ciblés.

Les montants sont convertis en **centimes entiers** (aucune dérive flottante) ::

    >>> parse_amount("31 000,00")
    3100000
    >>> parse_amount("1.234,5")
    123450
    >>> parse_amount("nd") is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import pandas as pd

from observatoire.sources.tabular import normalise_label
from observatoire.sources.values import MISSING_MARKERS, CellValueError, unescape_excel

AMOUNT_EXPECTED = "un montant en euros au centime près (ex. 31 000,00) ou vide"
COUNT_EXPECTED = "un nombre entier positif ou vide"
MAX_AMOUNT_EUROS = 10**11  # 100 milliards d'euros : au-delà, une erreur de saisie

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_QPV_CODE = re.compile(r"\bQ[PN][0-9][0-9AB][0-9]\d{2}[0-9A-Z]\b", re.IGNORECASE)


def parse_amount(text: object) -> int | None:
    """Montant en euros (formats français) → centimes entiers ; ``None`` si vide/marqueur.

    Lève ``ValueError`` si la cellule n'est pas un montant au centime près.
    """
    raw = unescape_excel(text)
    if raw.lower().replace(" ", "") in MISSING_MARKERS:
        return None
    s = _SPACES.sub("", raw).replace("€", "").replace("EUR", "").replace("eur", "")
    if "," in s:
        if s.count(",") > 1:
            raise ValueError(raw)
        s = s.replace(".", "").replace(",", ".")  # 1.234,50 : point des milliers
    elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}", s):  # 1.234.567
        s = s.replace(".", "")
    elif re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", s):  # 23.300 : 23 300 € ou 23,30 € ?
        whole = f"{int(s.replace('.', '')):,}".replace(",", "\u202f")
        raise CellValueError(
            raw,
            f"montant ambigu : point des milliers ? (valeur probablement voulue : {whole} €)",
            f"{whole} écrit sans point, ou {s.replace('.', ',')[:-1]} avec une virgule "
            "(un montant a au plus deux décimales)",
        )
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    if abs(value) > MAX_AMOUNT_EUROS:
        raise CellValueError(
            raw,
            "montant invraisemblable (plus de 100 milliards d'euros)",
            "un montant en euros au centime près (ex. 31 000,00) : vérifiez la cellule",
        )
    cents = value * 100
    rounded = cents.to_integral_value()
    # tolère les artefacts flottants d'un tableur (1234.5000000001), pas les millièmes
    if abs(cents - rounded) > Decimal("0.0001"):
        raise ValueError(raw)
    return int(rounded)


def parse_count(text: object) -> int | None:
    """Effectif entier (``1 234``, ``12.0``) ; ``None`` si vide ou marqueur."""
    raw = unescape_excel(text)
    if raw.lower().replace(" ", "") in MISSING_MARKERS:
        return None
    s = _SPACES.sub("", raw)
    if re.fullmatch(r"[+-]?\d+([.,]0+)?", s):
        return int(re.split(r"[.,]", s)[0])
    raise ValueError(raw)


def cents_to_euros(cents: object) -> Decimal | None:
    """Centimes entiers → ``Decimal`` en euros (exact) ; ``None`` si absent."""
    if cents is None or cents is pd.NA or (isinstance(cents, float) and cents != cents):
        return None
    return Decimal(int(cents)).scaleb(-2)


# --------------------------------------------------------------------------- vocabulaires

STATUT_ALIASES: dict[str, str] = {
    "depose": "depose",
    "deposee": "depose",
    "recu": "depose",
    "en attente": "depose",
    "instruit": "instruit",
    "en instruction": "instruit",
    "en cours d'instruction": "instruit",
    "en cours": "instruit",
    "accorde": "accorde",
    "accordee": "accorde",
    "valide": "accorde",
    "retenu": "accorde",
    "programme": "accorde",
    "finance": "accorde",
    "vote": "accorde",
    "refuse": "refuse",
    "refusee": "refuse",
    "rejete": "refuse",
    "non retenu": "refuse",
    "ajourne": "refuse",
    "solde": "solde",
    "soldee": "solde",
    "cloture": "solde",
    "paye": "solde",
    "abandonne": "abandonne",
    "annule": "abandonne",
    "retire": "abandonne",
    "sans suite": "abandonne",
}

PILIERS_HISTORIQUES: dict[str, list[str]] = {
    "Cohésion sociale": ["pilier 1", "cohesion", "cs"],
    "Cadre de vie et renouvellement urbain": [
        "pilier 2",
        "cadre de vie",
        "renouvellement urbain",
        "cvru",
    ],
    "Développement économique et emploi": [
        "pilier 3",
        "emploi",
        "developpement economique",
        "dee",
        "emploi et developpement economique",
    ],
}
# Liste indicative des priorités des contrats « Quartiers 2030 » (2024-2030) : à
# remplacer dans la configuration (option ``piliers``) par celles de votre contrat.
PRIORITES_QUARTIERS_2030: dict[str, list[str]] = {
    "Réussite éducative et jeunesse": ["education", "reussite educative", "jeunesse"],
    "Emploi et insertion professionnelle": ["insertion", "plein emploi", "emploi et insertion"],
    "Transition écologique": ["ecologie", "transition ecologique", "environnement"],
    "Tranquillité publique et prévention": ["securite", "prevention", "tranquillite"],
    "Santé et accès aux droits": ["sante", "acces aux droits"],
    "Logement et cadre de vie": ["logement", "habitat"],
    "Culture, sport et citoyenneté": ["culture", "sport", "citoyennete", "participation"],
}
PILIERS_DEFAUT = {**PILIERS_HISTORIQUES, **PRIORITES_QUARTIERS_2030}


def build_lookup(labels: Mapping[str, object]) -> dict[str, str]:
    """``{libellé canonique: [alias…]}`` → ``{forme normalisée: libellé canonique}``."""
    lookup: dict[str, str] = {}
    for label, aliases in labels.items():
        lookup[normalise_label(label)] = label
        if isinstance(aliases, str):
            aliases = [aliases]
        for alias in aliases or []:
            lookup[normalise_label(alias)] = label
    return lookup


def status_lookup(extra: Mapping[str, str] | None) -> dict[str, str]:
    """Alias de statuts par défaut complétés par ceux de la configuration (alias → statut)."""
    lookup = dict(STATUT_ALIASES)
    for alias, canon in (extra or {}).items():
        lookup[normalise_label(alias)] = normalise_label(canon)
    return lookup


def normalise_status(text: object, lookup: Mapping[str, str]) -> str | None:
    """Statut canonique ou ``None`` s'il est inconnu."""
    key = normalise_label(unescape_excel(text)).rstrip(".")
    return lookup.get(key)


# --------------------------------------------------------------------------- quartiers ciblés

_ALL = re.compile(r"^(?:tous|toutes)\s+(?:les\s+)?(?:qpv|quartiers(?:\s+prioritaires)?)\b\s*(.*)$")


class TargetResolver:
    """Résout une cellule « quartier(s) » en codes QPV depuis la table ``territoires``.

    Formes acceptées : codes (``QN00001A``), noms de quartiers, alias configurés,
    listes séparées par ``;`` ``,`` ``|`` ou retours à la ligne, et
    « tous les QPV de <commune ou EPCI> » (``de la commune`` : colonne commune de
    la ligne ; « tous les QPV » seul : tous les quartiers de la génération en vigueur).
    """

    def __init__(
        self, territoires: pd.DataFrame, generation: int, aliases: Mapping[str, str] | None = None
    ) -> None:
        qpv = territoires[territoires["niveau"] == "qpv"].copy()
        self.codes = set(qpv["code"])
        current = qpv[qpv["generation"] == generation]
        self.current = current if len(current) else qpv
        self.names: dict[str, list[str]] = {}
        other = qpv[~qpv["code"].isin(self.current["code"])]
        for frame in (self.current, other):  # la génération en vigueur prime
            names: dict[str, list[str]] = {}
            for code, nom in zip(frame["code"], frame["nom"], strict=True):
                key = normalise_label(nom or "")
                if key:
                    names.setdefault(key, []).append(code)
            for key, codes in names.items():
                self.names.setdefault(key, codes)
        self.aliases = {normalise_label(k): str(v) for k, v in (aliases or {}).items()}
        self.by_commune: dict[str, list[str]] = {}
        for code, communes in zip(self.current["code"], self.current["communes"], strict=True):
            for c in str(communes or "").split(";"):
                if c.strip():
                    self.by_commune.setdefault(c.strip(), []).append(code)
        self.by_epci: dict[str, list[str]] = {}
        for code, epci in zip(self.current["code"], self.current["epci"], strict=True):
            if isinstance(epci, str) and epci:
                self.by_epci.setdefault(epci, []).append(code)
        self.places: dict[str, tuple[str, str]] = {}
        for row in territoires[territoires["niveau"].isin(["commune", "epci", "ept"])].itertuples():
            kind = "commune" if row.niveau == "commune" else "epci"
            self.places[normalise_label(row.code)] = (kind, row.code)
            if isinstance(row.nom, str) and row.nom:
                self.places.setdefault(normalise_label(row.nom), (kind, row.code))

    def resolve(self, cell: object, commune: object = None) -> tuple[list[str], list[str]]:
        """Renvoie ``(codes, éléments non reconnus)`` pour une cellule."""
        text = unescape_excel(cell)
        if not text:
            return [], []
        whole = self._item(text, commune)
        if whole is not None:
            return whole, []
        codes: list[str] = []
        unknown: list[str] = []
        for item in re.split(r"[;\n|,]", text):
            item = item.strip()
            if not item:
                continue
            found = self._item(item, commune)
            if found is None:
                unknown.append(item)
            else:
                codes += [c for c in found if c not in codes]
        return codes, unknown

    def _item(self, item: str, commune: object) -> list[str] | None:
        key = normalise_label(item)
        if key in self.aliases:
            alias = self.aliases[key]
            return self._item(alias, commune) if normalise_label(alias) != key else None
        found = _QPV_CODE.findall(item)
        single = len(found) == 1 and not re.search(r"[;,|\n]", item)  # pas une liste
        if single and found[0].upper() in self.codes:
            return [found[0].upper()]  # « QN00001A » ou « QN00001A - Les Tilleuls »
        if key in self.names:
            return list(self.names[key])
        every = _ALL.match(key)
        if every:
            return self._all_of(every.group(1).strip(), commune)
        return None

    def _all_of(self, rest: str, commune: object) -> list[str] | None:
        if rest in ("", "du territoire", "du contrat", "du contrat de ville"):
            return list(self.current["code"])
        rest = re.sub(r"^(de|du|d'|des|sur)\s*", "", rest).strip()
        if rest in ("la commune", "commune"):
            if not unescape_excel(commune):
                return None
            rest = normalise_label(unescape_excel(commune))
        if rest in ("l'agglomeration", "l'epci", "l'agglo", "la metropole", "l'intercommunalite"):
            return list(self.current["code"])
        candidates = [rest] + [rest[len(p) :] for p in ("la ", "l'", "le ") if rest.startswith(p)]
        for cand in candidates:
            place = self.places.get(cand.strip())
            if place is None:
                continue
            kind, code = place
            found = self.by_commune.get(code) if kind == "commune" else self.by_epci.get(code)
            return list(found) if found else None
        return None
