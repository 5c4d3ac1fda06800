"""Description d'un rapport à produire, partagée par le rendu unitaire et les lots."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatoire.errors import ObservatoireError

# \Z et non $ : « $ » accepterait un saut de ligne final (« QN00001A\n »).
SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}\Z")
KINDS = ("quartier", "evaluation", "concertation", "participation")
NOTEBOOKS = {
    "quartier": "dashboard_quartier.ipynb",
    "evaluation": "evaluation_contrat.ipynb",
    "concertation": "bilan_concertation.ipynb",
    "participation": "participation_citoyenne.ipynb",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# noms réservés par Windows (un dossier de rapports copié sur un partage réseau)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{i}" for p in ("COM", "LPT") for i in range(10))}


def safe_name(identifier: str) -> str:
    """Nom de fichier sûr et stable d'un identifiant (démarche de concertation).

    Un identifiant qui respecte :data:`SAFE_CODE` (et n'est pas un nom réservé par
    Windows : ``CON``, ``NUL``, ``COM1``…) est gardé tel quel ; sinon, ses
    caractères sans accent, lettres, chiffres, ``_`` et ``-`` (le reste remplacé par
    ``-``, 24 caractères au plus), suivis de ``-`` et des 8 premiers caractères
    hexadécimaux du SHA-256 de l'identifiant : deux identifiants différents ne donnent
    pas le même nom, et le même identifiant donne toujours le même.

    >>> safe_name("CONC-2024-01")
    'CONC-2024-01'
    >>> safe_name("../Réunion 3")
    'Reunion-3-4d2b7e8f'
    """
    text = str(identifier)
    if SAFE_CODE.match(text) and text.upper() not in _RESERVED:
        return text
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("-", ascii_text).strip("-_")[:24].strip("-_")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{stem}-{digest}" if stem else f"demarche-{digest}"


@dataclass(frozen=True)
class ReportJob:
    """Un rapport : tableau de bord de quartier, rapport d'évaluation, bilan d'une démarche
    de concertation ou rapport annuel de la participation citoyenne.

    Le nom des fichiers est sûr par construction : ``quartiers/<CODE>.html``,
    ``evaluation/contrat-de-ville-<debut>-<fin>.html`` (``contrat-de-ville-2025.html``
    pour un seul exercice), ``concertations/<ID>.html`` (identifiant passé par
    :func:`safe_name`), ``participation/participation-citoyenne-<annee>.html``.
    """

    kind: str  # "quartier" | "evaluation" | "concertation" | "participation"
    config: Path
    parameters: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    formats: tuple[str, ...] = ("html", "pdf")

    @property
    def notebook(self) -> str:
        try:
            return NOTEBOOKS[self.kind]
        except KeyError:
            raise ObservatoireError(f"type de rapport inconnu : {self.kind!r}") from None

    @property
    def relative_stem(self) -> Path:
        """Chemin relatif (sans extension) dans le dossier de sortie, sûr par construction."""
        if self.kind == "quartier":
            code = str(self.parameters.get("quartier", ""))
            if not SAFE_CODE.match(code):
                raise ObservatoireError(
                    f"code de quartier invalide pour un nom de fichier : {code!r}"
                )
            return Path("quartiers") / code
        if self.kind == "concertation":
            demarche = self.parameters.get("demarche")
            if demarche is None or not str(demarche).strip():
                raise ObservatoireError("identifiant de démarche de concertation manquant")
            return Path("concertations") / safe_name(str(demarche))
        if self.kind == "participation":
            annee = self.parameters.get("annee")
            if not isinstance(annee, int) or isinstance(annee, bool):
                raise ObservatoireError(
                    f"année invalide pour le rapport de la participation citoyenne : {annee!r}"
                )
            return Path("participation") / f"participation-citoyenne-{annee}"
        if self.kind != "evaluation":
            raise ObservatoireError(f"type de rapport inconnu : {self.kind!r}")
        debut, fin = self.parameters.get("debut"), self.parameters.get("fin")
        if not (isinstance(debut, int) and isinstance(fin, int)):
            raise ObservatoireError(
                "années de début et de fin invalides pour le rapport d'évaluation"
            )
        perimetre = self.parameters.get("perimetre")
        suffix = ""
        if perimetre:
            if not SAFE_CODE.match(str(perimetre)):
                raise ObservatoireError(
                    f"périmètre invalide pour un nom de fichier : {perimetre!r}"
                )
            suffix = f"-{perimetre}"
        years = f"{debut}" if str(debut) == str(fin) else f"{debut}-{fin}"  # un seul exercice
        return Path("evaluation") / f"contrat-de-ville-{years}{suffix}"

    @property
    def key(self) -> str:
        return self.relative_stem.as_posix()
