"""Ce que l'utilisateur déclare sur l'origine des données figure dans chaque sortie.

Le petit territoire fictif ``tests/fixtures/credits`` déclare ``[territoire] producteur``
(« Observatoire fictif de Testville »), ``mention`` (« Mention test ») et, pour chaque
fichier d'indicateurs, ``producteur = "INSEE (test)"`` (et ``millesime_source`` pour
l'un d'eux). Le vrai notebook du tableau de bord est exécuté (papermill, HTML, PDF), puis
lu comme un lecteur le lirait : en-tête, pied, sources des figures, provenance, pied de
chaque page du PDF. La variante ``sans_credits.toml`` ne déclare rien : aucune étiquette
vide, ni « None ».
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from observatoire.errors import ConfigError
from observatoire.publish.index import write_index
from observatoire.publish.jobs import ReportJob
from observatoire.publish.report import produce_report
from observatoire.territory import Observatoire

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "credits"
QUARTIER = "QN99901A"
PRODUCTEUR = "Observatoire fictif de Testville"
MENTION = "Mention test"
SOURCE = "INSEE (test)"
FORBIDDEN = re.compile(r"\b(None|nan|NaN|NaT)\b")


def _copy(tmp: Path) -> Path:
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, tmp / path.name)
    return tmp


def _text(markup: str) -> str:
    """Texte visible d'un fragment HTML (sans scripts, styles ni carte en ``srcdoc``)."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    markup = re.sub(r'srcdoc="[^"]*"', "", markup)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def _part(page: str, pattern: str) -> str:
    found = re.search(pattern, page, flags=re.S)
    assert found, pattern
    return found.group(0)


def _pdf_pages(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext absent : `make test` installe poppler-utils (voir .ci/run)")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [re.sub(r"\s+", " ", p) for p in out.split("\f") if p.strip()]


def _produce(config: str, tmp_path_factory) -> Path:
    root = _copy(tmp_path_factory.mktemp(config.removesuffix(".toml")))
    out = root / "reports"
    result = produce_report(ReportJob("quartier", root / config, {"quartier": QUARTIER}), out)
    assert result.status == "ok", result.error
    return out / "quartiers" / QUARTIER


@pytest.fixture(scope="module")
def declared(tmp_path_factory) -> Path:
    return _produce("avec_credits.toml", tmp_path_factory)


@pytest.fixture(scope="module")
def undeclared(tmp_path_factory) -> Path:
    return _produce("sans_credits.toml", tmp_path_factory)


def test_producteur_en_tete_et_mention_en_pied_de_page(declared):
    page = declared.with_suffix(".html").read_text(encoding="utf-8")
    header = _text(_part(page, r'<header class="en-tete">.*?</header>'))
    footer = _text(_part(page, r'<footer class="pied">.*?</footer>'))
    assert f"Publié par {PRODUCTEUR}" in header
    assert MENTION in footer
    assert f"Rapport publié par {PRODUCTEUR}, généré le" in footer


def test_chaque_figure_cite_le_producteur_declare_et_le_millesime(declared):
    page = declared.with_suffix(".html").read_text(encoding="utf-8")
    captions = [
        _text(c) for c in re.findall(r'<span class="source">(.*?)</span>', page, flags=re.S)
    ]
    figures = [c for c in captions if "millésime" in c]
    assert len(figures) >= 4, captions  # pyramide, écarts, évolution, distribution, carte
    expected = f"Source : {SOURCE}, millésime 2021 ; traitement : {PRODUCTEUR}"
    assert expected in figures
    assert f"Source : {SOURCE}, millésimes 2019 à 2021 ; traitement : {PRODUCTEUR}" in figures
    assert all(c.endswith(f" ; traitement : {PRODUCTEUR}") for c in figures), figures
    # les feuilles de participation sont citées par leur producteur déclaré
    assert "Source : Feuilles de participation (Ville de Testville (test))" in captions
    # la source générique du catalogue (« INSEE, Filosofi ») cède la place à la déclarée
    assert not [c for c in captions if "Filosofi" in c or "recensement" in c], captions
    # le tableau « Sources des indicateurs » nomme le producteur déclaré de chaque fichier
    sources = _text(_part(page, r"<caption>Sources des indicateurs du quartier.*?</table>"))
    assert f"{SOURCE} indicateurs_2019 2019" in sources
    assert f"{SOURCE} indicateurs_2021 2021" in sources


def test_la_provenance_nomme_producteur_mention_et_chaque_source(declared):
    page = declared.with_suffix(".html").read_text(encoding="utf-8")
    block = _text(_part(page, r'<section class="provenance".*?</section>'))
    assert f"Producteur {PRODUCTEUR}" in block
    assert f"Mention {MENTION}" in block
    assert "Source Type Fichier Producteur Millésime Empreinte" in block
    assert f"indicateurs_2019 indicateurs indicateurs_2019.csv {SOURCE} Filosofi 2019" in block
    # sans millesime_source, le millésime est celui des valeurs lues
    assert f"indicateurs_2021 indicateurs indicateurs_2021.csv {SOURCE} 2021" in block
    assert "qpv qpv_liste liste_qpv_2024.csv — —" in block


def test_le_pdf_porte_producteur_et_mention_en_pied_de_chaque_page(declared):
    pages = _pdf_pages(declared.with_suffix(".pdf"))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"{PRODUCTEUR} — {MENTION}" in text, number
        assert f"Page {number} / {len(pages)}" in text
    whole = " ".join(pages)
    assert f"Publié par {PRODUCTEUR}" in whole
    assert f"Source : {SOURCE}, millésime 2021 ; traitement : {PRODUCTEUR}" in whole


def test_le_notebook_execute_garde_les_declarations(declared):
    executed = nbformat.read(declared.with_suffix(".ipynb"), as_version=4)
    blocks = [
        o["data"]["application/vnd.observatoire.bloc+json"]
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "application/vnd.observatoire.bloc+json" in o.get("data", {})
    ]
    prov = [b["provenance"] for b in blocks if b["type"] == "provenance"]
    assert prov and prov[-1]["producteur"] == PRODUCTEUR and prov[-1]["mention"] == MENTION
    sources = {b.get("source", "") for b in blocks}
    assert f"{SOURCE}, millésime 2021 ; traitement : {PRODUCTEUR}" in sources


def test_sans_declaration_ni_etiquette_vide_ni_none(undeclared):
    page = undeclared.with_suffix(".html").read_text(encoding="utf-8")
    text = _text(page)
    assert "Publié par" not in text and "publié par" not in text
    assert "traitement" not in text
    assert "<dt>Producteur</dt>" not in page and "<dt>Mention</dt>" not in page
    block = _text(_part(page, r'<section class="provenance".*?</section>'))
    assert "Source Type Fichier Millésime Empreinte" in block  # pas de colonne Producteur
    assert "indicateurs_2019 indicateurs indicateurs_2019.csv 2019" in block
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    # la source du catalogue reste citée avec son millésime
    assert "Source : INSEE, Filosofi (revenus disponibles), millésime 2021" in text
    assert "Source : Feuilles de participation (rencontres)" in text  # nom de la source
    for number, page_text in enumerate(_pdf_pages(undeclared.with_suffix(".pdf")), start=1):
        assert not FORBIDDEN.search(page_text), (number, page_text)
        assert " — Page" not in page_text and "Producteur :" not in page_text
        assert f"Page {number} /" in page_text


def test_figures_de_l_api_et_index_citent_les_declarations(tmp_path):
    obs = Observatoire.from_config(_copy(tmp_path) / "avec_credits.toml")
    fig = obs.indicateurs.figure_ecarts(QUARTIER, "taux_pauvrete")
    assert fig.observatoire_source == f"Source : {SOURCE}, millésime 2021"
    index = write_index(tmp_path / "reports", [], obs).read_text(encoding="utf-8")
    assert f"Publié par {PRODUCTEUR}" in _text(_part(index, r"<header.*?</header>"))
    footer = _text(_part(index, r'<footer class="pied">.*?</footer>'))
    assert MENTION in footer and f"Producteur {PRODUCTEUR}" in footer
    assert f"{SOURCE} Filosofi 2019" in footer


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("producteur = 12", "[territoire] producteur"),
        ("mention = true", "[territoire] mention"),
    ],
)
def test_une_declaration_qui_n_est_pas_un_texte_est_refusee(tmp_path, line, where):
    root = _copy(tmp_path)
    config = root / "sans_credits.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("generation = 2024\n", f"generation = 2024\n{line}\n", 1))
    with pytest.raises(ConfigError) as err:
        Observatoire.from_config(config)
    problems = [str(p) for p in err.value.problems]
    assert any(where in p and "un texte est attendu" in p for p in problems), problems


def test_un_producteur_de_source_qui_n_est_pas_un_texte_est_refuse(tmp_path):
    root = _copy(tmp_path)
    config = root / "avec_credits.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('producteur = "INSEE (test)"', "producteur = 2019", 1))
    with pytest.raises(ConfigError) as err:
        Observatoire.from_config(config)
    problems = [str(p) for p in err.value.problems]
    assert any("[sources.indicateurs_2019] producteur" in p for p in problems), problems


def test_le_rapport_d_evaluation_porte_aussi_producteur_et_mention(tmp_path):
    root = _copy(tmp_path)
    job = ReportJob("evaluation", root / "avec_credits.toml", {"debut": 2021, "fin": 2021})
    result = produce_report(job, root / "reports")
    assert result.status == "ok", result.error
    page = next(p for p in result.outputs if p.suffix == ".html").read_text(encoding="utf-8")
    assert f"Publié par {PRODUCTEUR}" in _text(_part(page, r"<header.*?</header>"))
    assert MENTION in _text(_part(page, r'<footer class="pied">.*?</footer>'))
    pages = _pdf_pages(next(p for p in result.outputs if p.suffix == ".pdf"))
    assert all(f"{PRODUCTEUR} — {MENTION}" in text for text in pages)


def test_un_producteur_hostile_reste_du_texte(tmp_path):
    root = _copy(tmp_path)
    config = root / "avec_credits.toml"
    hostile = "<script>alert('producteur')</script>"
    config.write_text(config.read_text(encoding="utf-8").replace(PRODUCTEUR, hostile, 1))
    obs = Observatoire.from_config(config)
    index = write_index(root / "reports", [], obs).read_text(encoding="utf-8")
    assert "<script>alert" not in index
    assert "Publié par &lt;script&gt;alert(&#39;producteur&#39;)&lt;/script&gt;" in index


def test_un_fichier_sans_producteur_garde_la_source_du_catalogue(tmp_path):
    from observatoire.publish.credits import figure_source

    config = _copy(tmp_path) / "avec_credits.toml"
    text = config.read_text(encoding="utf-8")
    declared_2021 = f'producteur = "{SOURCE}"\nindicateurs'  # 2021 : sans millesime_source
    assert text.count(declared_2021) == 1
    config.write_text(text.replace(declared_2021, "indicateurs"))
    obs = Observatoire.from_config(config)
    catalogue = "INSEE, Filosofi (revenus disponibles)"
    treated = f" ; traitement : {PRODUCTEUR}"
    assert figure_source(obs, "taux_pauvrete", 2019) == f"{SOURCE}, millésime 2019{treated}"
    assert figure_source(obs, "taux_pauvrete", 2021) == f"{catalogue}, millésime 2021{treated}"
    assert figure_source(obs, "taux_pauvrete", [2019, 2021]) == (
        f"{SOURCE} ; {catalogue}, millésimes 2019 à 2021{treated}"
    )
