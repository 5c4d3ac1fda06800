"""Carte interactive folium, autonome et hors ligne.

- Leaflet embarqué depuis ``xstatic-leaflet`` (:mod:`observatoire.views.assets`) ;
  les ressources par défaut de folium (jQuery, Bootstrap, awesome-markers,
  font-awesome, CDN de Leaflet) sont retirées : la page ne charge rien du réseau ;
- aucune tuile de fond par défaut : quartiers et limites communales sont des
  couches vectorielles lisibles seules ; ``tuiles="OpenStreetMap"`` (en ligne) en option ;
- classes mapclassify, légende française avec bornes formatées et effectifs ;
- « donnée non disponible » : motif hachuré gris (jamais la classe la plus basse) ;
- tout texte venant des données est échappé (``html.escape``) avant d'entrer
  dans une infobulle ou la légende ; les données JSON sont sérialisées avec
  échappement de ``<``, ``>`` et ``&`` ;
- accessibilité : ``lang="fr"``, titre, description textuelle et tableau des
  valeurs sous la carte (alternative RGAA).

Exemple ::

    m = interactive_map(contours, communes, data, classes, titre="Taux de pauvreté (2021)",
                        unite="%", source="INSEE", annee=2021, fictif=True)
    save_html(m, "carte.html")
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import box

from observatoire.atomic import write_atomic
from observatoire.views.assets import leaflet_head
from observatoire.views.charts import source_line
from observatoire.views.format import format_value
from observatoire.views.maps_leaflet import (
    OSM_ATTRIBUTION,
    FrenchControls,
    SymbolLayer,
    ZoomSwitch,
)
from observatoire.views.maps_scale import Bounds, lambert, needs_symbols, switch_zoom, symbol_radius
from observatoire.views.palette import HIGHLIGHT, NA_COLOR, NA_EDGE, NA_LABEL, Classes

NA_CLASS = "obs-na"
CSS = f"""
html, body {{ margin: 0; padding: 0; font-family: "DejaVu Sans", Arial, sans-serif;
  color: #1a1a1a; background: #fff; }}
.obs-entete {{ padding: .4rem .8rem; }}
.obs-entete h1 {{ font-size: 1.2rem; margin: .2rem 0; }}
.obs-entete p {{ margin: .2rem 0; font-size: .85rem; }}
.folium-map {{ border-top: 1px solid #999; border-bottom: 1px solid #999; }}
.leaflet-container {{ background: #fdfdfd; }}
.obs-legende, .obs-source {{ background: rgba(255,255,255,.95); padding: .4rem .6rem;
  border: 1px solid #777; border-radius: 4px; font-size: 12px; line-height: 1.35; }}
.obs-legende h2 {{ font-size: 12px; margin: 0 0 .3rem 0; }}
.obs-legende ul {{ list-style: none; margin: 0; padding: 0; }}
.obs-legende li {{ display: flex; align-items: center; gap: .4rem; margin: .12rem 0; }}
.obs-case {{ display: inline-block; width: 18px; height: 12px; border: 1px solid #333; }}
.obs-case-na {{ background: repeating-linear-gradient(45deg, {NA_COLOR} 0 3px, {NA_EDGE} 3px 4px); }}
.obs-commune {{ display: inline-block; width: 18px; border-top: 2px dashed #222; }}
.obs-rond {{ display: inline-block; border-radius: 50%; border: 1px solid #333; flex: none; }}
.obs-rond-na {{ background: repeating-linear-gradient(45deg, {NA_COLOR} 0 3px, {NA_EDGE} 3px 4px); }}
.obs-symboles {{ margin: .3rem 0 0 0; max-width: 17rem; }}
path.{NA_CLASS} {{ fill: url(#obs-hachures) !important; fill-opacity: 1 !important; }}
.obs-donnees {{ padding: .4rem .8rem; font-size: .85rem; }}
.obs-donnees table {{ border-collapse: collapse; }}
.obs-donnees th, .obs-donnees td {{ border: 1px solid #999; padding: .15rem .5rem; text-align: left; }}
.obs-infobulle strong {{ display: block; }}
"""
HATCH_SVG = f"""<svg aria-hidden="true" focusable="false" width="0" height="0"
 style="position:absolute;width:0;height:0;overflow:hidden"><defs>
<pattern id="obs-hachures" patternUnits="userSpaceOnUse" width="8" height="8"
 patternTransform="rotate(45)"><rect width="8" height="8" fill="{NA_COLOR}"/>
<line x1="0" y1="0" x2="0" y2="8" stroke="{NA_EDGE}" stroke-width="2.5"/></pattern>
</defs></svg>"""


class MetricScale(MacroElement):
    """Échelle graphique métrique seule (kilomètres)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.scale({imperial: false, position: "bottomleft"}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )


class HtmlControl(MacroElement):
    """Contrôle Leaflet contenant un fragment HTML déjà échappé (légende, source)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.content|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, content: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.content, self.position, self.css_class = content, position, css_class


def _tooltip(nom: str, code: str, libelle: str, valeur: str, annee: object) -> str:
    e = html.escape
    return (
        f'<div class="obs-infobulle"><strong>{e(nom)}</strong>{e(code)}<br>'
        f"{e(libelle)} ({e(str(annee))}) : <strong>{e(valeur)}</strong></div>"
    )


def _dot(index: int, color: str | None) -> str:
    d = 2 * symbol_radius(index)
    if color is None:
        return f'<span class="obs-rond obs-rond-na" style="width:{d:g}px;height:{d:g}px"></span>'
    return f'<span class="obs-rond" style="width:{d:g}px;height:{d:g}px;background:{color}"></span>'


def legend_html(
    classes: Classes,
    libelle: str,
    unite: str | None,
    n_na: int,
    communes: bool,
    symboles: bool = False,
) -> str:
    """Légende HTML échappée : une ligne par classe (bornes, effectif) + non disponible.

    Avec ``symboles``, chaque classe montre aussi son cercle (taille croissante) :
    la classe se lit à la taille autant qu'à la couleur."""
    e = html.escape
    items = [
        f'<li>{_dot(i, c) if symboles else ""}<span class="obs-case" style="background:{c}">'
        f"</span>{e(lab)} ({n})</li>"
        for i, (c, lab, n) in enumerate(
            zip(classes.colors, classes.labels, classes.counts or [0] * classes.k, strict=True)
        )
    ]
    items.append(
        f'<li>{_dot(-1, None) if symboles else ""}<span class="obs-case obs-case-na"></span>'
        f"{NA_LABEL} ({n_na})</li>"
    )
    if communes:
        items.append('<li><span class="obs-commune"></span>limite communale</li>')
    unit = f" ({e(unite)})" if unite and unite not in ("nombre",) else ""
    note = f'<p class="obs-symboles">{SYMBOL_NOTE}</p>' if symboles else ""
    return (
        f"<h2>{e(libelle)}{unit}</h2><p style='margin:0 0 .3rem 0'>Classes : "
        f"{e(classes.methode)} (nombre de quartiers)</p><ul>{''.join(items)}</ul>{note}"
    )


SYMBOL_NOTE = (
    "Vue d'ensemble : un cercle au centre de chaque quartier, plus grand et plus foncé "
    "quand la classe est plus haute ; zoomez pour voir les contours des quartiers."
)


REFIT_JS = """
window.addEventListener("load", function () {
  var map = window["MAP"], bounds = L.latLngBounds(BOUNDS), box = map.getContainer();
  function refit() {
    if (box.clientWidth > 0 && box.clientHeight > 0) {
      map.invalidateSize(false);  // sans animation : un cadre hors écran ne l'achèverait pas
      map.setView(bounds.getCenter(), map.getBoundsZoom(bounds), { reset: true });
    }
  }
  if (map._animatingZoom) { map.once("zoomend", refit); }
  refit();
  if (window.ResizeObserver) {
    var empty = box.clientWidth === 0 || box.clientHeight === 0;
    new ResizeObserver(function () {
      if (empty) { refit(); }
      empty = box.clientWidth === 0 || box.clientHeight === 0;
    }).observe(box);
  }
});
"""


def interactive_map(
    contours: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    data: pd.DataFrame,
    classes: Classes,
    *,
    titre: str,
    libelle: str | None = None,
    unite: str | None = None,
    source: str | None = None,
    annee: object = None,
    fictif: bool = False,
    surligner: str | None = None,
    tuiles: str | None = None,
    cadre: Bounds | None = None,
    symboles: bool | None = None,
) -> folium.Map:
    """Choroplèthe folium des quartiers ; ``data`` : ``code``, ``nom``, ``valeur``, ``statut``.

    ``cadre`` : emprise de départ en Lambert-93 (par défaut, tous les quartiers).
    ``symboles`` : cercles gradués aux centres des quartiers à petite échelle et contours
    en zoomant (par défaut : quand les quartiers sont minuscules face à l'emprise,
    :func:`observatoire.views.maps_scale.needs_symbols`).
    La carte garde ``obs_title``, ``obs_description`` et ``obs_layers`` (noms JavaScript
    des couches de quartiers) pour :func:`render_html` et la page d'index.
    """
    l93 = lambert(contours)
    if symboles is None:
        symboles = needs_symbols(l93, cadre)
    gdf = contours.to_crs(4326) if contours.crs else contours
    drop = ["nom"] if "nom" in gdf and "nom" in data else []
    gdf = gdf.merge(data.drop(columns=drop), on="code", how="left")
    gdf["statut"] = gdf["statut"].fillna("absent")
    ok = gdf["statut"].eq("ok") & gdf["valeur"].notna()
    libelle = libelle or titre
    gdf["infobulle"] = [
        _tooltip(str(n), str(c), libelle, format_value(v, unite, s), annee)
        for n, c, v, s in zip(gdf["nom"], gdf["code"], gdf["valeur"], gdf["statut"], strict=True)
    ]
    colors = {
        c: classes.color_of(v) if k else None
        for c, v, k in zip(gdf["code"], gdf["valeur"], ok, strict=True)
    }
    minx, miny, maxx, maxy = gdf.total_bounds
    if cadre is not None:
        frame = gpd.GeoSeries([box(*cadre)], crs=l93.crs or 2154)
        minx, miny, maxx, maxy = frame.to_crs(4326).total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, zoom_start=12,
                   height="78vh", control_scale=False, prefer_canvas=False,
                   zoom_control=False, zoom_snap=0.25, zoom_delta=0.5)  # fmt: skip
    m.add_child(FrenchControls())
    m.default_js = []  # pas de CDN : Leaflet est embarqué ci-dessous
    m.default_css = []
    root = m.get_root()
    root.header.add_child(Element(leaflet_head()), name="leaflet_embarque")
    root.header.add_child(Element(f"<style>{CSS}</style>"), name="obs_css")
    root.html.add_child(Element(HATCH_SVG), name="obs_hachures")
    if tuiles:
        attr = OSM_ATTRIBUTION if tuiles.lower() == "openstreetmap" else None
        folium.TileLayer(tuiles, name="Fond de carte (en ligne)", attr=attr).add_to(m)
    if communes is not None and len(communes):
        com = communes.to_crs(4326) if communes.crs else communes
        folium.GeoJson(
            com[["geometry"]].__geo_interface__, name="Limites communales", interactive=False,
            style_function=lambda _f: {"color": "#222222", "weight": 1 if symboles else 2,
                                       "dashArray": "6 4", "fill": False},
        ).add_to(m)  # fmt: skip

    def style(feature: dict) -> dict:
        code = feature["properties"]["code"]
        color = colors.get(code)
        highlight = code == surligner
        base = {"color": HIGHLIGHT if highlight else "#333333", "weight": 4 if highlight else 1}
        if color is None:
            return base | {"fillColor": NA_COLOR, "fillOpacity": 1, "className": NA_CLASS}
        return base | {"fillColor": color, "fillOpacity": 0.85}

    features = gdf[["code", "infobulle", "geometry"]].copy()
    features["code"] = features["code"].map(lambda c: html.escape(str(c)))
    polygons = folium.GeoJson(
        features.__geo_interface__, name="Quartiers", style_function=style,
        highlight_function=lambda _f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["infobulle"], labels=False, sticky=True),
    ).add_to(m)  # fmt: skip
    m.obs_layers = [polygons.get_name()]  # type: ignore[attr-defined]
    if symboles:
        dots = SymbolLayer(_symbols(gdf, l93, classes, ok, surligner))
        m.add_child(dots)
        m.add_child(ZoomSwitch(polygons.get_name(), dots.get_name(), switch_zoom(l93)))
        m.obs_layers.append(dots.get_name())  # type: ignore[attr-defined]
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    # Dans un <iframe srcdoc> (rapports), la carte peut s'initialiser avant que son cadre
    # ait une taille : on recadre au chargement, puis quand le cadre prend sa taille.
    refit = REFIT_JS.replace("MAP", m.get_name())
    refit = refit.replace("BOUNDS", json.dumps([[miny, minx], [maxy, maxx]]))
    m.get_root().script.add_child(Element(refit), name="obs_recadrage")
    m.add_child(MetricScale())
    n_na = int((~ok).sum())
    has_communes = communes is not None and len(communes) > 0
    legend = legend_html(classes, libelle, unite, n_na, has_communes, symboles)
    m.add_child(HtmlControl(legend, "bottomright", "obs-legende"))
    src = source_line(source, annee, fictif)
    m.add_child(HtmlControl(html.escape(src), "bottomleft", "obs-source"))
    m.obs_title = titre  # type: ignore[attr-defined]
    m.obs_source = src  # type: ignore[attr-defined]
    m.obs_table = gdf[["nom", "code", "valeur", "statut"]].assign(  # type: ignore[attr-defined]
        texte=[format_value(v, unite, s) for v, s in zip(gdf["valeur"], gdf["statut"], strict=True)]
    )
    m.obs_description = (  # type: ignore[attr-defined]
        f"Carte interactive des {len(gdf)} quartiers colorés selon « {libelle} » ({annee}), "
        f"{classes.k} classes par {classes.methode} du plus clair au plus foncé ; "
        f"{n_na} quartier(s) en {NA_LABEL} (hachures grises). Les valeurs figurent dans "
        "le tableau sous la carte."
    )
    if symboles:
        m.obs_description += (  # type: ignore[attr-defined]
            " Vue d'ensemble : chaque quartier est un cercle à son centre, de taille "
            "croissante avec la classe ; ses contours apparaissent en zoomant."
        )
    if surligner is not None and (gdf["code"] == surligner).any():
        name = gdf.loc[gdf["code"] == surligner, "nom"].iloc[0]
        m.obs_description += f" Quartier mis en évidence (contour vermillon épais) : {name}."  # type: ignore[attr-defined]
    return m


def _symbols(
    gdf: gpd.GeoDataFrame,
    l93: gpd.GeoDataFrame,
    classes: Classes,
    ok: pd.Series,
    surligner: str | None,
) -> dict:
    """Points (WGS84) des quartiers avec le style de leur cercle gradué."""
    points = l93.set_index("code").geometry.representative_point().to_crs(4326)
    features = []
    for code, tip, value, good in zip(gdf["code"], gdf["infobulle"], gdf["valeur"], ok,
                                      strict=True):  # fmt: skip
        if code not in points.index:
            continue
        pt = points.loc[code]
        pt = pt.iloc[0] if isinstance(pt, gpd.GeoSeries) else pt
        index = classes.index_of(value) if good else -1
        style = {"radius": symbol_radius(index), "color": "#333333", "weight": 1,
                 "fillColor": classes.colors[index] if index >= 0 else NA_COLOR,
                 "fillOpacity": 0.9}  # fmt: skip
        if index < 0:
            style["className"] = NA_CLASS
        if code == surligner:
            style |= {"color": HIGHLIGHT, "weight": 4}
        features.append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [pt.x, pt.y]},
            "properties": {"code": html.escape(str(code)), "infobulle": tip, "style": style},
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def render_html(m: folium.Map) -> str:
    """HTML complet et autonome de la carte (``lang="fr"``, titre, description, tableau)."""
    e = html.escape
    page = m.get_root().render()
    title = getattr(m, "obs_title", "Carte")
    description = getattr(m, "obs_description", "")
    source = getattr(m, "obs_source", "")
    page = page.replace("<html>", '<html lang="fr">', 1)
    page = page.replace("<head>", f"<head>\n<title>{e(title)}</title>", 1)
    header = (
        f'<header class="obs-entete"><h1>{e(title)}</h1><p id="obs-description">'
        f"{e(description)}</p><p>{e(source)}</p></header>"
    )
    page = page.replace("<body>", "<body>\n" + header, 1)
    page = page.replace(
        'class="folium-map"', 'class="folium-map" aria-describedby="obs-description"', 1
    )
    table = getattr(m, "obs_table", None)
    if table is not None:
        rows = "".join(
            f'<tr><th scope="row">{e(str(r.nom))}</th><td>{e(str(r.code))}</td><td>{e(r.texte)}</td></tr>'
            for r in table.itertuples(index=False)
        )
        block = (
            '<section class="obs-donnees"><details><summary>Données de la carte (tableau)</summary>'
            f'<table><caption>{e(title)}</caption><thead><tr><th scope="col">Quartier</th>'
            '<th scope="col">Code</th><th scope="col">Valeur</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></details></section>"
        )
        page = page.replace("</body>", block + "\n</body>", 1)
    return page


def save_html(m: folium.Map, path: str | Path) -> Path:
    """Écrit la carte autonome en HTML (écriture atomique, UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render_html(m))
    return path
