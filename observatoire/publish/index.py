"""Page d'index des rapports (``reports/index.html``) : liste et carte des quartiers.

Chaque rapport du lot y figure avec son statut, ses fichiers et la cause d'un échec ;
la carte interactive (hors ligne) des quartiers renvoie vers leurs tableaux de bord.

Exemple ::

    results = [produce_report(job, Path("reports")) for job in jobs]
    write_index(Path("reports"), results, obs)      # → reports/index.html
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from observatoire import __version__
from observatoire.publish.render import _env, css
from observatoire.publish.report import ReportResult, write_atomic
from observatoire.views.format import format_date, format_number

KIND_LABELS = {
    "quartier": "Tableau de bord de quartier",
    "evaluation": "Évaluation du contrat",
    "concertation": "Bilan de concertation",
    "participation": "Rapport de la participation citoyenne",
}
# Rapports listés dans la section « Démocratie participative » de la page d'index.
DEMOCRATIE_KINDS = ("participation", "concertation")
FORMAT_LABELS = {".html": "page HTML", ".pdf": "PDF A4", ".ipynb": "notebook exécuté"}


def _href(path: Path, out_dir: Path) -> str | None:
    try:
        relative = Path(path).resolve().relative_to(out_dir.resolve())
    except ValueError:
        return None
    return quote(relative.as_posix())


def report_title(result: ReportResult, names: dict[str, str]) -> str:
    """Intitulé lisible d'un rapport : « Les Hauts (QN00001A) » ou « Contrat de ville 2022-2024 »."""
    params = result.job.parameters
    if result.job.kind == "quartier":
        code = str(params.get("quartier", ""))
        name = names.get(code)
        return f"{name} ({code})" if name else code
    if result.job.kind == "concertation":
        ident = str(params.get("demarche", ""))
        objet = names.get(f"demarche:{ident}")
        return f"{objet} ({ident})" if objet else ident
    if result.job.kind == "participation":
        return f"Participation citoyenne {params.get('annee')}"
    title = f"Contrat de ville {params.get('debut')}–{params.get('fin')}"
    perimetre = params.get("perimetre")
    if perimetre:
        title += f" — {names.get(str(perimetre), perimetre)}"
    return title


def _rows(results: list[ReportResult], out_dir: Path, names: dict[str, str]) -> list[dict]:
    rows = []
    kinds = ("quartier", "evaluation", *DEMOCRATIE_KINDS)
    order = sorted(
        results,
        key=lambda r: (kinds.index(r.job.kind) if r.job.kind in kinds else 9, r.job.key),
    )
    for result in order:
        files = []
        for path in result.outputs:
            href = _href(path, out_dir)
            if href:
                label = FORMAT_LABELS.get(Path(path).suffix, Path(path).suffix)
                files.append({"href": href, "label": label})
        rows.append(
            {
                "titre": report_title(result, names),
                "type": KIND_LABELS.get(result.job.kind, result.job.kind),
                "ok": result.status == "ok",
                "statut": "réussi" if result.status == "ok" else "échec",
                "fichiers": files,
                "duree": f"{format_number(result.duration, 1)} s",
                "erreur": result.error or "",
            }
        )
    return rows


def _demarche_names(obs: Any) -> dict[str, str]:
    """« demarche:<id> » → objet de la démarche (intitulés des bilans de concertation)."""
    table = obs.table("concertations")
    out = {}
    for ident, objet in zip(table["id"], table["objet"], strict=False):
        if isinstance(ident, str) and isinstance(objet, str) and objet.strip():
            out[f"demarche:{ident}"] = objet.strip()
    return out


def dashboard_links(results: list[ReportResult], out_dir: Path) -> dict[str, str]:
    """Code de quartier → lien relatif vers son tableau de bord HTML (rapports réussis)."""
    links = {}
    for result in results:
        if result.job.kind != "quartier" or result.status != "ok":
            continue
        for path in result.outputs:
            href = _href(path, out_dir)
            if href and Path(path).suffix == ".html":
                links[str(result.job.parameters.get("quartier"))] = href
    return links


def _indicator(obs: Any) -> str | None:
    """Indicateur de fond de la carte d'index : taux de pauvreté, sinon le premier présent."""
    v = obs.valeurs
    present = list(dict.fromkeys(v.loc[v["code"].isin(obs.quartiers["code"]), "indicateur"]))
    for candidate in ("taux_pauvrete", "revenu_median_uc", "taux_emploi"):
        if candidate in present:
            return candidate
    return present[0] if present else None


def base_map(obs: Any) -> Any:
    """Fond de la carte d'index : quartiers colorés selon un indicateur (``None`` sans
    indicateur). Le classement en seuils naturels coûte quelques secondes à l'échelle
    nationale : le lot le calcule pendant que le processus pré-chauffé démarre
    (:class:`BaseMapInBackground`)."""
    indicateur = _indicator(obs)
    return None if indicateur is None else obs.indicateurs.carte(indicateur)


class BaseMapInBackground:
    """Calcule :func:`base_map` dans un fil d'exécution ; ``result()`` l'attend.

    Une erreur est gardée et relevée par ``result()`` (la page d'index la signale).
    """

    def __init__(self, obs: Any) -> None:
        import threading

        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(obs,), daemon=True)
        self._thread.start()

    def _run(self, obs: Any) -> None:
        try:
            self._value = base_map(obs)
        except BaseException as exc:  # noqa: BLE001 - relevée par result()
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def quartiers_map(obs: Any, links: dict[str, str], base: Any = None) -> Any:
    """Carte folium hors ligne des quartiers ; un clic ouvre le tableau de bord du quartier.

    ``base`` : fond déjà calculé par :func:`base_map` (sinon il est calculé ici).
    """
    from observatoire.views.maps_leaflet import LinkPopups

    m = base if base is not None else base_map(obs)
    if m is None:
        return None
    names = dict(zip(obs.quartiers["code"], obs.quartiers["nom"], strict=False))
    popups = {}
    for code in obs.quartiers["code"]:
        label = f"{html.escape(str(names.get(code, code)))} ({html.escape(str(code))})"
        if code in links:
            href = html.escape(links[code], quote=True)
            text = f'<a href="{href}" target="_top">{label} : ouvrir le tableau de bord</a>'
        else:
            text = f"{label} : pas de tableau de bord produit"
        popups[html.escape(str(code))] = text
    # bulles posées sur les contours et, à l'échelle régionale, sur les cercles des quartiers
    m.add_child(LinkPopups(popups, list(getattr(m, "obs_layers", []))))
    return m


def _map(obs: Any, links: dict[str, str], base: Any = None) -> tuple[str | None, str]:
    """Document HTML hors ligne de la carte des quartiers et son alternative textuelle."""
    quartiers = obs.quartiers
    if quartiers.empty or obs.contours.empty:
        return None, "Aucun contour de quartier n'est déclaré : carte indisponible."
    if isinstance(base, BaseMapInBackground):
        base = base.result()
    m = quartiers_map(obs, links, base)
    if m is None:
        return None, "Aucun indicateur n'est disponible pour colorer la carte des quartiers."
    from observatoire.views.maps_interactive import render_html

    alt = (
        f"Carte des {len(quartiers)} quartiers prioritaires du territoire "
        f"{obs.config.territoire.nom} ; {len(links)} ont un tableau de bord, ouvert d'un clic "
        "sur le quartier et accessible aussi depuis la liste des rapports. "
        + str(getattr(m, "obs_description", ""))
    )
    return render_html(m), alt


def write_index(out_dir: Path, results: list[ReportResult], obs: Any, base: Any = None) -> Path:
    """Écrit ``out_dir/index.html`` (atomiquement) et renvoie son chemin.

    ``base`` : fond de carte déjà calculé (:func:`base_map` ou
    :class:`BaseMapInBackground`), sinon calculé ici.
    """
    out_dir = Path(out_dir)
    names = dict(zip(obs.territoires["code"], obs.territoires["nom"], strict=False))
    names.update(_demarche_names(obs))
    links = dashboard_links(results, out_dir)
    try:
        map_html, map_alt = _map(obs, links, base)
    except Exception as exc:  # la liste des rapports reste publiée sans la carte
        map_html, map_alt = None, f"Carte des quartiers indisponible : {exc}"
    now = datetime.now()
    failures = sum(r.status != "ok" for r in results)
    rows = _rows([r for r in results if r.job.kind not in DEMOCRATIE_KINDS], out_dir, names)
    democratie = _rows([r for r in results if r.job.kind in DEMOCRATIE_KINDS], out_dir, names)
    html = (
        _env()
        .get_template("index.html")
        .render(
            css=css("screen"),
            territoire=obs.config.territoire.nom,
            fictif=bool(obs.fictif),
            rows=rows,
            democratie=democratie,
            total=len(results),
            echecs=failures,
            carte=map_html,
            carte_alt=map_alt,
            provenance={"type": "provenance", "provenance": obs.provenance(), "parametres": {}},
            generation=f"{format_date(now)} à {now:%H:%M}",
            version=__version__,
        )
    )
    return write_atomic(out_dir / "index.html", html)
