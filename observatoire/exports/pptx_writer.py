"""Écriture d'un :class:`~observatoire.exports.slides.Deck` en PPTX 16:9 (python-pptx).

Modèle propre par défaut (fond blanc, titres bleu nuit, pied gris foncé : contrastes
≥ 4,5:1) ; ou le gabarit de la collectivité (``[rapports] modele_diaporama``) dont on
reprend le masque, le thème et les dispositions « Titre » et « Titre seul ». Chaque
image porte son texte alternatif (attribut ``descr``), chaque diapositive un vrai titre
(lu par les lecteurs d'écran) et sa source en pied ; le texte est marqué en français.

Exemple ::

    data = deck_bytes(deck, template=None)       # octets du fichier .pptx
"""

from __future__ import annotations

import io
import weakref
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Inches, Pt

from observatoire.errors import ConfigError
from observatoire.exports.slides import Deck, Slide, Visual

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
DPI = 150  # images : ≈ 1 200 pixels pour une figure sur 60 % de la largeur (vidéoprojecteur)
NAVY, GREY, ACCENT = (
    RGBColor(0x1F, 0x3A, 0x5F),
    RGBColor(0x40, 0x40, 0x40),
    RGBColor(0xB3, 0x3C, 0x00),
)
MARGIN = Inches(0.5)
FOOTER_TOP = HEIGHT - Inches(0.62)
MAX_ROWS = 8
SOURCE_SHAPE, PAGE_SHAPE = "Source", "Pied de page"
_PNG: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
A_SAVOIR = "À savoir : ce que les données ne permettent pas de montrer"


def open_template(path: Path | None) -> Any:
    """Présentation vide : gabarit de la collectivité (sans ses diapositives) ou modèle propre."""
    if path is None:
        prs = Presentation()
        factor = WIDTH / prs.slide_width  # modèle intégré en 4:3 : masque élargi en 16:9
        for shape in [
            *prs.slide_master.shapes,
            *(s for lay in prs.slide_layouts for s in lay.shapes),
        ]:
            if shape.left is not None:
                shape.left, shape.width = int(shape.left * factor), int(shape.width * factor)
        prs.slide_width, prs.slide_height = WIDTH, HEIGHT
        return prs
    try:
        prs = Presentation(str(path))
    except Exception as exc:  # fichier corrompu, pas un PPTX
        raise ConfigError(
            f"Modèle de diaporama illisible : {path} ([rapports] modele_diaporama) — "
            f"attendu : un fichier PowerPoint .pptx ({type(exc).__name__})."
        ) from None
    ratio = prs.slide_width / prs.slide_height
    if abs(ratio - 16 / 9) > 0.01:
        cm = f"{prs.slide_width / 360000:.2f} × {prs.slide_height / 360000:.2f} cm".replace(
            ".", ","
        )
        raise ConfigError(
            f"Modèle de diaporama au mauvais format : {path} ([rapports] modele_diaporama) — "
            f"valeur trouvée : {cm} ; attendu : 16:9 (par exemple 33,87 × 19,05 cm)."
        )
    ids = prs.slides._sldIdLst  # le gabarit peut contenir des diapositives d'exemple
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)
    return prs


def _layouts(prs: Any) -> tuple[Any, Any]:
    """Dispositions « titre » (titre centré + sous-titre) et « titre seul » du masque."""

    def kinds(layout: Any) -> list[Any]:
        return [p.placeholder_format.type for p in layout.placeholders]

    layouts = list(prs.slide_layouts)
    title = next((lay for lay in layouts if PP_PLACEHOLDER.CENTER_TITLE in kinds(lay)), layouts[0])
    footer_kinds = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
    with_title = [lay for lay in layouts if PP_PLACEHOLDER.TITLE in kinds(lay)] or layouts
    content = min(with_title, key=lambda lay: len(set(kinds(lay)) - footer_kinds))
    return title, content


def _clear_placeholders(slide: Any, keep: tuple[Any, ...]) -> None:
    """Retire les espaces réservés vides (« Cliquez pour ajouter… ») sauf ceux de ``keep``."""
    for ph in list(slide.placeholders):
        if ph.placeholder_format.type not in keep:
            ph._element.getparent().remove(ph._element)


def _style(run: Any, size: float, color: RGBColor | None = GREY, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.language_id = MSO_LANGUAGE_ID.FRENCH
    if color is not None:
        run.font.color.rgb = color


def _text_box(slide: Any, box: tuple, lines: list[str], size: float, **style: Any) -> Any:
    shape = slide.shapes.add_textbox(*box)
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # réduit le texte s'il déborde (à l'édition)
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.space_after = Pt(size * 0.45)
        _style(p.add_run(), size, **style)
        p.runs[0].text = line
    return shape


def _set_title(slide: Any, text: str, default: bool, box: tuple | None = None) -> None:
    title = slide.shapes.title
    title.text = text
    for p in title.text_frame.paragraphs:
        for run in p.runs:
            run.font.language_id = MSO_LANGUAGE_ID.FRENCH
            if default:
                _style(run, 28, NAVY, bold=True)
        if default:
            p.alignment = PP_ALIGN.LEFT
    if default and box is not None:
        title.left, title.top, title.width, title.height = box


def _footer(slide: Any, source: str, credit: str, page: str, prs: Any) -> None:
    """Pied : « Source : … » (et le crédit déclaré) à gauche, numéro de page à droite."""
    width, top = prs.slide_width, prs.slide_height - Inches(0.62)
    src = _text_box(
        slide, (MARGIN, top, int(width * 0.84), Inches(0.55)), [f"Source : {source}"], 9
    )
    src.name = SOURCE_SHAPE
    if credit:
        p = src.text_frame.add_paragraph()
        _style(p.add_run(), 8)
        p.runs[0].text = credit
    right = MARGIN + int(width * 0.84)
    pied = _text_box(slide, (right, top, width - right - MARGIN, Inches(0.4)), [page], 9)
    pied.name = PAGE_SHAPE
    for p in pied.text_frame.paragraphs:
        p.alignment = PP_ALIGN.RIGHT


def _picture(slide: Any, visual: Visual, box: tuple) -> Any:
    """Image PNG de la figure, ajustée et centrée dans ``box``, avec son alternative."""
    from observatoire.views.charts import figure_bytes

    left, top, width, height = box
    w_in, h_in = visual.figure.get_size_inches()
    scale = min(width / w_in, height / h_in)
    w, h = int(w_in * scale), int(h_in * scale)
    data = _PNG.get(visual.figure)
    if data is None:  # une figure partagée (euros par habitant) n'est dessinée qu'une fois
        data = _PNG[visual.figure] = figure_bytes(visual.figure, "png", dpi=DPI)
    pic = slide.shapes.add_picture(
        io.BytesIO(data), left + (width - w) // 2, top + (height - h) // 2, w, h
    )
    pic.name = visual.titre[:120]
    pic._element.nvPicPr.cNvPr.set("descr", visual.alt)  # texte alternatif (RGAA)
    pic._element.nvPicPr.cNvPr.set("title", visual.titre)
    return pic


def _table(slide: Any, data: dict, box: tuple) -> None:
    columns, rows = data["colonnes"], data["lignes"][:MAX_ROWS]
    left, top, width, _height = box
    shape = slide.shapes.add_table(
        len(rows) + 1, len(columns), left, top, width, Inches(0.3) * (len(rows) + 1)
    )
    table = shape.table
    table.first_row = True  # vraie ligne d'en-tête
    for j, name in enumerate(columns):
        _cell(table.cell(0, j), name, bold=True)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            _cell(table.cell(i, j), value, align_right=bool(data["numeriques"][j]))
    shape.name = data.get("legende") or "Tableau"
    if len(data["lignes"]) > MAX_ROWS:
        more = len(data["lignes"]) - MAX_ROWS
        note = f"{more} autre(s) ligne(s) : voir l'export des tableaux (observatoire exporter tableaux)."
        _text_box(
            slide,
            (left, top + Inches(0.3) * (len(rows) + 1) + Inches(0.05), width, Inches(0.4)),
            [note],
            10,
        )


def _cell(cell: Any, text: str, bold: bool = False, align_right: bool = False) -> None:
    cell.text = str(text)
    for p in cell.text_frame.paragraphs:
        if align_right:
            p.alignment = PP_ALIGN.RIGHT
        for run in p.runs:
            _style(run, 12, None, bold=bold)


def _tiles(slide: Any, items: list[tuple[str, str]], box: tuple) -> None:
    """Chiffres clés : valeur en grand, libellé dessous, deux colonnes."""
    left, top, width, height = box
    rows = (len(items) + 1) // 2
    cell_w, cell_h = width // 2, min(height // max(rows, 1), Inches(1.35))
    for k, (label, value) in enumerate(items):
        x, y = left + (k % 2) * cell_w, top + (k // 2) * cell_h
        shape = _text_box(
            slide, (x, y, cell_w - Inches(0.15), cell_h), [value], 26, color=NAVY, bold=True
        )
        p = shape.text_frame.add_paragraph()
        _style(p.add_run(), 12, GREY)
        p.runs[0].text = label
        shape.name = f"Chiffre clé : {label}"


def _content_top(slide: Any, default: bool) -> int:
    if default:
        return Inches(1.35)
    title = slide.shapes.title
    bottom = (title.top or 0) + (title.height or 0)
    return max(Inches(1.1), min(int(bottom) + Inches(0.15), Inches(2.2)))


def _fill(slide: Any, s: Slide, prs: Any, default: bool) -> None:
    top = _content_top(slide, default)
    width = prs.slide_width - 2 * MARGIN
    height = (prs.slide_height - Inches(0.7)) - top
    side = bool(s.paragraphes or s.chiffres or s.tableau)
    n = len(s.visuels)
    if n >= 2:  # deux figures côte à côte, le texte en dessous
        text_h = Inches(0.9) if s.paragraphes else 0
        each = (width - Inches(0.2)) // 2
        for k, visual in enumerate(s.visuels[:2]):
            _picture(slide, visual, (MARGIN + k * (each + Inches(0.2)), top, each, height - text_h))
        if text_h:
            _text_box(slide, (MARGIN, top + height - text_h, width, text_h), s.paragraphes[:1], 13)
        return
    col = MARGIN
    if n == 1:
        fig_w = int(width * (0.6 if side else 1.0))
        _picture(slide, s.visuels[0], (MARGIN, top, fig_w, height))
        col = MARGIN + fig_w + Inches(0.25)
    col_w = prs.slide_width - MARGIN - col
    y = top
    if s.chiffres:
        tiles_h = min(height, Inches(1.35) * ((len(s.chiffres) + 1) // 2))
        _tiles(slide, s.chiffres, (col, y, col_w, tiles_h))
        y += tiles_h + Inches(0.1)
    if s.paragraphes:
        room = Inches(0.3) * (len(s.tableau["lignes"][:MAX_ROWS]) + 2) if s.tableau else 0
        text_h = max(Inches(0.6), top + height - y - room)
        size = _text_size(s.paragraphes, col_w, text_h)
        _text_box(slide, (col, y, col_w, text_h), s.paragraphes, size)
        y += text_h
    if s.tableau:
        _table(slide, s.tableau, (col, y, col_w, top + height - y))


def _text_size(lines: list[str], width: int, height: int) -> float:
    """Taille de police (points) pour que ``lines`` tiennent dans la boîte (estimation)."""
    chars = sum(len(line) + 40 for line in lines)
    for size in (18, 16, 14, 13, 12, 11, 10):
        per_line = (width / 12700) / (size * 0.5)  # largeur d'un caractère ≈ 0,5 em
        needed = chars / max(per_line, 1) * size * 1.5 * 12700
        if needed <= height:
            return size
    return 10


def deck_bytes(deck: Deck, template: Path | None = None) -> bytes:
    """Le diaporama en PPTX (octets) : page de titre, diapositives, « À savoir »."""
    prs = open_template(template)
    default = template is None
    title_layout, content_layout = _layouts(prs)
    total = 1 + len(deck.slides) + (1 if deck.absents else 0)
    fictif = " — Données fictives" if deck.fictif else ""

    def page(n: int) -> str:
        return f"{n} / {total}"

    first = prs.slides.add_slide(title_layout)
    _clear_placeholders(
        first, (PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.SUBTITLE)
    )
    _set_title(
        first, deck.titre, default, (MARGIN, Inches(1.6), prs.slide_width - 2 * MARGIN, Inches(1.4))
    )
    lines = [
        deck.sous_titre,
        deck.territoire,
        _millesime(deck) + f" — diaporama du {deck.date_texte}",
    ]
    subtitle = next(
        (p for p in first.placeholders if p.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE),
        None,
    )
    if subtitle is not None and not default:
        subtitle.text = "\n".join(lines)
        for p in subtitle.text_frame.paragraphs:
            for run in p.runs:
                run.font.language_id = MSO_LANGUAGE_ID.FRENCH
    else:
        if subtitle is not None:
            subtitle._element.getparent().remove(subtitle._element)
        _text_box(
            first, (MARGIN, Inches(3.1), prs.slide_width - 2 * MARGIN, Inches(1.8)), lines, 18
        )
    if deck.fictif:
        band = _text_box(first, (MARGIN, Inches(5.2), prs.slide_width - 2 * MARGIN, Inches(0.7)),
                         ["Données fictives"], 24, color=ACCENT, bold=True)  # fmt: skip
        band.name = "Données fictives"
    _footer(first, deck.source_titre, deck.credit, page(1), prs)
    for n, s in enumerate(deck.slides, start=2):
        slide = prs.slides.add_slide(content_layout)
        _clear_placeholders(slide, (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE))
        _set_title(
            slide,
            s.titre,
            default,
            (MARGIN, Inches(0.35), prs.slide_width - 2 * MARGIN, Inches(0.9)),
        )
        _fill(slide, s, prs, default)
        _footer(slide, s.source, deck.credit, page(n), prs)
        if s.notes:
            slide.notes_slide.notes_text_frame.text = "\n".join(s.notes)
    if deck.absents:
        slide = prs.slides.add_slide(content_layout)
        _clear_placeholders(slide, (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE))
        _set_title(
            slide,
            A_SAVOIR,
            default,
            (MARGIN, Inches(0.35), prs.slide_width - 2 * MARGIN, Inches(0.9)),
        )
        top = _content_top(slide, default)
        box = (MARGIN, top, prs.slide_width - 2 * MARGIN, prs.slide_height - Inches(0.8) - top)
        _text_box(slide, box, deck.absents, _text_size(deck.absents, box[2], box[3]))
        _footer(slide, deck.absents_source or deck.source_titre, deck.credit, page(total), prs)
    props = prs.core_properties
    props.title = f"{deck.titre} — {deck.territoire}{fictif}"[:250]
    props.subject = deck.sous_titre[:250]
    props.author = deck.credit or "observatoire"
    props.language = "fr-FR"
    props.keywords = "politique de la ville; QPV" + ("; données fictives" if deck.fictif else "")
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _millesime(deck: Deck) -> str:
    return (
        f"Indicateurs au millésime {deck.millesime}"
        if deck.millesime
        else "Millésime non disponible"
    )
