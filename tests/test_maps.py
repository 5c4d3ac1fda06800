"""Cartes : classes, carte statique (PNG 300 dpi, SVG, PDF), carte HTML hors ligne dans Chromium."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import pytest
from browser import chromium, open_offline  # noqa: F401  (fixture pytest)
from matplotlib.text import Text
from PIL import Image
from shapely.geometry import box

from observatoire.cli import main
from observatoire.views.charts import alt_text, save_figure
from observatoire.views.maps_interactive import interactive_map, save_html
from observatoire.views.maps_static import static_map
from observatoire.views.palette import NA_COLOR, classify

EVIL = '<img src=x onerror=alert("infobulle")></script><script>alert("nom")</script>'


def small_territory():
    """Trois quartiers carrés faits main en plein océan (Lambert-93), dont un au nom piégé."""
    x, y = 60_000, 6_560_000  # au large de la Bretagne : aucun lieu réel
    contours = gpd.GeoDataFrame(
        {"code": ["QN00001A", "QN00002A", "QN00003A"], "nom": ["Les Tilleuls", EVIL, "Le Moulin"],
         "generation": [2024] * 3},
        geometry=[box(x, y, x + 800, y + 800), box(x + 1200, y, x + 2000, y + 700),
                  box(x + 300, y + 1200, x + 1100, y + 2000)],
        crs=2154,
    )  # fmt: skip
    communes = gpd.GeoDataFrame(
        {"code": ["00101", "00102"], "nom": ["Bourg-Fictif", "Val-Fictif"]},
        geometry=[
            box(x - 500, y - 500, x + 1000, y + 2500),
            box(x + 1000, y - 500, x + 2500, y + 2500),
        ],
        crs=2154,
    )
    data = pd.DataFrame(
        {"code": ["QN00001A", "QN00002A", "QN00003A"], "nom": ["Les Tilleuls", EVIL, "Le Moulin"],
         "valeur": [12.5, None, 40.0], "statut": ["ok", "secret", "ok"]}
    )  # fmt: skip
    return contours, communes, data


def test_classes_francaises_et_non_disponible_hors_classes():
    values = pd.Series([10.0, 12.0, 30.0, 31.0, 50.0, None])
    classes = classify(values, k=3, methode="jenks", unite="%")
    assert classes.bounds == [10.0, 12.0, 31.0, 50.0]
    assert classes.labels[0] == "de 10,0\u00a0% à 12,0\u00a0%"
    assert classes.labels[1].startswith("plus de 12,0\u00a0%")
    assert classes.counts == [2, 2, 1]
    # une valeur manquante n'est jamais colorée comme la classe la plus basse
    assert classes.color_of(float("nan")) == NA_COLOR != classes.colors[0]
    assert classify(values, k=4, methode="quantiles").k == 4
    eq = classify(values, k=2, methode="egal")
    assert eq.bounds == [10.0, 30.0, 50.0]


def test_carte_statique_formats(tmp_path):
    contours, communes, data = small_territory()
    classes = classify(data["valeur"], k=2, unite="%")
    fig = static_map(contours, communes, data, classes, titre="Taux de pauvreté (2021)",
                     source="INSEE", annee=2021, fictif=True)  # fmt: skip
    text = alt_text(fig)
    assert "donnée non disponible (gris hachuré) : " + EVIL in text
    png = save_figure(fig, tmp_path / "carte.png")
    dpi = Image.open(png).info["dpi"]
    assert round(dpi[0]) == 300 and round(dpi[1]) == 300
    svg = save_figure(fig, tmp_path / "carte.svg")
    ET.parse(svg)  # SVG bien formé malgré le nom piégé
    assert "Données fictives" in svg.read_text(encoding="utf-8")
    pdf = save_figure(fig, tmp_path / "carte.pdf")
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "Source : INSEE, millésime 2021 — Données fictives" in out.stdout
    assert "donnée non disponible (1)" in out.stdout
    # barre d'échelle (3,4 km de large → 500 m), flèche du nord, étiquettes en vrai texte
    assert re.search(r"500\s*m", out.stdout) and "\nN\n" in out.stdout
    assert "Les Tilleuls" in out.stdout and "Le Moulin" in out.stdout
    assert not list(tmp_path.glob(".*"))  # aucun fichier temporaire laissé


@pytest.mark.browser
def test_carte_html_hors_ligne_echappee(chromium, tmp_path):  # noqa: F811
    contours, communes, data = small_territory()
    classes = classify(data["valeur"], k=2, unite="%")
    m = interactive_map(contours, communes, data, classes, titre="Taux de pauvreté (2021)",
                        unite="%", source="INSEE", annee=2021, fictif=True)  # fmt: skip
    path = save_html(m, tmp_path / "carte.html")
    page_text = path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?:", page_text)
    assert "<script>alert" not in page_text
    with open_offline(chromium, path) as page:
        assert page.problems == []  # ni requête, ni erreur, ni alert() injectée
        p = page.page
        assert p.locator("path.leaflet-interactive").count() == 3
        na = p.locator("path.obs-na")
        assert na.count() == 1
        fill = na.evaluate("e => getComputedStyle(e).fill")
        assert "obs-hachures" in fill
        assert p.evaluate("document.documentElement.lang") == "fr"
        legend = p.locator(".obs-legende").inner_text()
        assert "donnée non disponible (1)" in legend and "12,5\u00a0%" in legend
        na.hover()
        p.wait_for_timeout(150)
        tooltip = p.locator(".leaflet-tooltip").inner_text()
        assert EVIL in tooltip  # affiché comme texte, jamais interprété
        assert "secret statistique" in tooltip
        assert p.locator(".leaflet-tooltip img").count() == 0
        assert p.locator("th[scope=row]").count() == 3


@pytest.fixture(scope="module")
def demo_maps(demo_config, tmp_path_factory):
    out = tmp_path_factory.mktemp("cartes")
    codes = {}
    for fmt in ("png", "svg", "pdf", "html"):
        codes[fmt] = main(["carte", "taux_pauvrete", "--annee", "2018", "--config",
                           str(demo_config), "--sortie", str(out / f"carte.{fmt}")])  # fmt: skip
    return out, codes


def test_cli_carte_demo_quatre_formats(demo_maps):
    out, codes = demo_maps
    assert codes == {"png": 0, "svg": 0, "pdf": 0, "html": 0}
    dpi = Image.open(out / "carte.png").info["dpi"]
    assert (round(dpi[0]), round(dpi[1])) == (300, 300)
    ET.parse(out / "carte.svg")
    text = subprocess.run(["pdftotext", str(out / "carte.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "Taux de pauvreté (2018)" in text
    assert "millésime 2018 — Données fictives" in text
    assert "Hauts de Brumehaut" in text  # étiquettes des quartiers


@pytest.mark.browser
def test_cli_carte_demo_html_un_polygone_par_quartier(demo_maps, obs_demo, chromium):  # noqa: F811
    out, _ = demo_maps
    with open_offline(chromium, out / "carte.html") as page:
        assert page.problems == []
        assert page.page.locator("path.leaflet-interactive").count() == len(obs_demo.quartiers)
        # QN00011A est sous secret statistique en 2018 : hachuré, pas dans une classe
        assert page.page.locator("path.obs-na").count() == 1
        assert "Données fictives" in page.page.locator("body").inner_text()


def test_cli_indicateur_inconnu(demo_config, tmp_path, capsys):
    code = main(["carte", "taux_pauvret", "--config", str(demo_config), "--sortie",
                 str(tmp_path / "x.png")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "Indicateur inconnu : « taux_pauvret »" in err and "taux_pauvrete" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_millesime_absent(demo_config, tmp_path, capsys):
    code = main(["carte", "taux_pauvrete", "--annee", "2019", "--config", str(demo_config),
                 "--sortie", str(tmp_path / "x.html")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "millésimes disponibles : 2018, 2020, 2021" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_aide_en_francais(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["carte", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "seuils naturels" in out and "--methode" in out and "hors ligne" in out


def test_carte_statique_demo_etiquettes_sans_chevauchement(obs_demo):
    fig = obs_demo.indicateurs.carte_statique("taux_pauvrete", 2021)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    names = set(obs_demo.quartiers["nom"])
    labels = [t for t in ax.texts if t.get_text() in names]
    assert len(labels) == len(names)  # une étiquette par quartier
    # boîte du texte seul (celle d'une annotation inclut son trait de rappel)
    boxes = [Text.get_window_extent(t, renderer) for t in labels]
    overlapping = [
        (labels[i].get_text(), labels[j].get_text())
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]
    assert overlapping == []
