"""Description d'un rapport à produire, partagée par le rendu unitaire et les lots."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatoire.errors import ObservatoireError

# \Z et non $ : « $ » accepterait un saut de ligne final (« QN00001A\n »).
SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}\Z")
KINDS = ("quartier", "evaluation")


@dataclass(frozen=True)
class ReportJob:
    """Un rapport : un tableau de bord de quartier ou le rapport d'évaluation.

    ``slug`` (dérivé d'un code validé uniquement) donne le nom des fichiers :
    ``quartiers/<CODE>.html`` ou ``evaluation/contrat-de-ville-<debut>-<fin>.html``
    (``contrat-de-ville-2025.html`` pour un seul exercice).
    """

    kind: str  # "quartier" | "evaluation"
    config: Path
    parameters: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    formats: tuple[str, ...] = ("html", "pdf")

    @property
    def notebook(self) -> str:
        return "dashboard_quartier.ipynb" if self.kind == "quartier" else "evaluation_contrat.ipynb"

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
