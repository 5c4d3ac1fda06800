"""Hors ligne et autonome : chaque rapport HTML et chaque carte s'ouvre réseau coupé.

Sur les sorties réelles d'``observatoire rapports`` (tableaux de bord, rapport
d'évaluation, page d'index) et d'``observatoire carte`` (HTML), ouvertes dans
Chromium headless où toute requête autre que ``file:``/``data:`` est refusée : aucune
requête refusée, aucune erreur de console ni de page, la carte est dessinée (des
quartiers de taille réelle, pas réduits à un point) et chaque figure est chargée.
"""

from __future__ import annotations

import re

import pytest
from browser import chromium, open_offline  # noqa: F401  (fixture pytest)
from fiabilite_outils import hostile_run

pytestmark = pytest.mark.browser

PAGES = {
    # page : (a une carte interactive, nombre minimal de figures)
    "quartiers/QN00001A.html": (True, 3),
    "quartiers/QN00002A.html": (True, 3),
    "quartiers/QN00003A.html": (True, 3),
    "evaluation": (False, 2),
    "index.html": (True, 0),
    "cartes/taux_pauvrete.html": (True, 0),
}
# Ressource chargée depuis le réseau écrite en dur dans la page (src/href http(s) ou //).
REMOTE = re.compile(
    r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", re.I
)

MAPS = """() => [...document.querySelectorAll('.folium-map')].map(m => {
    const shapes = [...m.querySelectorAll('path.leaflet-interactive')]
        .map(p => p.getBoundingClientRect());
    return {n: shapes.length, biggest: Math.max(0, ...shapes.map(r => Math.max(r.width, r.height)))};
})"""
FIGURES = """() => [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0,
    alt: i.getAttribute('alt'), data: i.src.startsWith('data:')}))"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return hostile_run(tmp_path_factory)


def test_every_html_output_is_covered(run):
    listed = {run.page(p).resolve() for p in PAGES}
    produced = {p.resolve() for p in run.out.rglob("*.html")}
    assert produced and produced <= listed, sorted(map(str, produced - listed))


@pytest.mark.parametrize("rel", list(PAGES))
def test_page_opens_offline_with_its_map_and_figures(rel, run, chromium):  # noqa: F811
    has_map, min_figures = PAGES[rel]
    path = run.page(rel)
    source = path.read_text(encoding="utf-8")
    assert not REMOTE.search(source), REMOTE.search(source).group(0)
    with open_offline(chromium, path, wait_ms=800) as opened:
        page = opened.page
        for frame in page.frames:  # la carte d'un rapport est dans un <iframe srcdoc>
            if frame is not page.main_frame:
                frame.frame_element().scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        maps = [m for f in page.frames for m in f.evaluate(MAPS)]
        figures = page.main_frame.evaluate(FIGURES)
        assert opened.problems == [], opened.problems
    if has_map:
        assert maps, "aucune carte dans la page"
        for drawn in maps:
            assert drawn["n"] >= 1, "carte sans quartier dessiné"
            assert drawn["biggest"] > 20, f"quartiers réduits à un point : {drawn}"
    assert len(figures) >= min_figures, figures
    for figure in figures:
        assert figure["ok"] and figure["data"], figure
        assert figure["alt"], "figure sans texte alternatif"


def test_index_links_point_to_existing_reports(run):
    index = (run.out / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#:]+\.(?:html|pdf))"', index))
    assert {f"quartiers/{c}.html" for c in ("QN00001A", "QN00002A", "QN00003A")} <= links
    for link in links:
        assert (run.out / link).is_file(), link
