"""``observatoire exporter diaporama`` et ``exporter figures`` : PPTX ouverts avec python-pptx.

Sur la démo : nombre et titres des diapositives, 16:9, source et millésime en pied,
texte alternatif de chaque image, valeur connue recalculée depuis la table canonique.
Sur un petit territoire partiel (tests/fixtures/export_diaporama/partiel) : aucune
diapositive vide, ce qui manque dit sur « À savoir », relance incrémentale, --tous.
Gabarit de collectivité fait main par le test ; figures PNG 300 dpi et SVG.
"""

from __future__ import annotations

import copy
import csv
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

import observatoire
from observatoire.cli import main
from observatoire.views.format import format_value

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "observatoire.toml"
PARTIEL = Path(__file__).parent / "fixtures" / "export_diaporama" / "partiel"
CODE = "QN00001A"
FOOTER_YEARS = re.compile(r"(millésimes? |années |événements |programmation )\d{4}")
QUARTIER_TITLES = [
    "Chiffres clés",
    "Écarts aux territoires de référence",
    "Position parmi les quartiers",
    "Évolution",
    "Participation des habitants",
    "Qui participe, qui manque",
    "Contrat de ville : les moyens",
    "Carte",
]


def texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def footer(slide) -> str:
    found = [s for s in slide.shapes if s.name == "Source"]
    assert len(found) == 1, [s.name for s in slide.shapes]
    return found[0].text_frame.text


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def all_text(prs) -> str:
    out = []
    for slide in prs.slides:
        out += texts(slide)
        for shape in slide.shapes:
            if shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(out)


def content_shapes(slide) -> list:
    """Ce que montre la diapositive hors titre et pied de page."""
    skip = {"Source", "Pied de page"}
    return [
        s
        for s in slide.shapes
        if s.name not in skip
        and s != slide.shapes.title
        and (s.shape_type == MSO_SHAPE_TYPE.PICTURE or s.has_table or s.text_frame.text.strip())
    ]


@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory):
    """``--tous`` sur la démo, en deux processus (figures partagées entre quartiers)."""
    out = tmp_path_factory.mktemp("exports")
    assert main(["exporter", "diaporama", "--config", str(DEMO), "--sortie", str(out),
                 "--tous", "--jobs", "2"]) == 0  # fmt: skip
    return out


@pytest.fixture(scope="module")
def demo_obs():
    return observatoire.open(DEMO)


@pytest.fixture()
def partiel(tmp_path) -> Path:
    """Copie du petit territoire partiel (le test peut modifier ses fichiers)."""
    dest = tmp_path / "partiel"
    shutil.copytree(PARTIEL, dest, ignore=shutil.ignore_patterns(".cache"))
    return dest / "observatoire.toml"


def test_quartier_deck_on_demo(demo_exports, demo_obs):
    prs = Presentation(demo_exports / "diaporamas" / f"diaporama-{CODE}.pptx")
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    slides = list(prs.slides)
    name = demo_obs.quartiers.set_index("code").loc[CODE, "nom"]
    assert [s.shapes.title.text for s in slides] == [name, *QUARTIER_TITLES]
    first = "\n".join(texts(slides[0]))
    assert "Données fictives" in first and CODE in first and demo_obs.config.territoire.nom in first
    for slide in slides:
        text = footer(slide)
        assert text.startswith("Source : ") and "Données fictives" in text, text
        assert FOOTER_YEARS.search(text), text
        assert content_shapes(slide), slide.shapes.title.text  # jamais de diapositive vide
    pics = [p for s in slides for p in pictures(s)]
    assert len(pics) == 8
    for pic in pics:
        descr = pic._element.nvPicPr.cNvPr.get("descr")
        assert descr and len(descr) > 40, pic.name
    carte = pictures(slides[-1])[0]._element.nvPicPr.cNvPr.get("descr")
    assert carte.startswith(f"Carte du quartier {name}")
    # valeur connue : taux de pauvreté du dernier millésime, lu dans la table canonique
    v = demo_obs.valeurs
    row = (
        v[(v["code"] == CODE) & (v["indicateur"] == "taux_pauvrete")].sort_values("annee").iloc[-1]
    )
    tiles = [s.text_frame.text for s in slides[1].shapes if s.name.startswith("Chiffre clé")]
    expected = f"{format_value(row['valeur'], '%')}\nTaux de pauvreté ({int(row['annee'])})"
    assert expected in tiles
    body = all_text(prs)
    for bad in ("None", "nan", "NaT"):
        assert not re.search(rf"\b{bad}\b", body), bad
    assert prs.core_properties.language == "fr-FR"


def test_position_rank_matches_canonical_values(demo_exports, demo_obs):
    """Le rang annoncé se retrouve en classant à la main les valeurs canoniques."""
    prs = Presentation(demo_exports / "diaporamas" / f"diaporama-{CODE}.pptx")
    slide = next(s for s in prs.slides if s.shapes.title.text == "Position parmi les quartiers")
    line = next(t for t in texts(slide) if " rang" in t).split("\n")[0]
    m = re.match(
        r"(.+) \((\d{4})\) : .+, (\d+)(?:er|e) rang(?: \(ex æquo\))? sur (\d+) quartiers", line
    )
    assert m, line
    label, year, rank, n = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
    cat = demo_obs.catalogue.set_index("libelle")
    ind, polarity = cat.loc[label, "id"], cat.loc[label, "polarite"]
    v = demo_obs.valeurs
    rows = v[(v["indicateur"] == ind) & (v["annee"] == year) & (v["statut"] == "ok")]
    rows = rows[rows["code"].isin(demo_obs.quartiers["code"])].set_index("code")["valeur"]
    mine = rows[CODE]
    worse = (rows > mine) if polarity != 1 else (rows < mine)
    assert (rank, n) == (int(worse.sum()) + 1, len(rows))


def test_every_quartier_deck_of_the_demo(demo_exports, demo_obs):
    """Un diaporama par quartier et un du territoire ; 8 images chacun, toutes décrites."""
    files = sorted((demo_exports / "diaporamas").glob("*.pptx"))
    codes = sorted(demo_obs.quartiers["code"])
    assert [f.name for f in files] == [f"diaporama-{c}.pptx" for c in codes] + [
        "diaporama-territoire.pptx"
    ]
    for f in files[:-1]:
        prs = Presentation(f)
        assert [s.shapes.title.text for s in prs.slides][1:] == QUARTIER_TITLES, f.name
        pics = [p for s in prs.slides for p in pictures(s)]
        assert len(pics) == 8 and all(p._element.nvPicPr.cNvPr.get("descr") for p in pics)


def test_territory_deck_on_demo(demo_exports):
    prs = Presentation(demo_exports / "diaporamas" / "diaporama-territoire.pptx")
    slides = list(prs.slides)
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    titles = [s.shapes.title.text for s in slides]
    assert titles[0] == "Agglomération de Valbrume (données fictives)"
    assert titles[1:] == [
        "Chiffres clés de l'ensemble des quartiers",
        "Les quartiers entre eux",
        "Évolution dans les quartiers",
        "Participation des habitants",
        "Qui participe, qui manque",
        "Contrat de ville : la programmation",
        "Contrat de ville : la répartition entre quartiers",
        "Carte des quartiers",
    ]
    for slide in slides:
        assert FOOTER_YEARS.search(footer(slide)) and "Données fictives" in footer(slide)
        assert content_shapes(slide)
        for pic in pictures(slide):
            assert pic._element.nvPicPr.cNvPr.get("descr")
    tiles = [s.text_frame.text for s in slides[1].shapes if s.name.startswith("Chiffre clé")]
    assert tiles[0] == "14\nQuartiers prioritaires"


def test_partial_territory_has_no_empty_slide(partiel, tmp_path, capsys):
    out = tmp_path / "sortie"
    assert main(["exporter", "diaporama", "--config", str(partiel), "--sortie", str(out),
                 "--quartier", "QN99901A"]) == 0  # fmt: skip
    prs = Presentation(out / "diaporamas" / "diaporama-QN99901A.pptx")
    titles = [s.shapes.title.text for s in prs.slides]
    assert "Évolution" not in titles and "Carte" not in titles
    assert "Participation des habitants" not in titles
    assert titles[-1].startswith("À savoir")
    for slide in prs.slides:
        assert content_shapes(slide), slide.shapes.title.text
        assert "millésime 2021" in footer(slide)
        assert "Données fictives" not in footer(slide)  # territoire réel (fictif = false)
        assert "Observatoire de Testville — Mention de Testville" in footer(slide)
    savoir = "\n".join(texts(list(prs.slides)[-1]))
    for topic in ("évolution", "participation", "contrat de ville", "contour"):
        assert topic in savoir.lower(), topic
    assert "Données fictives" not in all_text(prs)


def test_unknown_quartier_exit_2_nothing_written(tmp_path, capsys):
    out = tmp_path / "sortie"
    code = main(["exporter", "diaporama", "--config", str(DEMO), "--sortie", str(out),
                 "--quartier", "QN00001B"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "Quartier inconnu" in err and "QN00001B" in err and "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*.pptx"))
    assert main(["exporter", "figures", "--config", str(DEMO), "--sortie", str(out),
                 "--quartier", "QN00001B"]) == 2  # fmt: skip
    assert not out.exists() or not any(out.rglob("*.png"))
    assert main(["exporter", "diaporama", "--config", str(DEMO), "--sortie", str(out),
                 "--jobs", "0"]) == 2  # fmt: skip
    assert "--jobs doit être au moins 1 (valeur trouvée : 0)" in capsys.readouterr().err
    assert not out.exists() or not any(out.rglob("*.pptx"))


WIDE = (Inches(13.333), Inches(7.5))


def make_template(path: Path, size: tuple = WIDE) -> None:
    """Gabarit de collectivité fait main : masque marqué, une diapositive d'exemple."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = size
    example = prs.slides.add_slide(prs.slide_layouts[1])
    example.shapes.title.text = "Diapositive d'exemple du gabarit"
    box = example.shapes.add_textbox(Inches(10), Inches(0.1), Inches(3), Inches(0.4))
    box.text_frame.text = "Charte graphique de Testville"
    prs.slide_master.shapes._spTree.append(copy.deepcopy(box._element))  # marque du masque
    prs.save(str(path))


def with_template(config: Path, name: str) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text + f'\n[rapports]\nmodele_diaporama = "{name}"\n', encoding="utf-8")


def test_collectivite_template_is_used(partiel, tmp_path):
    make_template(partiel.parent / "charte.pptx")
    with_template(partiel, "charte.pptx")
    out = tmp_path / "sortie"
    assert main(["exporter", "diaporama", "--config", str(partiel), "--sortie", str(out)]) == 0
    prs = Presentation(out / "diaporamas" / "diaporama-territoire.pptx")
    master_text = [s.text_frame.text for s in prs.slide_master.shapes if s.has_text_frame]
    assert "Charte graphique de Testville" in master_text
    titles = [s.shapes.title.text for s in prs.slides]
    assert "Diapositive d'exemple du gabarit" not in titles
    assert titles[0] == "Testville"
    for slide in prs.slides:
        assert slide.part.slide_layout.part.slide_master.part is prs.slide_master.part
        assert content_shapes(slide) and footer(slide).startswith("Source : ")
        for ph in slide.placeholders:  # pas d'espace réservé vide « Cliquez pour ajouter… »
            assert ph.text_frame.text.strip(), slide.shapes.title.text


def test_template_not_16_9_is_refused(partiel, tmp_path, capsys):
    make_template(partiel.parent / "charte.pptx", (Inches(10), Inches(7.5)))
    with_template(partiel, "charte.pptx")
    out = tmp_path / "sortie"
    assert main(["exporter", "diaporama", "--config", str(partiel), "--sortie", str(out)]) == 2
    err = capsys.readouterr().err
    assert "16:9" in err and "modele_diaporama" in err and "25,40 × 19,05 cm" in err
    assert not out.exists() or not any(out.rglob("*.pptx"))


def test_missing_template_is_a_config_error(partiel, tmp_path, capsys):
    with_template(partiel, "absent.pptx")
    assert main(["exporter", "diaporama", "--config", str(partiel),
                 "--sortie", str(tmp_path / "s")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "[rapports] modele_diaporama" in err and "fichier introuvable" in err
    assert "absent.pptx" in err


def test_rerun_is_incremental(partiel, tmp_path, capsys):
    out = tmp_path / "sortie"
    args = ["exporter", "diaporama", "--config", str(partiel), "--sortie", str(out), "--tous"]
    assert main(args) == 0
    files = sorted((out / "diaporamas").glob("*.pptx"))
    assert [f.name for f in files] == [
        "diaporama-QN99901A.pptx", "diaporama-QN99902A.pptx", "diaporama-territoire.pptx"
    ]  # fmt: skip
    stamps = {f: f.stat().st_mtime_ns for f in files}
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.count("À jour") == 3
    assert {f: f.stat().st_mtime_ns for f in files} == stamps
    data = partiel.parent / "indicateurs_2021.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("42,8", "44,1"), encoding="utf-8")
    assert main(args) == 0
    assert "Diaporama écrit" in capsys.readouterr().out
    prs = Presentation(out / "diaporamas" / "diaporama-QN99901A.pptx")
    assert format_value(44.1, "%") in all_text(prs)


def test_figures_export(tmp_path, demo_obs):
    out = tmp_path / "sortie"
    assert main(["exporter", "figures", "--config", str(DEMO), "--sortie", str(out),
                 "--quartier", CODE]) == 0  # fmt: skip
    folder = out / "figures" / CODE
    pngs, svgs = sorted(folder.glob("*.png")), sorted(folder.glob("*.svg"))
    assert len(pngs) == len(svgs) == 8
    assert [p.stem for p in pngs] == [s.stem for s in svgs]
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+", p.stem) for p in pngs), [p.stem for p in pngs]
    for png in pngs:
        with Image.open(png) as im:
            im.load()
            assert round(im.info["dpi"][0]) == 300 and im.width >= 2000
    for svg in svgs:
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg") and root.get("lang") == "fr"
        ns = {"s": "http://www.w3.org/2000/svg"}
        assert root.find("s:title", ns).text and len(root.find("s:desc", ns).text) > 40
    with open(folder / "figures.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert [r["fichier_png"] for r in rows] == [p.name for p in pngs]
    for r in rows:
        assert r["alternative"] and r["titre"] and r["source"].startswith("Source : ")
        assert "Données fictives" in r["source"]
    carte = next(r for r in rows if r["diapositive"] == "Carte")
    name = demo_obs.quartiers.set_index("code").loc[CODE, "nom"]
    assert name in carte["alternative"]
    stamp = pngs[0].stat().st_mtime_ns
    assert main(["exporter", "figures", "--config", str(DEMO), "--sortie", str(out),
                 "--quartier", CODE]) == 0  # fmt: skip
    assert pngs[0].stat().st_mtime_ns == stamp


def test_a_failing_quartier_does_not_stop_the_batch(partiel, tmp_path, capsys, monkeypatch):
    """Un diaporama raté : les autres sont écrits, code 1, et la relance ne refait que lui."""
    from observatoire.exports import slides_quartier

    real = slides_quartier.quartier_deck

    def broken(obs, code, release=True):
        if code == "QN99902A":
            raise RuntimeError("panne simulée")
        return real(obs, code, release)

    monkeypatch.setattr(slides_quartier, "quartier_deck", broken)
    out = tmp_path / "sortie"
    args = ["exporter", "diaporama", "--config", str(partiel), "--sortie", str(out),
            "--tous", "--jobs", "1"]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "QN99902A" in err and "panne simulée" in err and "Traceback" not in err
    names = sorted(f.name for f in (out / "diaporamas").glob("*.pptx"))
    assert names == ["diaporama-QN99901A.pptx", "diaporama-territoire.pptx"]
    monkeypatch.setattr(slides_quartier, "quartier_deck", real)
    assert main(args) == 0
    output = capsys.readouterr().out
    assert output.count("À jour") == 2 and "diaporama-QN99902A.pptx" in output


def test_quartier_et_tous_ensemble_refuses_en_francais(capsys):
    from observatoire.cli import main

    with pytest.raises(SystemExit) as info:
        main(["exporter", "diaporama", "--quartier", "QN00001A", "--tous"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --tous: incompatible avec l'argument --quartier" in err
    assert "not allowed" not in err
