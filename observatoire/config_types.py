"""Types attendus des valeurs de ``observatoire.toml`` (contrôlés avant tout usage).

Une valeur du mauvais type (``cache = "x"`` au lieu d'une table ``[cache]``,
``ligne_entete = "deux"``, ``dossiers_autorises = "../partage"`` au lieu d'une liste,
un seuil ``1e400``) est refusée comme une clé inconnue : avec sa place dans le fichier,
la valeur trouvée et ce qui est attendu. Un caractère nul ou de contrôle dans un texte
est refusé partout.

Exemple ::

    problems = []
    check_value("[sources.x] ligne_entete", "deux", "entier_positif", report)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

# genre → (description française, test)
Kind = tuple[str, Callable[[Any], bool]]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


KINDS: dict[str, Kind] = {
    "texte": ("un texte entre guillemets", lambda v: isinstance(v, str)),
    "chemin": (
        "un chemin (texte non vide) entre guillemets",
        lambda v: isinstance(v, str) and bool(v.strip()),
    ),
    "booleen": ("true ou false", lambda v: isinstance(v, bool)),
    "entier_positif": ("un entier ≥ 1 (ex. 2)", lambda v: _is_int(v) and v >= 1),
    "annee": ("une année sur 4 chiffres (ex. 2021)", lambda v: _is_int(v) and 1800 <= v <= 2200),
    "table": ("une table { clé = valeur } ou une section [….…]", lambda v: isinstance(v, dict)),
    "liste": ('une liste entre crochets, ex. ["…"]', lambda v: isinstance(v, list)),
    "liste_textes": (
        'une liste de textes, ex. ["…", "…"]',
        lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    ),
    "texte_ou_entier": (
        "un texte ou un entier ≥ 1",
        lambda v: isinstance(v, str) or (_is_int(v) and v >= 1),
    ),
    "entier": ("un nombre entier", _is_int),
    "nombre": (
        "un nombre fini",
        lambda v: (_is_int(v) or isinstance(v, float)) and math.isfinite(v),
    ),
}

# Options de source connues, quel que soit le type (les autres restent contrôlées par
# leur adaptateur).
SOURCE_OPTION_KINDS = {
    "type": "texte",
    "fichier": "chemin",
    "format": "texte",
    "description": "texte",
    "producteur": "texte",
    "millesime_source": "texte_ou_entier",
    "fichier_cle": "chemin",
    "fichier_liens": "chemin",
    "couche": "texte",
    "crs": "texte",
    "separateur": "texte",
    "encodage": "texte",
    "feuille": "texte_ou_entier",
    "feuilles": "liste",
    "ligne_entete": "entier_positif",
    "lignes_entete": "entier_positif",
    "annee": "annee",
    "generation": "entier",
    "forme": "texte",
    "annee_depuis_nom": "texte",
    "annee_depuis_feuille": "texte",
    "niveau": "texte",
    "colonne_niveau": "texte",
    "colonnes": "table",
    "niveaux": "table",
    "indicateurs": "table",
    "numerateurs": "table",
    "denominateurs": "table",
    "correspondance_quartiers": "table",
    "correspondance_dispositifs": "table",
    "correspondance_scopes": "table",
    "correspondance_categories": "table",
    "dispositifs": "liste",
    "dispositif": "texte",
    "prefixe_id": "texte",
    "langue": "texte",
    "pseudonymiser": "booleen",
    "cle_demonstration": "booleen",
    "inclure_non_publiees": "booleen",
    "credits_pv": "booleen",
    "part_en_pourcentage": "booleen",
    "evenement": "texte",
    "tranches": "table",
    "financeurs": "table",
    "financeur": "texte",
    "financeur_etat": "texte",
    "piliers": "table",
    "statuts": "table",
    "statut_par_defaut": "texte",
    "quartiers": "table",
    "ponderation": "texte",
    "indicateur_population": "texte",
    "liens_beneficiaires": "table",
    "mots_cles": "liste",
}

# Sections de premier niveau : toutes des tables ; clés connues et leur type.
SECTION_KEYS: dict[str, dict[str, str] | None] = {
    "cache": {"dossier": "chemin"},
    "sortie": {"dossier": "chemin"},
    "projet": {"dossiers_autorises": "liste_textes"},
    # [rapports] : clés lues par plusieurs modules ; les connues sont typées
    "rapports": {
        "notebooks": "chemin",
        "modele_diaporama": "chemin",
        "participation": "table",
        "contrat": "table",
        "democratie": "table",
        "debut": "annee",
        "fin": "annee",
    },
    # [panel] : panel citoyen tiré au sort dans le vivier (observatoire panel)
    "panel": {
        "taille": "entier_positif",
        "graine": "entier",
        "criteres": "liste_textes",
        "minimum_moins_25": "entier",
        "marge": "entier",
        "algorithme": "texte",
        "territoire_reference": "texte",
    },
}

TERRITORY_KINDS = {
    "nom": "texte",
    "generation": "entier",
    "fictif": "booleen",
    "references": "liste",
    "producteur": "texte",
    "mention": "texte",
    "seuil_petits_effectifs": "entier",
    "sorties_non_publiables": "texte",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

PATH_KEYS = {"fichier", "fichier_cle", "fichier_liens", "dossier", "dossiers_autorises",
             "notebooks", "modele_diaporama"}  # fmt: skip
Report = Callable[[str, str, Any, str | None], None]


def kind_ok(value: Any, kind: str) -> bool:
    """Vrai si ``value`` a le type ``kind`` (voir :data:`KINDS`)."""
    return KINDS[kind][1](value)


def check_value(where: str, value: Any, kind: str, report: Report) -> bool:
    """Signale (``report(où, message, trouvé, attendu)``) une valeur du mauvais type."""
    if kind_ok(value, kind):
        return True
    message = "un texte est attendu" if kind == "texte" else "valeur du mauvais type"
    report(where, message, shown(value), KINDS[kind][0])
    return False


def shown(value: Any) -> str:
    """Valeur telle que l'utilisateur l'a écrite (types TOML, sans repr Python)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "une table"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, float) and not math.isfinite(value):
        return "un nombre trop grand (infini)" if not math.isnan(value) else "nan"
    return str(value)


def control_characters(raw: Any, report: Report, where: str = "") -> None:
    """Signale tout texte (clé ou valeur) qui contient un caractère nul, de contrôle ou
    d'inversion bidirectionnelle, où qu'il soit dans la configuration."""
    if isinstance(raw, dict):
        for key, value in raw.items():
            here = f"{where}.{key}" if where else str(key)
            if _CONTROL.search(str(key)):
                report(here, "caractère de contrôle dans un nom de clé", _visible(key), None)
            control_characters(value, report, here)
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            control_characters(value, report, f"{where}[{i + 1}]")
    elif isinstance(raw, str) and _CONTROL.search(raw):
        message = "caractère nul" if "\x00" in raw else "caractère de contrôle"
        key = where.rsplit(".", 1)[-1].split("[", 1)[0]
        what = "chemin" if key in PATH_KEYS else "texte"
        report(_where(where), f"{what} invalide ({message})", _visible(raw), "un texte imprimable")


def _where(dotted: str) -> str:
    """``sources.x.fichier`` → ``[sources.x] fichier`` (tel que dans le fichier)."""
    parts = dotted.split(".")
    if len(parts) == 1:
        return parts[0]
    if parts[0] == "sources" and len(parts) > 2:
        return f"[sources.{parts[1]}] " + ".".join(parts[2:])
    return f"[{parts[0]}] " + ".".join(parts[1:])


def _visible(text: Any) -> str:
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))


SAFE_SOURCE_NAME = re.compile(r"[\w][\w.-]{0,79}")


def bad_source_name(name: str) -> bool:
    """Nom de source inutilisable comme nom de fichier (``/``, ``..``, espaces…)."""
    return not SAFE_SOURCE_NAME.fullmatch(name) or ".." in name
