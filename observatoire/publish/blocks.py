"""Blocs de rapport affichés par les notebooks et publiés par :mod:`observatoire.publish.render`.

Un notebook de rapport n'affiche que des blocs : chacun porte ses données dans un type
MIME propre (:data:`MIME`) que le rendu HTML/PDF relit et échappe lui-même ; JupyterLab
montre l'aperçu HTML du même bloc. Aucun texte issu des données n'est donc interprété
comme HTML ou JavaScript.

Exemple ::

    from observatoire.publish import blocks
    blocks.texte("Le quartier compte 4 210 habitants.")
    blocks.figure(fig, alt="Barres : écart du taux de pauvreté…", source="INSEE 2021")
    blocks.absent("Aucune donnée de participation pour ce quartier.")
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import io
import math
import re
from datetime import datetime
from typing import Any

import pandas as pd

MIME = "application/vnd.observatoire.bloc+json"
_NUMERIC = re.compile(
    r"^([<−+\-]?\s?[\d\s\u00a0,]+.*|n\.d\.|masqué|secret statistique|donnée non disponible)$"
)
DPI = 144  # net sur écran haute densité et vidéoprojecteur, léger dans le PDF
_KEEP_FIGURES = contextvars.ContextVar("observatoire_keep_figures", default=False)


@contextlib.contextmanager
def figures_gardees():
    """Les blocs ``figure`` créés dans ce bloc gardent la figure matplotlib
    (``data["figure"]``) au lieu de son SVG : les exports (PPTX, PNG) la dessinent eux-mêmes."""
    token = _KEEP_FIGURES.set(True)
    try:
        yield
    finally:
        _KEEP_FIGURES.reset(token)


class Block:
    """Un bloc affichable (``_repr_mimebundle_``) : données structurées + aperçu HTML."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        from observatoire.publish.render import block_html

        image, fmt = self.data.get("image"), self.data.get("format")
        if image and fmt in ("png", "svg+xml"):
            # L'image n'est stockée qu'une fois, sous son type MIME (affichée telle quelle
            # par JupyterLab) ; le rendu la relit depuis ce type (clé « image_mime »).
            mime = f"image/{fmt}"
            data = {k: v for k, v in self.data.items() if k != "image"}
            data["image_mime"] = mime
            if fmt == "svg+xml":  # nbformat garde le SVG en texte, pas en base64
                image = base64.b64decode(image).decode("utf-8")
            return {MIME: data, mime: image, "text/plain": _plain(self.data)}
        preview = block_html(self.data, mode="screen")
        return {MIME: self.data, "text/html": preview, "text/plain": _plain(self.data)}

    def __repr__(self) -> str:
        return _plain(self.data)


def _plain(data: dict[str, Any]) -> str:
    kind = data.get("type")
    if kind == "texte":
        return "\n".join(data["paragraphes"])
    if kind == "absent":
        return data["message"]
    if kind in ("figure", "carte"):
        return data["alt"]
    return f"<bloc {kind}>"


def _show(data: dict[str, Any], display: bool) -> Block | None:
    """Affiche le bloc (et renvoie ``None`` : pas de double affichage en fin de cellule)."""
    block = Block(data)
    if not display:
        return block
    from IPython.display import display as ipy_display

    ipy_display(block)
    return None


def meta(
    titre: str,
    *,
    entete: str,
    fictif: bool,
    sous_titre: str = "",
    territoire: str = "",
    display: bool = True,
    **extra: Any,
) -> Block | None:
    """Métadonnées du rapport (titre, en-tête de page du PDF, mention « Données fictives »).

    >>> meta("Tableau de bord — Les Hauts", entete="Les Hauts — 2021", fictif=True, display=False)
    <bloc meta>
    """
    data = {
        "type": "meta",
        "titre": str(titre),
        "entete": str(entete),
        "sous_titre": str(sous_titre),
        "territoire": str(territoire),
        "fictif": bool(fictif),
    }
    data.update({k: _jsonable(v) for k, v in extra.items()})
    return _show(data, display)


def texte(*paragraphes: str, display: bool = True) -> Block | None:
    """Un ou plusieurs paragraphes de texte brut (jamais interprétés comme HTML).

    >>> texte("Première phrase.", "Seconde.", display=False)
    Première phrase.
    Seconde.
    """
    return _show({"type": "texte", "paragraphes": [str(p) for p in paragraphes if p]}, display)


def absent(message: str, *, display: bool = True) -> Block | None:
    """Une phrase qui dit qu'une section n'a pas de données (au lieu d'un graphique vide)."""
    return _show({"type": "absent", "message": str(message)}, display)


def chiffres_cles(
    items: list[tuple[str, str]], *, source: str = "", display: bool = True
) -> Block | None:
    """Chiffres clés (libellé, valeur déjà formatée à la française)."""
    pairs = [[str(label), str(value)] for label, value in items]
    return _show({"type": "chiffres", "items": pairs, "source": str(source)}, display)


def figure(
    fig: Any,
    *,
    alt: str | None = None,
    source: str | None = None,
    legende: str = "",
    display: bool = True,
) -> Block | None:
    """Une figure matplotlib (SVG en ligne), avec texte alternatif et source sous la figure.

    Sans ``alt`` ni ``source``, on reprend ceux posés par les graphiques de
    :mod:`observatoire.views.charts` (``fig.observatoire_alt``, ``fig.observatoire_source``).
    La figure est fermée après conversion (pas de double affichage dans le notebook).
    """
    alt = alt or getattr(fig, "observatoire_alt", "")
    source = source or getattr(fig, "observatoire_source", "")
    if not alt or not alt.strip():
        raise ValueError("une figure doit avoir un texte alternatif (RGAA)")
    data = {
        "type": "figure",
        **({"figure": fig} if _KEEP_FIGURES.get() else {"image": _figure_svg(fig)}),
        "format": "svg+xml",
        "alt": str(alt),
        "legende": str(legende),
        "source": _strip_source(str(source)),
    }
    return _show(data, display)


def _strip_source(text: str) -> str:
    """« Source : INSEE » → « INSEE » (le gabarit ajoute « Source : »)."""
    return text[len("Source :") :].strip() if text.startswith("Source :") else text


def carte(
    interactive: Any,
    static: Any = None,
    *,
    alt: str,
    source: str,
    legende: str = "",
    display: bool = True,
) -> Block | None:
    """Une carte : document HTML interactif hors ligne (écran) + figure statique (PDF).

    ``interactive`` est le document HTML complet de la carte, ou une carte folium de
    :mod:`observatoire.views.maps_interactive` (rendue hors ligne par ``render_html``) ;
    ``static`` une figure matplotlib (facultative).
    """
    if not alt or not alt.strip():
        raise ValueError("une carte doit avoir un texte alternatif (RGAA)")
    if interactive is not None and not isinstance(interactive, str):
        from observatoire.views.maps_interactive import render_html

        interactive = render_html(interactive)
    data: dict[str, Any] = {
        "type": "carte",
        "html": interactive,
        "alt": str(alt),
        "legende": str(legende),
        "source": str(source),
        "image": None,
        "format": "png",
    }
    if static is not None:
        data["image"] = _figure_png(static)
    return _show(data, display)


def tableau(
    frame: pd.DataFrame,
    *,
    legende: str,
    source: str,
    entete_ligne: bool = True,
    display: bool = True,
) -> Block | None:
    """Un tableau à vrais en-têtes (``<th scope>``) ; la 1re colonne sert d'en-tête de ligne.

    Les cellules doivent être déjà formatées à la française ; un nombre brut est mis en
    forme par :func:`observatoire.views.format.format_number`, une valeur absente devient
    « n.d. » (jamais 0).
    """
    from observatoire.views.format import format_number

    def cell(value: Any) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return "n.d."
        if isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value, 0 if float(value).is_integer() else 1)
        return str(value)

    rows = [[cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    numeric = [
        bool(rows) and all(_NUMERIC.match(r[i]) for r in rows) for i in range(len(frame.columns))
    ]
    data = {
        "type": "tableau",
        "colonnes": [str(c) for c in frame.columns],
        "lignes": rows,
        "numeriques": numeric,
        "entete_ligne": bool(entete_ligne),
        "legende": str(legende),
        "source": str(source),
    }
    return _show(data, display)


def provenance(obs: Any, *, display: bool = True, **parametres: Any) -> Block | None:
    """Bloc de provenance : version du paquet, configuration, fichiers et empreintes."""
    from observatoire.publish import credits

    data = {
        "type": "provenance",
        "provenance": _jsonable(credits.provenance(obs)),  # + millésimes lus
        "parametres": {k: _jsonable(v) for k, v in parametres.items()},
        "execution": datetime.now().isoformat(timespec="seconds"),
    }
    return _show(data, display)


def _figure_svg(fig: Any) -> str:
    """SVG (base64) de la figure : texte vectoriel, net à l'écran comme à l'impression.

    Le moteur SVG d'observatoire (:mod:`observatoire.views.svg`) garde les mesures de
    texte en cache : ≈ 3 fois plus rapide qu'un PNG à 144 ppp.
    """
    from observatoire.views.svg import figure_svg

    svg = figure_svg(fig)
    _close(fig)
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _close(fig: Any) -> None:
    """Ferme une figure pyplot (pas de double affichage dans le notebook)."""
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)


def _figure_png(fig: Any, dpi: int = DPI) -> str:
    """PNG (base64) de la figure ; une figure pyplot est fermée (pas de double affichage)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    _close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
