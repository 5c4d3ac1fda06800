"""Éléments Leaflet des cartes interactives : contrôles en français, cercles gradués,
bascule cercles ↔ contours selon le zoom, infobulles de lien.

Leaflet est embarqué hors ligne (:mod:`observatoire.views.assets`) ; ses textes par
défaut (« Zoom in », « Layers », « Close popup », « A JavaScript library… ») sont
remplacés ici.

Exemple ::

    m.add_child(FrenchControls())
    dots = SymbolLayer(features)        # FeatureCollection de points (style par quartier)
    m.add_child(dots)
    m.add_child(ZoomSwitch(polygons.get_name(), dots.get_name(), zoom=11))
"""

from __future__ import annotations

import json

from branca.element import MacroElement
from jinja2 import Template

ZOOM_IN = "Zoom avant"
ZOOM_OUT = "Zoom arrière"
LAYERS = "Couches de la carte"
CLOSE = "Fermer"
PREFIX = (
    '<a href="https://leafletjs.com" title="Bibliothèque JavaScript de cartes interactives"'
    ' lang="en">Leaflet</a>'
)
OSM_ATTRIBUTION = (
    '© les contributeurs d’<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


def safe_json(value: object) -> str:
    """JSON sûr dans un ``<script>`` : ``<``, ``>`` et ``&`` échappés."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class FrenchControls(MacroElement):
    """Zoom, préfixe d'attribution, bouton des couches et fermeture des bulles en français."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            L.control.zoom({zoomInTitle: {{ this.zoom_in|tojson }},
                            zoomOutTitle: {{ this.zoom_out|tojson }},
                            position: "topleft"}).addTo(map);
            if (map.attributionControl) { map.attributionControl.setPrefix({{ this.prefix|tojson }}); }
            function frenchify() {
                var box = map.getContainer();
                box.querySelectorAll(".leaflet-control-layers-toggle").forEach(function (a) {
                    a.title = {{ this.layers|tojson }};
                    a.setAttribute("aria-label", {{ this.layers|tojson }});
                });
                box.querySelectorAll(".leaflet-popup-close-button").forEach(function (a) {
                    a.setAttribute("aria-label", {{ this.close|tojson }});
                    a.title = {{ this.close|tojson }};
                });
            }
            map.on("popupopen layeradd", frenchify);
            window.addEventListener("load", frenchify);
            frenchify();
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FrenchControls"
        self.zoom_in, self.zoom_out, self.layers = ZOOM_IN, ZOOM_OUT, LAYERS
        self.close, self.prefix = CLOSE, PREFIX


class SymbolLayer(MacroElement):
    """Cercles des quartiers (``L.circleMarker``) : style et infobulle par point.

    ``features`` : FeatureCollection de points, propriétés ``code``, ``infobulle``
    (HTML déjà échappé) et ``style`` (options Leaflet du cercle, dont ``radius``).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, f.properties.style); },
            onEachFeature: function (f, layer) {
                layer.bindTooltip(f.properties.infobulle, {sticky: true});
                layer.on("mouseover", function () { layer.setStyle({weight: 3, color: "#000000"}); });
                layer.on("mouseout", function () { layer.setStyle(f.properties.style); });
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, features: dict) -> None:
        super().__init__()
        self._name = "SymbolLayer"
        self.data = safe_json(features)


class ZoomSwitch(MacroElement):
    """Cercles sous le niveau ``zoom``, contours des quartiers à partir de ce niveau."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, polygons, dots) {
            function sw() {
                var near = map.getZoom() >= {{ this.zoom }};
                var show = near ? polygons : dots, hide = near ? dots : polygons;
                if (!map.hasLayer(show)) { map.addLayer(show); }
                if (map.hasLayer(hide)) { map.removeLayer(hide); }
            }
            map.on("zoomend viewreset", sw);
            sw();
        })({{ this._parent.get_name() }}, {{ this.polygons }}, {{ this.dots }});
        {% endmacro %}"""
    )

    def __init__(self, polygons: str, dots: str, zoom: int) -> None:
        super().__init__()
        self._name = "ZoomSwitch"
        self.polygons, self.dots, self.zoom = polygons, dots, int(zoom)


class LinkPopups(MacroElement):
    """Bulle par quartier (HTML déjà échappé, par code) sur les couches nommées."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (popups, layers) {
            layers.forEach(function (group) {
                group.eachLayer(function (layer) {
                    var code = layer.feature && layer.feature.properties.code;
                    if (popups[code]) { layer.bindPopup(popups[code]); }
                });
            });
        })({{ this.popups }}, [{{ this.layers }}]);
        {% endmacro %}"""
    )

    def __init__(self, popups: dict[str, str], layers: list[str]) -> None:
        super().__init__()
        self._name = "LinkPopups"
        self.popups = safe_json(popups)
        self.layers = ", ".join(layers)
