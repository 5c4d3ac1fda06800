"""Page HTML autonome de l'atlas : gabarit, feuille de style et script embarqués.

Mêmes règles que les rapports : Leaflet lu dans ``xstatic-leaflet`` et inséré dans la
page (:mod:`observatoire.views.assets`), aucune ressource externe ; les textes du
gabarit sont échappés par Jinja2 et les données entrent en JSON sûr
(:func:`compact_json`) puis dans le DOM par ``textContent``.

Exemple ::

    html = render_atlas(payload, titre="Atlas des quartiers : Valbrume", fictif=True, …)
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import datetime
from importlib.resources import files
from typing import Any

from jinja2 import Environment, select_autoescape

from observatoire import __version__
from observatoire.views.assets import leaflet_head, leaflet_version
from observatoire.views.format import format_date
from observatoire.views.maps_interactive import HATCH_SVG

TEMPLATES = files("observatoire.exports") / "templates"


def compact_json(value: object) -> str:
    """JSON sans espaces, sûr dans un ``<script>`` (``<``, ``>``, ``&`` échappés, comme
    :func:`observatoire.views.maps_leaflet.safe_json`)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _themes(indicateurs: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for ind in indicateurs:
        groups.setdefault(ind["theme"], []).append(ind)
    return list(groups.items())


def render_atlas(
    payload: dict[str, Any],
    *,
    titre: str,
    fictif: bool,
    credit: str,
    empreinte: str,
    dossier_rapports: str,
    tolerance: float,
    now: datetime | None = None,
) -> str:
    """HTML complet de l'atlas (``lang="fr"``, titre, provenance, données embarquées)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(_asset("atlas.html"))
    default = payload["defaut"]["indicateur"]
    years = []
    for ind in payload["indicateurs"]:
        if ind["id"] == default:
            years = sorted(ind["annees"], key=int)
    js = _asset("atlas.js").replace("</script", "<\\/script")
    quartiers = payload["quartiers"]
    return template.render(
        titre=titre,
        fictif=fictif,
        credit=credit,
        version=__version__,
        leaflet=leaflet_head(),
        leaflet_version=leaflet_version(),
        css=_asset("atlas.css"),
        js=js,
        hachures=HATCH_SVG,
        donnees=compact_json(payload),
        themes=_themes(payload["indicateurs"]),
        defaut=default,
        annees_defaut=years,
        annee_defaut=payload["defaut"]["annee"],
        date=format_date(now or datetime.now()),
        empreinte=empreinte,
        n_liens=sum(1 for q in quartiers if q["lien"]),
        n_quartiers=len(quartiers),
        dossier_rapports=dossier_rapports,
        tolerance=f"{tolerance:g}",
    )
