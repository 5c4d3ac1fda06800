"""Texte hostile : tout libellé venant des données est rendu comme TEXTE, jamais exécuté.

Un petit territoire fictif (démo à 3 quartiers) reçoit des noms de quartiers, un nom
de territoire, des intitulés d'actions, des porteurs et des libellés d'événements qui
contiennent ``<script>``, ``"><img src=x onerror=…>``, des liens ``javascript:``, des
caractères spéciaux Markdown/LaTeX, des chemins et une très longue chaîne. On produit
les vrais rapports (``observatoire rapports``, HTML et PDF), la page d'index et une
carte (``observatoire carte``), puis on les ouvre dans Chromium headless : aucune
boîte de dialogue, aucune erreur JavaScript, aucun élément injecté — y compris après
survol de chaque quartier des cartes folium (infobulles) — et le texte hostile se lit
tel quel à l'écran et dans le PDF (pdftotext).
"""

from __future__ import annotations

import re
import subprocess

import nbformat
import pandas as pd
import pytest
from browser import chromium, open_offline  # noqa: F401  (fixture pytest)
from fiabilite_outils import HOSTILE, MARKER, hostile_run
from playwright.sync_api import Error as PlaywrightError

from observatoire.publish import blocks
from observatoire.publish.render import render_html, render_pdf

pytestmark = pytest.mark.browser

PAGES = [
    "quartiers/QN00001A.html",
    "quartiers/QN00002A.html",
    "quartiers/QN00003A.html",
    "evaluation",
    "index.html",
    "cartes/taux_pauvrete.html",
]
# Éléments qu'une injection réussie ferait apparaître dans le DOM.
INJECTED = (
    'img[src="x"], [onerror], [onmouseover], [onclick], a[href^="javascript:" i], '
    'iframe[src^="javascript:" i], b[onmouseover]'
)
SCRIPTS_WITH_MARKER = f"""() => [...document.scripts]
    .filter(s => !s.type || s.type.includes('javascript'))
    .filter(s => /<\\/?script>|alert\\(/.test(s.textContent) && s.textContent.includes('{MARKER}')
                 && !s.textContent.includes('\\\\u003c') && !s.textContent.includes('&lt;'))
    .length"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return hostile_run(tmp_path_factory)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _dom_report(frame) -> dict:
    return frame.evaluate(
        f"""() => ({{
            injected: [...document.querySelectorAll({INJECTED!r})].map(e => e.outerHTML.slice(0, 120)),
            text: document.body ? document.body.innerText : ''
        }})"""
    )


def test_hostile_batch_completes_without_traceback(run):
    assert "Traceback" not in run.outputs, run.outputs
    assert "[code 0]" in run.outputs and "[code 1]" not in run.outputs, run.outputs
    for page in PAGES:
        assert run.page(page).exists(), f"{page} absent :\n{run.outputs}"


@pytest.mark.parametrize("rel", PAGES)
def test_page_shows_hostile_text_as_text(rel, run, chromium):  # noqa: F811
    path = run.page(rel)
    tooltips: list[str] = []
    with open_offline(chromium, path, wait_ms=500) as opened:
        page = opened.page
        frames = [f for f in page.frames if not f.is_detached()]
        # survol de chaque quartier de chaque carte : les infobulles s'ouvrent
        for frame in frames:
            shapes = frame.locator("path.leaflet-interactive")
            for i in range(shapes.count()):
                try:
                    shapes.nth(i).hover(force=True, timeout=5000)
                except PlaywrightError:  # quartier hors du cadre de la carte : pas survolable
                    continue
                page.wait_for_timeout(50)
                tooltips += frame.evaluate(
                    "() => [...document.querySelectorAll('.leaflet-tooltip')].map(e => e.innerText)"
                )
        reports = [_dom_report(f) for f in frames if not f.is_detached()]
        scripts = [f.evaluate(SCRIPTS_WITH_MARKER) for f in frames if not f.is_detached()]
        assert opened.dialogs == [], f"script exécuté : {opened.dialogs}"
        assert opened.page_errors == [], opened.page_errors
        assert opened.console_errors == [], opened.console_errors
    for report in reports:
        assert report["injected"] == [], f"élément injecté : {report['injected']}"
    assert scripts == [0] * len(scripts), "libellé hostile interprété comme script"
    visible = "\n".join(r["text"] for r in reports) + "\n" + "\n".join(tooltips)
    # pas d'échappement visible (double échappement) : le texte se lit tel qu'il a été saisi
    assert "&lt;" not in visible and "&amp;" not in visible and "&#" not in visible
    expected = [HOSTILE["territoire"][:40]] if rel != "cartes/taux_pauvrete.html" else []
    if rel.startswith("quartiers/"):
        code = rel.split("/")[1].removesuffix(".html")
        expected.append(HOSTILE[code][:60])
    if rel in ("index.html", "cartes/taux_pauvrete.html"):
        expected += [HOSTILE[c][:60] for c in ("QN00001A", "QN00002A")]
    for text in expected:
        assert _flat(text) in _flat(visible), f"« {text} » n'est pas affiché tel quel"
    if rel != "evaluation":
        assert tooltips, "aucune infobulle de carte ouverte au survol"
        assert any(MARKER in t for t in tooltips), tooltips


@pytest.mark.parametrize("code", ["QN00001A", "QN00002A", "QN00003A"])
def test_pdf_shows_hostile_names_as_text(code, run):
    pdf = run.out / "quartiers" / f"{code}.pdf"
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert _flat(HOSTILE[code][:60]) in _flat(text)
    assert _flat(HOSTILE["territoire"][:40]) in _flat(text)
    assert "&lt;" not in text and "&amp;" not in text


def test_evaluation_pdf_shows_territory_name_as_text(run):
    pdf = next((run.out / "evaluation").glob("contrat-de-ville-*.pdf"))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert _flat(HOSTILE["territoire"]) in _flat(text)
    assert "&lt;" not in text


def test_hostile_labels_really_reached_the_tables(run):
    """Garde-fou : les libellés hostiles sont bien entrés dans les tables canoniques."""
    import observatoire

    obs = observatoire.open(run.config)
    assert obs.actions["intitule"].eq(HOSTILE["intitule"]).any()
    assert obs.actions["porteur"].eq(HOSTILE["porteur"]).any()
    titles = set(obs.evenements["titre"].astype(str))
    assert {HOSTILE["evenement"], HOSTILE["decidim"]} <= titles
    assert set(obs.quartiers["nom"]) >= {HOSTILE["QN00001A"], HOSTILE["QN00002A"]}


# ------------------------------------------------------------------ blocs de rapport


def _hostile_notebook() -> nbformat.NotebookNode:
    """Un notebook exécuté dont les blocs portent actions, porteurs et événements hostiles."""
    actions = pd.DataFrame(
        {
            "Intitulé": [HOSTILE["intitule"], "Action" + " très longue" * 60],
            "Porteur": [HOSTILE["porteur"], HOSTILE["QN00003A"]],
            "Montant": ["1 000 €", "2 000 €"],
        }
    )
    shown = [
        blocks.meta(HOSTILE["territoire"], entete=HOSTILE["QN00001A"], fictif=True, display=False),
        blocks.texte(HOSTILE["evenement"], HOSTILE["decidim"], display=False),
        blocks.chiffres_cles(
            [(HOSTILE["QN00002A"], "12 %")], source=HOSTILE["porteur"], display=False
        ),
        blocks.tableau(
            actions, legende=HOSTILE["QN00001A"], source=HOSTILE["intitule"], display=False
        ),
        blocks.absent(HOSTILE["QN00003A"], display=False),
    ]
    outputs = []
    for block in shown:
        bundle = block._repr_mimebundle_()
        outputs.append(nbformat.v4.new_output("display_data", data=bundle))
    cell = nbformat.v4.new_code_cell("", outputs=outputs)
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Actions"), cell])


def test_report_blocks_render_actions_porteurs_and_events_as_text(tmp_path, chromium):  # noqa: F811
    nb = _hostile_notebook()
    page = tmp_path / "rapport.html"
    page.write_text(render_html(nb), encoding="utf-8")
    with open_offline(chromium, page) as opened:
        report = _dom_report(opened.page)
        assert opened.problems == []
    assert report["injected"] == []
    for key in ("intitule", "porteur", "evenement", "decidim", "QN00002A"):
        assert _flat(HOSTILE[key]) in _flat(report["text"]), key
    assert "&lt;" not in report["text"]
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(render_pdf(render_html(nb, mode="print")))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for key in ("intitule", "porteur", "evenement"):
        assert _flat(HOSTILE[key]) in _flat(text), key
