"""Plan d'un lot : quels rapports, avec quelle empreinte, lesquels sont à jour.

L'empreinte d'un rapport réunit tout ce qu'il lit : les fichiers d'entrée déclarés
dans la configuration (même calcul que ``obs.input_fingerprint``), le fichier de
configuration lui-même, le notebook, les paramètres, les formats demandés et la
version du paquet. Un rapport est à jour si le manifeste porte la même empreinte,
le statut ``ok`` et que tous ses fichiers sont présents.

Pour qu'une relance sans changement soit immédiate, rien n'est chargé : les
fichiers d'entrée inchangés (même taille, même date de modification) gardent
l'empreinte notée au manifeste, et la liste des quartiers y est relue.

Exemple ::

    fp, files = data_fingerprint(config, manifest.files)
    stale = [job for job in jobs if not is_up_to_date(job, key_fp, manifest, out_dir)]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observatoire import __version__
from observatoire.cache import SHAPEFILE_SIDECARS, combine, file_fingerprint
from observatoire.config import Config
from observatoire.publish.jobs import ReportJob


def _signature(path: Path) -> list[list[int]]:
    paths = [path]
    if path.suffix.lower() == ".shp":
        paths = [path.with_suffix(s) for s in SHAPEFILE_SIDECARS if path.with_suffix(s).exists()]
    out = []
    for p in paths:
        st = p.stat()
        out.append([st.st_size, st.st_mtime_ns])
    return out


def data_fingerprint(
    config: Config, known: dict[str, dict[str, Any]]
) -> tuple[str, dict[str, dict[str, Any]]]:
    """Empreinte des données (égale à ``obs.input_fingerprint``) sans rien charger.

    ``known`` : empreintes notées au manifeste, réutilisées si taille et date de
    modification n'ont pas bougé. Renvoie ``(empreinte, nouvelles notes)``.
    """
    from observatoire.territory import _config_fingerprint

    fingerprints: dict[str, str] = {}
    files: dict[str, dict[str, Any]] = {}
    for name, source in config.sources.items():
        if source.path is None:
            fingerprints[name] = "-"
            continue
        key = str(source.path)
        signature = _signature(source.path)
        note = known.get(key)
        if note and note.get("signature") == signature and note.get("empreinte"):
            digest = note["empreinte"]
        else:
            digest = file_fingerprint(source.path)
        fingerprints[name] = digest
        files[key] = {"signature": signature, "empreinte": digest}
    return combine(fingerprints, _config_fingerprint(config), __version__), files


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


@dataclass
class PlannedReport:
    """Un rapport du lot et son empreinte d'entrées."""

    job: ReportJob
    fingerprint: str
    up_to_date: bool = False


def report_fingerprint(
    job: ReportJob, data_fp: str, config_digest: str, notebook_digest: str, keep_notebook: bool
) -> str:
    """Empreinte des entrées d'un rapport."""
    return combine(
        data_fp,
        config_digest,
        notebook_digest,
        job.kind,
        job.parameters,
        sorted(job.formats),
        keep_notebook,
        __version__,
    )


def expected_files(job: ReportJob, out_dir: Path, keep_notebook: bool) -> list[Path]:
    """Fichiers qu'un rapport réussi laisse dans le dossier de sortie."""
    stem = Path(out_dir) / job.relative_stem
    suffixes = [f".{f}" for f in job.formats] + ([".ipynb"] if keep_notebook else [])
    return [stem.with_suffix(s) for s in suffixes]


def is_up_to_date(
    planned: PlannedReport, entry: dict[str, Any] | None, out_dir: Path, keep_notebook: bool
) -> bool:
    """Vrai si le manifeste dit ce rapport produit avec les mêmes entrées et ses fichiers là."""
    if not entry or entry.get("statut") != "ok":
        return False
    if entry.get("empreinte") != planned.fingerprint:
        return False
    return all(p.is_file() for p in expected_files(planned.job, out_dir, keep_notebook))


def plan_reports(
    jobs: list[ReportJob],
    *,
    config: Config,
    data_fp: str,
    notebooks: dict[str, Path],
    reports: dict[str, dict[str, Any]],
    out_dir: Path,
    keep_notebook: bool,
    force: bool,
) -> list[PlannedReport]:
    """Empreinte de chaque rapport et décision : à refaire ou à jour."""
    config_digest = file_digest(config.path)
    digests = {kind: file_digest(path) for kind, path in notebooks.items()}
    planned = []
    for job in jobs:
        fp = report_fingerprint(job, data_fp, config_digest, digests[job.kind], keep_notebook)
        item = PlannedReport(job, fp)
        item.up_to_date = not force and is_up_to_date(
            item, reports.get(job.key), out_dir, keep_notebook
        )
        planned.append(item)
    return planned


def clean_partial_files(out_dir: Path) -> int:
    """Supprime les temporaires cachés (``.nom.xxxx.tmp``) laissés par un lot tué."""
    removed = 0
    if not Path(out_dir).is_dir():
        return 0
    for sub in [Path(out_dir), *(p for p in Path(out_dir).iterdir() if p.is_dir())]:
        for path in sub.glob(".*.tmp"):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed
