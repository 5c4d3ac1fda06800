"""Figures des rapports en SVG, avec un cache des mesures de texte partagé par le processus.

Le rendu d'une figure matplotlib passe l'essentiel de son temps à mesurer des textes
(étiquettes des axes, valeurs, légendes) : FreeType recharge les glyphes à chaque
mesure, et la mise en page « constrained » mesure chaque texte deux fois. Ce module
fournit un canevas SVG (``backend="module://observatoire.views.svg"``) dont le
moteur de rendu garde ces mesures dans un dictionnaire du processus : les libellés
répétés d'une figure à l'autre ne sont mesurés qu'une fois, et les rapports d'un lot,
forkés depuis le processus pré-chauffé, héritent des mesures déjà faites. Le SVG
produit est identique, octet pour octet, à celui du moteur SVG de matplotlib.

Le texte reste du texte (``svg.fonttype = "none"``) : net à toutes les tailles
(vidéoprojecteur, impression), plus léger qu'un PNG, et sa police de repli (DejaVu
Sans, puis Verdana, Arial…) est celle de matplotlib.

Exemple ::

    svg = figure_svg(fig)          # texte SVG (str), identifiants stables
    svg.startswith("<?xml")        # True
"""

from __future__ import annotations

import codecs
import io
from typing import Any

import matplotlib
from matplotlib import cbook
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine

BACKEND = "module://observatoire.views.svg"
# Sel fixe des identifiants internes du SVG (chemins de découpe, motifs) : deux rendus
# de la même figure donnent le même fichier.
RC = {"svg.fonttype": "none", "svg.hashsalt": "observatoire"}

_TEXT_METRICS: dict[tuple, tuple[float, float, float]] = {}
_HEIGHT_METRICS: dict[tuple, tuple] = {}


def _font_key(prop: Any) -> tuple:
    """Clé d'une police (mêmes champs que ``FontProperties.__hash__``)."""
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
        prop.get_math_fontfamily(),
    )


class CachedRendererSVG(RendererSVG):
    """Moteur SVG de matplotlib dont les mesures de texte sont gardées en cache."""

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple:
        key = (s, ismath, self.points_to_pixels(72), _font_key(prop))
        metrics = _TEXT_METRICS.get(key)
        if metrics is None:
            metrics = super().get_text_width_height_descent(s, prop, ismath)
            _TEXT_METRICS[key] = metrics
        return metrics

    def _get_font_height_metrics(self, prop: Any) -> tuple:
        # Appelé par matplotlib >= 3.11 (Text._get_layout) ; même calcul, à 72 ppp
        # (résolution des figures pendant le rendu SVG), gardé en cache.
        key = _font_key(prop)
        metrics = _HEIGHT_METRICS.get(key)
        if metrics is None:
            metrics = _height_metrics(prop)
            _HEIGHT_METRICS[key] = metrics
        return metrics


def _height_metrics(prop: Any) -> tuple:
    from matplotlib.font_manager import fontManager, get_font

    try:
        font = get_font(fontManager._find_fonts_by_props(prop))
    except AttributeError:  # autre version de matplotlib : elle fera le calcul elle-même
        return (None, None, None)
    for table_name, gap_key, ascent_key, descent_key in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points()
        return (table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale)
    return (None, None, None)


class FigureCanvas(FigureCanvasSVG):
    """Canevas SVG de matplotlib avec :class:`CachedRendererSVG` (même sortie)."""

    def print_svg(
        self,
        filename: Any,
        *,
        bbox_inches_restore: Any = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        # Même déroulé que FigureCanvasSVG.print_svg, seul le moteur de rendu change.
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)
            dpi = self.figure.dpi
            self.figure.dpi = 72
            width, height = self.figure.get_size_inches()
            w, h = width * 72, height * 72
            renderer = MixedModeRenderer(
                self.figure,
                width,
                height,
                dpi,
                CachedRendererSVG(w, h, fh, image_dpi=dpi, metadata=metadata),
                bbox_inches_restore=bbox_inches_restore,
            )
            self.figure.draw(renderer)
            renderer.finalize()


def figure_svg(fig: Figure) -> str:
    """SVG de ``fig`` : texte en ``<text>``, sans date, identifiants stables.

    La mise en page (« constrained ») est calculée une fois, comme le fait
    ``savefig`` ; mais ``savefig`` dessine ensuite toute la figure « à blanc » avant de la
    dessiner pour de bon : ici, seule la mise en page précède le dessin.
    """
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        engine = fig.get_layout_engine()
        if engine is None or isinstance(engine, PlaceHolderLayoutEngine):
            fig.savefig(buffer, format="svg", backend=BACKEND, metadata={"Date": None})
            return buffer.getvalue().decode("utf-8")
        original, dpi = fig.canvas, fig.dpi
        FigureCanvas(fig)
        try:
            fig.dpi = 72  # résolution du rendu SVG (comme print_svg)
            engine.execute(fig)
            fig.dpi = dpi
            fig.set_layout_engine("none")
            fig.savefig(buffer, format="svg", backend=BACKEND, metadata={"Date": None})
        finally:
            fig.dpi = dpi
            fig.set_layout_engine(engine)
            fig.set_canvas(original)
    return buffer.getvalue().decode("utf-8")


def cached_metrics() -> int:
    """Nombre de mesures de texte en cache dans ce processus."""
    return len(_TEXT_METRICS)
