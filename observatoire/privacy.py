"""Données personnelles des habitants : détection, pseudonymisation, clé secrète.

1. :func:`detect_identifiers` repère les colonnes d'identifiants directs (noms,
   prénoms, e-mails, téléphones, adresses postales, dates de naissance) **par le
   nom de colonne et par le contenu**.
2. Par défaut, un fichier qui en contient est refusé (:func:`privacy_error`,
   message français qui explique quoi faire, sans jamais recopier les valeurs).
3. Avec ``pseudonymiser = true`` dans la source, ces colonnes sont supprimées et
   remplacées par un identifiant pseudonyme HMAC-SHA256 (:func:`pseudonym`) dont
   la clé est lue hors du dépôt (:func:`load_key`) : variable d'environnement
   ``OBSERVATOIRE_CLE`` ou fichier désigné par l'option ``fichier_cle``.

Le masquage des petits effectifs est dans :mod:`observatoire.masking`.

Exemple ::

    found = detect_identifiers(frame, rows)
    if found and not source.get("pseudonymiser"):
        raise privacy_error(source, found)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import PrivacyError, Problem

if TYPE_CHECKING:
    from observatoire.config import Config, SourceConfig

ENV_KEY = "OBSERVATOIRE_CLE"
# clé PUBLIQUE de la démonstration (territoire fictif uniquement) : non secrète
DEMO_KEY_FILE = Path(__file__).resolve().parent / "demo" / "cle_demonstration_NON_SECRETE.txt"
MIN_KEY_LENGTH = 16
KIND_LABELS = {
    "nom": "noms",
    "prenom": "prénoms",
    "email": "adresses e-mail",
    "telephone": "numéros de téléphone",
    "adresse": "adresses postales",
    "naissance": "dates de naissance",
}

# ------------------------------------------------------------------ par le nom de colonne
_NAME_LABELS = {
    "nom", "noms", "name", "names", "nom de famille", "nom d usage", "nom de naissance",
    "last name", "lastname", "surname", "family name", "nom prenom", "nom et prenom",
    "nom prenoms", "prenom nom", "prenom et nom", "nom complet", "full name", "fullname",
    "identite", "nom du participant", "nom de la personne", "nom de l habitant",
    "nom du participant e", "participant", "participante", "signataire",
}  # fmt: skip
_FIRST_NAME_TOKENS = {"prenom", "prenoms", "firstname", "forename"}
_EMAIL_TOKENS = {"mail", "email", "e mail", "courriel", "mel", "e mel"}
_PHONE_TOKENS = {"tel", "telephone", "portable", "mobile", "phone", "gsm", "fixe", "tel."}
_ADDRESS_TOKENS = {"adresse", "address", "domicile", "rue", "voie"}


def _norm(text: object) -> str:
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9.]+", " ", s).split())


def kind_from_label(label: str) -> str | None:
    """Type d'identifiant suggéré par un nom de colonne, sinon None.

    >>> kind_from_label("Adresse e-mail"), kind_from_label("Nom du quartier")
    ('email', None)
    """
    norm = _norm(label)
    tokens = set(norm.replace(".", " ").split())
    if tokens & {"mail", "email", "courriel", "mel"} or "e mail" in norm:
        return "email"
    if tokens & _PHONE_TOKENS or "numero de tel" in norm:
        return "telephone"
    if "naissance" in tokens and "date" in tokens:
        return "naissance"
    if tokens & _FIRST_NAME_TOKENS or "first name" in norm or "given name" in norm:
        return "prenom"
    if norm.replace(".", "") in _NAME_LABELS:
        return "nom"
    if tokens & _ADDRESS_TOKENS and not tokens & {"lieu", "salle", "ip"}:
        return "adresse"
    return None


# ------------------------------------------------------------------ par le contenu
_ADDRESS = re.compile(
    r"^\d{1,4}\s*(?:bis|ter)?\s*,?\s+(?:rue|avenue|av\.?|bd|boulevard|all[ée]e|chemin|impasse|"
    r"place|route|cours|quai|square|r[ée]sidence|cit[ée]|lotissement|chauss[ée]e|sentier|"
    r"passage|esplanade|rond-point|hameau|lieu-dit)\b",
    re.IGNORECASE,
)
# prénoms fréquents en France (pour reconnaître une colonne de noms par son contenu)
FIRST_NAMES = set(
    [
        "marie",
        "jean",
        "pierre",
        "michel",
        "philippe",
        "alain",
        "nicolas",
        "christophe",
        "patrick",
        "daniel",
        "bernard",
        "nathalie",
        "isabelle",
        "catherine",
        "sylvie",
        "francoise",
        "anne",
        "christine",
        "monique",
        "sandrine",
        "sophie",
        "stephanie",
        "valerie",
        "julie",
        "aurelie",
        "celine",
        "emilie",
        "camille",
        "lea",
        "manon",
        "chloe",
        "emma",
        "ines",
        "jade",
        "louise",
        "alice",
        "lina",
        "sarah",
        "laura",
        "pauline",
        "claire",
        "julien",
        "thomas",
        "lucas",
        "hugo",
        "louis",
        "gabriel",
        "leo",
        "arthur",
        "jules",
        "raphael",
        "adam",
        "mohamed",
        "mohammed",
        "ahmed",
        "ali",
        "karim",
        "yacine",
        "mehdi",
        "rachid",
        "nadia",
        "fatima",
        "samira",
        "leila",
        "amina",
        "aicha",
        "yasmine",
        "sofia",
        "rose",
        "anna",
        "eva",
        "mathilde",
        "charlotte",
        "francois",
        "olivier",
        "laurent",
        "sebastien",
        "frederic",
        "david",
        "eric",
        "stephane",
        "thierry",
        "pascal",
        "didier",
        "jacques",
        "paul",
        "andre",
        "rene",
        "claude",
        "henri",
        "robert",
        "roger",
        "marcel",
        "georges",
        "yves",
        "gerard",
        "serge",
        "antoine",
        "maxime",
        "alexandre",
        "vincent",
        "guillaume",
        "romain",
        "kevin",
        "florian",
        "anthony",
        "jeremy",
        "mathieu",
        "martine",
        "brigitte",
        "nicole",
        "chantal",
        "jacqueline",
        "helene",
        "veronique",
        "agnes",
        "odile",
        "josiane",
        "kevin",
        "dylan",
        "enzo",
        "noah",
        "nathan",
        "ethan",
        "theo",
        "tom",
        "mael",
        "sacha",
        "yanis",
        "ilyes",
        "rayan",
        "amir",
        "bilal",
        "oceane",
        "lucie",
        "margaux",
        "zoe",
        "jeanne",
        "agathe",
        "clemence",
        "elise",
        "elodie",
        "ophelie",
        "audrey",
        "marion",
        "mamadou",
        "moussa",
        "ibrahima",
        "fatou",
        "aminata",
        "awa",
        "mariama",
        "oumar",
        "abdoulaye",
        "seydou",
        "kadiatou",
    ]
)
_SAINT = re.compile(r"\b(saint|sainte|st|ste|rue|avenue|place|bd|boulevard|allee)\s+\S+$")
_NAME_SHAPE = re.compile(r"^[^\W\d_][^\W\d_' -]*(?:[ '-]+[^\W\d_][^\W\d_'-]*){0,3}$")
_FIRST_LAST = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)? [A-ZÀ-Ý][A-ZÀ-Ý' -]+$")


def looks_like_name(value: str) -> bool:
    """Vrai si ``value`` a l'allure d'un nom de personne (« Marie DUPONT », « Karim »)."""
    text = value.strip()
    if not text or not _NAME_SHAPE.match(text) or len(text) > 60:
        return False
    if _FIRST_LAST.match(text):
        return True
    words = _norm(text).replace("-", " ").split()
    for i, word in enumerate(words):
        if word in FIRST_NAMES and not (i and _SAINT.search(" ".join(words[: i + 1]))):
            return True
    return False


def kind_from_content(values: Sequence[str]) -> tuple[str, int, str] | None:
    """Type d'identifiant reconnu dans les valeurs d'une colonne, position et texte du 1er
    exemple.

    Un seul e-mail, téléphone (même au milieu d'une phrase) ou nom précédé d'une civilité
    suffit ; noms (« NOM Prénom », « Prénom NOM », prénom de la liste) et adresses : au
    moins la moitié des valeurs.
    """
    from observatoire.privacy_text import CIVILITE, EMAIL, PHONE, is_name_cell

    filled = [(i, str(v).strip()) for i, v in enumerate(values) if str(v).strip()]
    if not filled:
        return None
    for kind, pattern in (("email", EMAIL), ("telephone", PHONE), ("nom", CIVILITE)):
        for i, v in filled:
            match = pattern.search(v)
            if match:
                return kind, i, match.group()
    for kind, test in (
        ("adresse", _ADDRESS.search),
        ("nom", lambda v: looks_like_name(v) or is_name_cell(v)),
    ):
        hits = [i for i, v in filled if test(v)]
        if hits and len(hits) * 2 >= len(filled) and (len(filled) > 1 or kind == "adresse"):
            return kind, hits[0], dict(filled)[hits[0]]
    return None


@dataclass(frozen=True)
class Identifier:
    """Une colonne d'identifiants directs trouvée dans un fichier."""

    column: str
    kind: str  # nom, prenom, email, telephone, adresse, naissance
    by: str  # "nom de colonne" | "contenu"
    row: int | None = None  # ligne du fichier du premier exemple (contenu)
    sample: str | None = None  # premier exemple MASQUÉ (« k…@….org »), jamais en clair


def detect_identifiers(
    frame: pd.DataFrame,
    rows: Sequence[int] | None = None,
    *,
    structured: Iterable[str] = (),
    trusted_labels: Iterable[str] = (),
    header_row: int | None = None,
) -> list[Identifier]:
    """Colonnes d'identifiants directs de ``frame`` (tout en texte).

    ``structured`` : colonnes dont les valeurs sont contrôlées par ailleurs (dates,
    nombres, codes) : seuls e-mails et téléphones y sont cherchés. ``trusted_labels`` :
    colonnes dont le nom n'est pas examiné (nom choisi dans la configuration) mais
    dont tout le contenu l'est.

    >>> df = pd.DataFrame({"Contact": ["a.b@exemple.fr"], "Qui": ["Karim"]})
    >>> [(i.column, i.kind) for i in detect_identifiers(df)]
    [('Contact', 'email')]
    """
    from observatoire.privacy_text import mask

    structured = set(structured)
    skip_label = structured | set(trusted_labels)
    found: list[Identifier] = []
    for column in frame.columns:
        kind = None if column in skip_label else kind_from_label(str(column))
        if kind:
            found.append(Identifier(str(column), kind, "nom de colonne", header_row))
            continue
        values = [str(v) for v in frame[column].fillna("").tolist()]
        hit = kind_from_content(values)
        if hit and (column not in structured or hit[0] in ("email", "telephone")):
            row = rows[hit[1]] if rows is not None else None
            sample = mask(hit[0] if hit[0] in ("email", "telephone") else "nom", hit[2])
            found.append(Identifier(str(column), hit[0], "contenu", row, sample))
    return found


def privacy_error(source: SourceConfig, found: Sequence[Identifier]) -> PrivacyError:
    """Refus d'un fichier contenant des identifiants directs (les valeurs ne sont jamais citées)."""
    problems = []
    for ident in found:
        problems.append(
            Problem(
                source.label,
                f"données personnelles directement identifiantes ({KIND_LABELS[ident.kind]}, "
                f"reconnues par le {ident.by}) : elles ne doivent pas entrer dans l'observatoire. "
                "Retirez cette colonne du fichier, ou ajoutez « pseudonymiser = true » à "
                f"[sources.{source.name}] : les colonnes d'identité sont alors supprimées à la "
                "lecture et remplacées par un identifiant pseudonyme calculé avec une clé "
                f"secrète (variable d'environnement {ENV_KEY} ou option fichier_cle, hors du "
                "dépôt ; voir le README, section « Participation des habitants »)",
                row=ident.row,
                column=ident.column,
                found=ident.sample if ident.sample else None,
                expected="aucune donnée directement identifiante (nom, prénom, e-mail, "
                "téléphone, adresse)",
            )
        )
    return PrivacyError(problems)


# ------------------------------------------------------------------ clé et pseudonymes


def load_key(source: SourceConfig, config: Config) -> bytes:
    """Clé de pseudonymisation : fichier ``fichier_cle`` sinon ``$OBSERVATOIRE_CLE``.

    ``cle_demonstration = true`` : clé publique de la démonstration, refusée hors
    territoire fictif.

    Le fichier de clé peut contenir des lignes de commentaire (``#``) ; la clé est la
    première autre ligne. Il doit être hors du dossier de sortie des rapports. La
    valeur de la clé n'apparaît dans aucun message.
    """
    option = source.get("fichier_cle")
    if source.get("cle_demonstration", False):
        if not config.territoire.fictif:
            raise source.error(
                "la clé de démonstration publique n'est admise que pour un territoire fictif",
                "cle_demonstration",
                True,
                'fichier_cle = "…" ou la variable d\'environnement ' + ENV_KEY,
            )
        option = str(DEMO_KEY_FILE)
    if option:
        path = Path(str(option)).expanduser()
        path = (path if path.is_absolute() else config.root / path).resolve()
        out = config.output_dir.resolve()
        if path == out or out in path.parents:
            raise source.error(
                "le fichier de clé est dans le dossier de sortie des rapports",
                "fichier_cle",
                str(option),
                "un fichier hors du dépôt et hors du dossier de sortie",
            )
        if not path.is_file():
            raise source.error(
                "fichier de clé de pseudonymisation introuvable",
                "fichier_cle",
                str(option),
                "un fichier texte contenant la clé (voir le README, section Participation)",
            )
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        text = next((x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")), "")
        where = f"le fichier {path.name}"
    else:
        text = os.environ.get(ENV_KEY, "").strip()
        where = f"la variable d'environnement {ENV_KEY}"
        if not text:
            raise source.error(
                "pseudonymiser = true demande une clé secrète, introuvable : définissez la "
                f"variable d'environnement {ENV_KEY} ou l'option fichier_cle (un fichier hors "
                'du dépôt). Pour créer une clé : python -c "import secrets; '
                'print(secrets.token_hex(32))" > ~/.config/observatoire-cle.txt',
                "pseudonymiser",
                True,
                f'{ENV_KEY} définie ou fichier_cle = "…"',
            )
    if len(text) < MIN_KEY_LENGTH:
        raise source.error(
            f"clé de pseudonymisation trop courte dans {where}",
            "fichier_cle" if option else "pseudonymiser",
            f"{len(text)} caractère(s)",
            f"au moins {MIN_KEY_LENGTH} caractères (ex. secrets.token_hex(32))",
        )
    return text.encode("utf-8")


def key_file_warning(source: SourceConfig, config: Config) -> str | None:
    """Avertissement si le fichier de clé est dans un dépôt git (hors clé de démonstration)."""
    option = source.get("fichier_cle")
    if not option or source.get("cle_demonstration", False):
        return None
    path = Path(str(option)).expanduser()
    path = (path if path.is_absolute() else config.root / path).resolve()
    for parent in path.parents:
        if (parent / ".git").exists():
            return (
                f"le fichier de clé {path.name} est dans un dépôt git ({parent.name}) : "
                "placez-le hors du dépôt, ou vérifiez qu'il n'est jamais versionné"
            )
    return None


def normalise_identity(kind: str, value: str) -> str:
    """Forme canonique d'un identifiant avant hachage (casse, accents, indicatif +33).

    >>> normalise_identity("telephone", "+33 6 12 34 56 78")
    '0612345678'
    """
    text = str(value).strip()
    if kind == "email":
        return text.lower()
    if kind == "telephone":
        digits = re.sub(r"\D", "", text)
        for prefix in ("0033", "33"):
            if digits.startswith(prefix) and len(digits) == len(prefix) + 9:
                digits = "0" + digits[len(prefix) :]
        return digits
    return " ".join(sorted(_norm(text).replace(".", " ").replace("-", " ").split()))


def pseudonym(key: bytes, identity: str) -> str:
    """Identifiant pseudonyme stable : ``P`` + 16 caractères hexadécimaux de HMAC-SHA256.

    >>> pseudonym(b"0123456789abcdef", "mail:a@b.fr")
    'P…'  # doctest: +SKIP
    """
    digest = hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest()
    return "P" + digest[:16]


def person_identity(record: dict[str, str], kinds: dict[str, str]) -> str | None:
    """Identité d'une ligne à hacher : nom + prénom, sinon e-mail, sinon téléphone.

    ``kinds`` : colonne → type d'identifiant ; ``record`` : colonne → valeur.
    """
    names = [record.get(c, "") for c, k in kinds.items() if k in ("nom", "prenom")]
    name = normalise_identity("nom", " ".join(n for n in names if str(n).strip()))
    if name:
        return "nom:" + name
    for kind in ("email", "telephone"):
        for column, k in kinds.items():
            value = normalise_identity(kind, record.get(column, ""))
            if k == kind and value:
                return f"{kind}:{value}"
    return None


# le masquage des petits effectifs fait partie des règles de confidentialité
from observatoire.masking import MaskedTable, mask_series, mask_small_cells  # noqa: E402

__all__ = [
    "ENV_KEY",
    "Identifier",
    "MaskedTable",
    "detect_identifiers",
    "load_key",
    "mask_series",
    "mask_small_cells",
    "privacy_error",
    "pseudonym",
]
