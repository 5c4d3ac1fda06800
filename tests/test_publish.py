"""Rendu unitaire d'un rapport : un notebook d'essai (texte hostile compris) → HTML, PDF, ipynb.

Le notebook ``tests/fixtures/publish/notebooks/dashboard_quartier.ipynb`` affiche des
blocs dont le texte contient ``<script>`` et ``"><img onerror>`` : ils doivent
ressortir comme du texte, jamais comme du HTML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from observatoire.errors import ConfigError
from observatoire.publish.jobs import ReportJob
from observatoire.publish.render import render_html
from observatoire.publish.report import ReportResult, produce_report, write_atomic

HOSTILE = '<script>alert("nom")</script>"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="session")
def publish_config(fixtures) -> Path:
    return fixtures / "publish" / "observatoire.toml"


@pytest.fixture(scope="session")
def produced(publish_config, tmp_path_factory) -> tuple[ReportResult, Path]:
    out = tmp_path_factory.mktemp("rapports")
    job = ReportJob("quartier", publish_config, {"quartier": "QN00001A"})
    return produce_report(job, out), out


@pytest.fixture(scope="session")
def html_text(produced) -> str:
    result, out = produced
    return (out / "quartiers" / "QN00001A.html").read_text(encoding="utf-8")


def test_le_rapport_produit_html_pdf_et_notebook_execute(produced):
    result, out = produced
    assert result.status == "ok", result.error
    assert result.error is None
    names = sorted(p.name for p in result.outputs)
    assert names == ["QN00001A.html", "QN00001A.ipynb", "QN00001A.pdf"]
    assert all(p.parent == out / "quartiers" for p in result.outputs)
    # aucun fichier temporaire ne reste à côté des rapports
    assert sorted(p.name for p in (out / "quartiers").iterdir()) == names
    executed = nbformat.read(out / "quartiers" / "QN00001A.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "QN00001A" in injected[0].source


def test_le_html_est_en_francais_sans_code_et_sans_sortie_brute(html_text):
    assert '<html lang="fr">' in html_text
    assert 'name="viewport"' in html_text
    assert "import observatoire" not in html_text
    assert "blocks.texte" not in html_text
    assert "sortie brute qui ne doit pas être publiée" not in html_text
    headings = re.findall(r'<h2 id="[^"]+">(.*?)</h2>', html_text)
    assert headings == [
        "Portrait",
        "Écarts aux territoires de référence",
        "Sans données",
        "Sources et méthode",
        "Provenance",  # bloc final ajouté par le rendu
    ]
    assert "Aucune donnée de participation pour ce quartier." in html_text


def test_le_texte_hostile_est_echappe(html_text):
    assert HOSTILE not in html_text
    assert "<script" not in html_text.lower()
    assert "<img src=x" not in html_text
    escaped = "&lt;script&gt;alert(&#34;nom&#34;)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert f"Le quartier {escaped} compte 4\u00a0210 habitants." in html_text
    # le HTML brut écrit dans une cellule Markdown est lui aussi affiché comme texte
    assert "&lt;b&gt;html brut&lt;/b&gt;" in html_text


def test_le_html_est_autonome(html_text):
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html_text)
    assert "@import" not in html_text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html_text)
    assert "Content-Security-Policy" in html_text


def test_figures_et_tableaux_accessibles(html_text):
    images = re.findall(r"<img [^>]*>", html_text)
    assert images, "la figure doit être en ligne"
    for tag in images:
        assert re.search(r'src="data:image/(svg\+xml|png);base64,', tag)
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and alt.group(1).strip()
    assert "Barres : taux de pauvreté du quartier" in html_text
    assert '<th scope="col">Indicateur</th>' in html_text
    assert '<th scope="row">Taux de chômage</th>' in html_text
    # valeur manquante : « n.d. », jamais 0
    assert re.search(r"<td[^>]*>n\.d\.</td>", html_text)
    assert "Source : INSEE, Filosofi 2021" in html_text


def test_mention_donnees_fictives_et_provenance(html_text):
    assert "Données fictives" in html_text
    assert 'class="bandeau-fictif"' in html_text
    provenance = html_text[html_text.index('id="provenance-titre"') :]
    assert "Version d'observatoire" in provenance
    assert "observatoire.toml" in provenance
    assert "Empreinte des entrées" in provenance
    assert "Rapport généré le" in provenance


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler absent")
def test_le_pdf_a4_porte_en_tete_pages_date_et_filigrane(produced):
    result, out = produced
    pdf = out / "quartiers" / "QN00001A.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert 1 <= pages <= 4
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert abs(float(size.group(1)) - 595.3) < 1 and abs(float(size.group(2)) - 841.9) < 1
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    page_texts = text.split("\f")[:pages]
    for number, page in enumerate(page_texts, start=1):
        assert f"Page {number} / {pages}" in page
        assert "Généré le" in page
        assert "millésime 2021" in page  # en-tête courant : quartier + millésime
        assert "Données fictives" in page
    assert "compte 4 210 habitants" in text.replace("\u00a0", " ")
    assert "Portrait" in text and "Provenance" in text


def test_une_erreur_du_notebook_donne_un_statut_erreur_sans_fichier(publish_config, tmp_path):
    job = ReportJob("quartier", publish_config, {"quartier": "QN00002B", "echec": True})
    result = produce_report(job, tmp_path)
    assert result.status == "erreur"
    assert result.outputs == []
    assert "a échoué" in result.error and "échec volontaire du notebook" in result.error
    assert "ValueError" in result.error
    assert not list(tmp_path.rglob("*.html")) and not list(tmp_path.rglob("*.pdf"))


def test_sans_notebook_garde_et_html_seul(publish_config, tmp_path):
    job = ReportJob("quartier", publish_config, {"quartier": "QN00003C"}, formats=("html",))
    result = produce_report(job, tmp_path, keep_notebook=False)
    assert result.status == "ok", result.error
    assert [p.name for p in result.outputs] == ["QN00003C.html"]
    assert sorted(p.name for p in (tmp_path / "quartiers").iterdir()) == ["QN00003C.html"]


def test_erreurs_de_configuration_levees_sans_rien_ecrire(publish_config, tmp_path):
    with pytest.raises(ConfigError, match="introuvable"):
        produce_report(
            ReportJob("quartier", tmp_path / "absent.toml", {"quartier": "Q1"}), tmp_path
        )
    with pytest.raises(ConfigError, match="Format de rapport inconnu : docx"):
        produce_report(
            ReportJob("quartier", publish_config, {"quartier": "Q1"}, formats=("docx",)), tmp_path
        )
    with pytest.raises(ConfigError, match="code de quartier invalide"):
        produce_report(ReportJob("quartier", publish_config, {"quartier": "../../x"}), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_ecriture_atomique_remplace_sans_laisser_de_temporaire(tmp_path):
    target = tmp_path / "sous" / "rapport.html"
    write_atomic(target, "première version")
    write_atomic(target, "seconde version")
    assert target.read_text(encoding="utf-8") == "seconde version"
    assert [p.name for p in target.parent.iterdir()] == ["rapport.html"]


def test_rendu_impression_sans_carte_interactive(produced):
    result, out = produced
    nb = nbformat.read(out / "quartiers" / "QN00001A.ipynb", as_version=4)
    printed = render_html(nb, mode="print")
    assert "<iframe" not in printed
    assert 'class="filigrane"' in printed
    assert "@page" in printed and "counter(pages)" in printed


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler absent")
def test_sans_donnees_fictives_ni_bandeau_ni_filigrane(fixtures, tmp_path):
    config = fixtures / "publish" / "reel.toml"
    result = produce_report(ReportJob("quartier", config, {"quartier": "QN00001A"}), tmp_path)
    assert result.status == "ok", result.error
    html = (tmp_path / "quartiers" / "QN00001A.html").read_text(encoding="utf-8")
    assert "Données fictives" not in html and 'class="bandeau-fictif"' not in html
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "quartiers" / "QN00001A.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Données fictives" not in text and "fictives" not in text
    assert "Page 1 / " in text


def test_blocs_echappent_et_formatent_sans_notebook():
    import pandas as pd
    from matplotlib.figure import Figure

    from observatoire.publish import blocks
    from observatoire.publish.render import block_html

    table = pd.DataFrame({"Quartier": [HOSTILE, "Les Hauts"], "Population": [4210, None]})
    block = blocks.tableau(table, legende="Population", source="INSEE", display=False)
    assert block.data["lignes"] == [[HOSTILE, "4\u00a0210"], ["Les Hauts", "n.d."]]
    assert block.data["numeriques"] == [False, True]
    html = block_html(block.data)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert '<th scope="row">Les Hauts</th><td class="num">n.d.</td>' in html
    with pytest.raises(ValueError, match="texte alternatif"):
        blocks.figure(Figure(), alt=" ", source="INSEE", display=False)
    bundle = blocks.figure(Figure(), alt="Figure vide", source="INSEE", display=False)
    mimes = bundle._repr_mimebundle_()
    assert set(mimes) == {blocks.MIME, "image/svg+xml", "text/plain"}
    assert "image" not in mimes[blocks.MIME]  # l'image n'est stockée qu'une fois
    assert mimes["image/svg+xml"].startswith("<?xml")  # SVG en texte dans le notebook


def test_index_avec_fond_de_carte_calcule_en_arriere_plan(obs_demo, tmp_path):
    from observatoire.publish.index import BaseMapInBackground, write_index
    from observatoire.publish.jobs import ReportJob
    from observatoire.publish.report import ReportResult

    (tmp_path / "quartiers").mkdir()
    page = tmp_path / "quartiers" / "QN00001A.html"
    page.write_text("<!doctype html>", encoding="utf-8")
    job = ReportJob("quartier", obs_demo.config.path, {"quartier": "QN00001A"}, formats=("html",))
    results = [ReportResult(job, [page], "ok", 0.1)]
    index = write_index(tmp_path, results, obs_demo, BaseMapInBackground(obs_demo))
    html_text = index.read_text(encoding="utf-8")
    assert "srcdoc=" in html_text and "quartiers/QN00001A.html" in html_text
