"""Ressources web embarquées pour les cartes hors ligne (Leaflet du paquet xstatic-leaflet).

Aucune ressource n'est chargée depuis un CDN : le JavaScript et la feuille de style
de Leaflet sont lus dans le paquet ``xstatic-leaflet`` installé et insérés dans la
page ; les images référencées par la feuille de style deviennent des URI ``data:``.

Exemple ::

    head = leaflet_head()      # '<style>…</style><script>…</script>'
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path


def leaflet_dir() -> Path:
    """Dossier des fichiers de Leaflet fournis par ``xstatic-leaflet``."""
    import xstatic.pkg.leaflet as xleaflet

    return Path(xleaflet.BASE_DIR)


def leaflet_version() -> str:
    import xstatic.pkg.leaflet as xleaflet

    return str(xleaflet.VERSION)


@cache
def leaflet_js() -> str:
    """Code de ``leaflet.js`` (sans la ligne sourceMappingURL, qui déclencherait une requête)."""
    text = (leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=.*", "", text)


@cache
def leaflet_css() -> str:
    """Feuille de style de Leaflet, images intégrées en ``data:``."""
    base = leaflet_dir()
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        target = base / match.group(1)
        if not target.exists():
            return "none"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[^)]+\.png)\)", inline, css)
    return css.replace("behavior: url(#default#VML);", "")


def leaflet_head() -> str:
    """Fragment HTML à placer dans ``<head>`` : Leaflet complet, en ligne."""
    js = leaflet_js().replace("</script", "<\\/script")
    return f"<style>{leaflet_css()}</style>\n<script>{js}</script>"
