"""Rendu d'un notebook exécuté en HTML autonome (écran) et en PDF A4 (WeasyPrint).

Seuls les blocs de :mod:`observatoire.publish.blocks` et les cellules Markdown sont
publiés : le code, les sorties brutes (avertissements, ``print``) et les cellules
marquées ``remove_cell`` ne le sont pas ; une cellule Markdown marquée ``hide_if_empty``
ne l'est que si la cellule de code suivante affiche au moins un bloc. Tout texte issu des données passe par
l'échappement automatique de Jinja2 ; aucune ressource externe n'est référencée
(CSS en ligne, images en ``data:``, carte interactive dans un ``iframe srcdoc``).

Exemple ::

    nb = nbformat.read("quartiers/QN00001A.ipynb", as_version=4)
    html = render_html(nb)                 # page écran
    pdf = render_pdf(render_html(nb, mode="print"))
"""

from __future__ import annotations

import base64
import re
import unicodedata
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import mistune

from observatoire import __version__
from observatoire.publish.blocks import MIME
from observatoire.views.format import format_date

TEMPLATES = Path(__file__).resolve().parent / "templates"
MODES = ("screen", "print")
_IMAGE_FORMATS = {"svg+xml", "png"}
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")
# Étiquette d'une cellule Markdown (titre de section) publiée seulement si la cellule de
# code qui la suit affiche au moins un bloc : une section sans objet disparaît en entier.
HIDE_IF_EMPTY = "hide_if_empty"


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["image_ok"] = _image_ok
    return env


def _image_ok(block: dict[str, Any]) -> bool:
    image = block.get("image")
    return bool(image) and block.get("format") in _IMAGE_FORMATS and bool(_BASE64.match(image))


def css(mode: str = "screen") -> str:
    """Feuille de style en ligne du rapport (``print`` ajoute la mise en page A4)."""
    text = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    if mode == "print":
        text += "\n" + (TEMPLATES / "print.css").read_text(encoding="utf-8")
    return text


def block_html(block: dict[str, Any], mode: str = "screen") -> str:
    """Fragment HTML d'un bloc (texte échappé, tableaux à en-têtes, figures avec ``alt``)."""
    if mode not in MODES:
        raise ValueError(f"mode inconnu : {mode}")
    macro = _env().get_template("blocks.html").module
    return str(macro.block(block, mode))


# ----------------------------------------------------------------------- markdown


class _HeadingRenderer(mistune.HTMLRenderer):
    """Titres avec ancre (sommaire) ; le HTML brut du Markdown est échappé."""

    def __init__(self) -> None:
        super().__init__(escape=True)
        self.toc: list[tuple[str, str]] = []

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        ident = slugify(re.sub(r"<[^>]+>", "", text)) or f"section-{len(self.toc) + 1}"
        if level == 2:
            self.toc.append((ident, text))
        return f'<h{level} id="{ident}">{text}</h{level}>\n'


def slugify(text: str) -> str:
    """Identifiant d'ancre ASCII : ``Écarts aux territoires`` → ``ecarts-aux-territoires``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ----------------------------------------------------------------------- notebook


def _cell_tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def collect(nb: Any) -> tuple[dict[str, Any], list[tuple[str, Any]], list[tuple[str, str]]]:
    """Parcourt le notebook : (méta, éléments ``("html", str)``/``("bloc", dict)``, sommaire)."""
    renderer = _HeadingRenderer()
    markdown = mistune.create_markdown(renderer=renderer, plugins=["table", "strikethrough"])
    meta: dict[str, Any] = {}
    items: list[tuple[str, Any]] = []
    pending: Any = None  # cellule Markdown « hide_if_empty » en attente de sa cellule de code
    for cell in nb.cells:
        tags = _cell_tags(cell)
        if "remove_cell" in tags or "parameters" in tags or "injected-parameters" in tags:
            continue
        if cell.cell_type == "markdown":
            if pending is not None:
                items.append(("html", str(markdown(pending.source))))
            pending = cell if HIDE_IF_EMPTY in tags else None
            if pending is None:
                items.append(("html", str(markdown(cell.source))))
        elif cell.cell_type == "code":
            shown = [o for o in cell.get("outputs", []) if _block_of(o) is not None]
            if (
                pending is not None and shown
            ):  # titre publié seulement si la section dit quelque chose
                items.append(("html", str(markdown(pending.source))))
            pending = None
            for output in cell.get("outputs", []):
                data = output.get("data", {}) if output.get("output_type") != "stream" else {}
                block = data.get(MIME)
                if not isinstance(block, dict):
                    continue
                mime = block.get("image_mime")
                if mime in ("image/png", "image/svg+xml"):
                    block = dict(block, image=_image_b64(mime, data.get(mime)))
                if block.get("type") == "meta":
                    meta = block
                else:
                    items.append(("bloc", block))
    if pending is not None:
        items.append(("html", str(markdown(pending.source))))
    return meta, items, renderer.toc


def _block_of(output: Any) -> dict[str, Any] | None:
    """Bloc d'observatoire d'une sortie de cellule (hors bloc méta), sinon ``None``."""
    data = output.get("data", {}) if output.get("output_type") != "stream" else {}
    block = data.get(MIME)
    return block if isinstance(block, dict) and block.get("type") != "meta" else None


def _image_b64(mime: str, value: Any) -> str | None:
    """Image d'une sortie de notebook en base64 (le SVG y est gardé en texte)."""
    if isinstance(value, list):  # nbformat peut découper les chaînes longues
        value = "".join(value)
    if not isinstance(value, str):
        return None
    if mime == "image/svg+xml":
        return base64.b64encode(value.encode("utf-8")).decode("ascii")
    return value


def render_html(nb: Any, mode: str = "screen", *, generated: datetime | None = None) -> str:
    """Page HTML autonome (``lang="fr"``) d'un notebook exécuté ; ``mode="print"`` pour le PDF."""
    if mode not in MODES:
        raise ValueError(f"mode inconnu : {mode}")
    meta, items, toc = collect(nb)
    provenance = [b for kind, b in items if kind == "bloc" and b.get("type") == "provenance"]
    body = [item for item in items if not (item[0] == "bloc" and item[1] in provenance)]
    generated = generated or datetime.now()
    producteur, mention = declared_credits(meta, provenance[-1] if provenance else None)
    return (
        _env()
        .get_template("report.html")
        .render(
            mode=mode,
            producteur=producteur,
            mention=mention,
            css=css(mode),
            meta=meta,
            titre=meta.get("titre") or "Rapport observatoire",
            fictif=bool(meta.get("fictif")),
            items=body,
            toc=toc,
            provenance=provenance[-1] if provenance else None,
            generation=f"{format_date(generated)} à {generated:%H:%M}",
            version=__version__,
        )
    )


def declared_credits(meta: dict[str, Any], provenance: dict[str, Any] | None) -> tuple[str, str]:
    """(``[territoire] producteur``, ``mention``) du rapport : bloc méta, sinon provenance.

    Chaînes vides quand rien n'est déclaré (le gabarit n'affiche alors aucune étiquette).
    """
    from observatoire.publish.credits import clean

    declared = (provenance or {}).get("provenance") or {}
    producteur = clean(meta.get("producteur")) or clean(declared.get("producteur"))
    mention = clean(meta.get("mention")) or clean(declared.get("mention"))
    return producteur, mention


# ----------------------------------------------------------------------- PDF


def render_pdf(html: str) -> bytes:
    """PDF A4 d'une page rendue avec ``mode="print"`` (aucune ressource externe)."""
    import logging

    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # Seules les ressources « data: » sont lues : jamais de réseau ni de fichier local.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()
