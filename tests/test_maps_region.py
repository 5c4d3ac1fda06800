"""Cartes à l'échelle d'une région : quartiers minuscules dispersés sur ≈ 200 km.

Le territoire fictif de ``tests/fixtures/partiel/region`` (fait par ``fabriquer.py``) :
sept quartiers de ≈ 550 m, trois voisins aux noms longs dans la même commune, un sur
deux communes, une valeur sous secret. On y vérifie ce qu'un élu verrait : des
quartiers colorés (cercles gradués vus de loin, contours en zoomant), un tableau de
bord cadré sur son quartier, des étiquettes lisibles, Leaflet en français.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from browser import chromium, open_offline  # noqa: F401  (fixture pytest)
from matplotlib.text import Text

import observatoire
from observatoire.cli import main
from observatoire.publish.index import write_index
from observatoire.publish.sections.carte import carte
from observatoire.publish.sections.quartier import contexte
from observatoire.views.charts import alt_text, save_figure
from observatoire.views.maps_interactive import save_html
from observatoire.views.maps_scale import lambert, needs_symbols, span

N_QUARTIERS = 7
FILLED = """() => [...document.querySelectorAll('path.leaflet-interactive')].filter(p => {
    const s = getComputedStyle(p), r = p.getBoundingClientRect();
    return s.fill !== 'none' && parseFloat(s.fillOpacity) > 0 && r.width >= 6 && r.height >= 6;
}).map(p => { const r = p.getBoundingClientRect(); return Math.max(r.width, r.height); })"""


@pytest.fixture(scope="module")
def region(fixtures, tmp_path_factory):
    """Copie du territoire régional (le cache ne s'écrit pas dans les fixtures)."""
    work = tmp_path_factory.mktemp("region") / "region"
    shutil.copytree(fixtures / "partiel" / "region", work)
    return work


@pytest.fixture(scope="module")
def obs_region(region):
    return observatoire.open(region / "observatoire.toml")


def test_fixture_a_l_echelle_d_une_region(obs_region):
    contours = lambert(obs_region.contours)
    assert len(contours) == N_QUARTIERS
    assert contours.geometry.area.max() < 400_000  # moins de 0,4 km² chacun
    assert span(tuple(contours.total_bounds)) > 150_000  # dispersés sur plus de 150 km
    assert needs_symbols(contours)


def _map_name(page) -> str:
    return page.evaluate("() => Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k))")


@pytest.mark.browser
def test_carte_du_territoire_cercles_colores_puis_contours_au_zoom(obs_region, chromium, tmp_path):  # noqa: F811
    path = save_html(obs_region.indicateurs.carte("taux_pauvrete"), tmp_path / "territoire.html")
    with open_offline(chromium, path) as opened:
        assert opened.problems == []
        p = opened.page
        sizes = p.evaluate(FILLED)
        assert len(sizes) == N_QUARTIERS  # un cercle coloré et visible par quartier
        assert p.locator("path.obs-na").count() == 1  # le secret reste hachuré
        legend = p.locator(".obs-legende").inner_text()
        assert "un cercle au centre de chaque quartier" in legend
        assert "donnée non disponible (1)" in legend
        # les cercles de la légende ont des tailles croissantes (pas la couleur seule)
        widths = p.locator(".obs-legende .obs-rond").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().width)"
        )
        assert widths[:-1] == sorted(widths[:-1]) and widths[0] < widths[-2]
        # zoomé sur un quartier : son contour (polygone) remplace les cercles
        name = _map_name(p)
        p.evaluate(f"() => window['{name}'].setView([45.80, -22.80], 15, {{animate: false}})")
        p.wait_for_timeout(200)
        sizes = p.evaluate(FILLED)
        assert sizes and max(sizes) > 100  # un quartier de ≈ 550 m fait plus de 100 px
        assert p.locator("path.leaflet-interactive").count() <= N_QUARTIERS


@pytest.mark.browser
def test_controles_leaflet_en_francais(obs_region, chromium, tmp_path):  # noqa: F811
    m = obs_region.indicateurs.carte("taux_pauvrete", tuiles="OpenStreetMap")
    path = save_html(m, tmp_path / "carte.html")
    with open_offline(chromium, path) as opened:
        p = opened.page
        assert p.locator("a.leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
        assert p.locator("a.leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
        attribution = p.locator(".leaflet-control-attribution")
        assert "contributeurs d’OpenStreetMap" in attribution.inner_text()
        prefix = attribution.locator("a").first.get_attribute("title")
        assert prefix == "Bibliothèque JavaScript de cartes interactives"
        body = p.locator("body").inner_html()
        for english in ("Zoom in", "Zoom out", "A JavaScript library", "Close popup"):
            assert english not in body


@pytest.mark.browser
def test_carte_du_tableau_de_bord_cadree_sur_le_quartier(obs_region, chromium, tmp_path):  # noqa: F811
    q = contexte(obs_region, "QN00201A", None)
    [block] = carte(obs_region, q)
    assert "dans sa commune (Brumeville)" in block.data["alt"]
    path = tmp_path / "quartier.html"
    path.write_text(block.data["html"], encoding="utf-8")
    with open_offline(chromium, path) as opened:
        assert opened.problems == []
        p = opened.page
        sizes = p.evaluate(FILLED)
        # les trois quartiers de Brumeville, en contours, pas les quatre quartiers lointains
        assert len(sizes) == 3
        assert min(sizes) > 15  # plus un point perdu dans le département
        assert p.locator("path.leaflet-interactive").count() == 3
        table = p.locator("th[scope=row]").all_inner_texts()
        assert "Plaine des Embruns" not in table and len(table) == 3
        # la commune se voit entière dans le cadre (ses limites en tirets)
        box = p.locator(".folium-map").bounding_box()
        commune = p.locator("path[stroke-dasharray]").first.bounding_box()
        assert commune["x"] >= box["x"] - 1 and commune["y"] >= box["y"] - 1
        assert commune["x"] + commune["width"] <= box["x"] + box["width"] + 1


@pytest.mark.browser
def test_carte_de_l_index_quartiers_colores_et_cliquables(obs_region, chromium, tmp_path):  # noqa: F811
    index = write_index(tmp_path, [], obs_region)
    with open_offline(chromium, index, wait_ms=800) as opened:
        assert opened.problems == []
        frame = [f for f in opened.page.frames if f.url == "about:srcdoc"][0]
        assert len(frame.evaluate(FILLED)) == N_QUARTIERS
        frame.locator("path.leaflet-interactive").first.click(force=True)
        popup = frame.locator(".leaflet-popup-content").inner_text()
        assert "pas de tableau de bord produit" in popup
        close = frame.locator(".leaflet-popup-close-button")
        assert close.get_attribute("aria-label") == "Fermer"


def _label_boxes(fig, names):
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_text() in names]
    return ax, renderer, labels, [Text.get_window_extent(t, renderer) for t in labels]


@pytest.mark.parametrize("size", [(9.0, 7.5), (5.0, 4.0)])
def test_carte_statique_region_etiquettes_sans_chevauchement_ni_legende(obs_region, size):
    from observatoire.views.maps_static import static_map

    api = obs_region.indicateurs
    _lib, _u, annee, data, cls, contours = api._map_inputs("taux_pauvrete", None, 5, "jenks")
    fig = static_map(contours, obs_region.communes_contours, data, cls, titre="Taux (2021)",
                     annee=annee, width=size[0], height=size[1])  # fmt: skip
    names = set(obs_region.quartiers["nom"])
    ax, renderer, labels, boxes = _label_boxes(fig, names)
    legend = ax.get_legend().get_window_extent(renderer)
    frame = ax.get_window_extent(renderer)
    for i, b in enumerate(boxes):
        assert not b.overlaps(legend), labels[i].get_text()
        assert frame.x0 <= b.x0 and b.x1 <= frame.x1, labels[i].get_text()
        for j in range(i + 1, len(boxes)):
            assert not b.overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
    shown = {t.get_text() for t in labels}
    missing = names - shown
    if size == (9.0, 7.5):
        assert missing == set()  # à la taille normale, chaque quartier a son nom
    else:  # petite figure : des étiquettes omises, nommées dans une note et le texte alternatif
        assert missing
        note = [t.get_text() for t in fig.texts if "omise" in t.get_text()]
        assert note and note[0].startswith(f"{len(missing)} étiquette(s) omise(s)")
        assert all(name in alt_text(fig) for name in missing)
    # cercles gradués aux centres : un par quartier
    assert sum(c.get_gid() == "obs-symbole" for c in ax.collections) == N_QUARTIERS


def test_cli_carte_region_svg(region, tmp_path):
    out = tmp_path / "carte.svg"
    assert main(["carte", "taux_pauvrete", "--config", str(region / "observatoire.toml"),
                 "--sortie", str(out)]) == 0  # fmt: skip
    ET.parse(out)  # SVG bien formé
    text = out.read_text(encoding="utf-8")  # textes repris en commentaires par matplotlib
    assert "obs-symbole" in text  # cercles gradués des quartiers
    assert "Les Salines" in text and "cercle au centre du quartier" in text


def test_carte_statique_tableau_de_bord_cadree(obs_region, tmp_path):
    fig = obs_region.indicateurs.carte_statique(
        "taux_pauvrete", surligner="QN00204A", voisinage="QN00204A"
    )
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    assert x1 - x0 < 30_000  # ses deux communes (≈ 20 km), pas la région (≈ 200 km)
    text = alt_text(fig)
    assert "Quartier de la Gare et du Canal" in text and "Les Salines" not in text
    save_figure(fig, tmp_path / "quartier.svg")
