"""``reports/manifest.json`` : l'état de chaque rapport du dossier de sortie.

Une entrée par rapport (clé ``quartiers/QN00001A``) : empreinte de ses entrées,
statut (``ok``/``erreur``), durée, erreur, fichiers produits, date. Le lot s'en sert
pour ne refaire que ce qui a changé ; le fichier est toujours écrit atomiquement
(fichier temporaire puis renommage).

Le manifeste garde aussi les empreintes des fichiers d'entrée (avec taille et date
de modification, pour ne pas relire un fichier inchangé) et la liste des quartiers
du territoire, pour qu'une relance sans changement n'ait pas à ouvrir les données.

Exemple ::

    manifest = Manifest.load(Path("reports"))
    entry = manifest.reports.get("quartiers/QN00001A")
    manifest.save()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from observatoire import __version__
from observatoire.atomic import write_atomic

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


@dataclass
class Manifest:
    """Contenu de ``manifest.json`` (lecture tolérante, écriture atomique)."""

    path: Path
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    territory: dict[str, Any] = field(default_factory=dict)
    batch: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """Lit le manifeste du dossier ; vide s'il est absent ou illisible."""
        path = Path(out_dir) / MANIFEST_NAME
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT_VERSION:
            return cls(path)
        return cls(
            path,
            reports=dict(raw.get("rapports", {})),
            files=dict(raw.get("fichiers_entree", {})),
            territory=dict(raw.get("territoire", {})),
            batch=dict(raw.get("dernier_lot", {})),
        )

    def record(self, key: str, entry: dict[str, Any]) -> None:
        """Enregistre (ou remplace) l'entrée d'un rapport."""
        entry = dict(entry)
        entry.setdefault("genere", datetime.now().isoformat(timespec="seconds"))
        self.reports[key] = entry

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "observatoire": __version__,
            "mis_a_jour": datetime.now().isoformat(timespec="seconds"),
            "dernier_lot": self.batch,
            "territoire": self.territory,
            "fichiers_entree": self.files,
            "rapports": dict(sorted(self.reports.items())),
        }

    def save(self) -> None:
        """Écrit le manifeste atomiquement."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1, default=str)
        write_atomic(self.path, text + "\n")
