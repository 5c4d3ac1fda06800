"""Les notebooks du projet sur le territoire fictif : exécution papermill, HTML, PDF, navigateur.

Chaque notebook de rapport est exécuté une seule fois par session (fixtures
``scope="session"``) ; les tests lisent ensuite les fichiers produits comme le ferait
l'agent : la page HTML, le texte du PDF (pdftotext), la page d'index.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from browser import chromium, open_offline  # noqa: F401  (fixture pytest)

from observatoire.errors import ObservatoireError
from observatoire.publish.index import write_index
from observatoire.publish.jobs import ReportJob
from observatoire.publish.report import produce_report

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
QUARTIER = "QN00001A"
DASHBOARD_SECTIONS = [
    "Portrait",
    "Écarts aux territoires de référence",
    "Évolution",
    "Participation des habitants",
    "Contrat de ville",
    "Carte",
    "Sources et méthode",
]
EVALUATION_SECTIONS = [
    "Programmation",
    "Financements",
    "Répartition par quartier",
    "Besoins et moyens",
    "Participation",
    "Sources et méthode",
]
PARAMETERS = {
    "dashboard_quartier.ipynb": {"config", "quartier", "millesime"},
    "evaluation_contrat.ipynb": {"config", "debut", "fin", "perimetre"},
    "explorer_indicateurs.ipynb": {"config"},
    "explorer_participation.ipynb": {"config"},
    "explorer_contrat.ipynb": {"config"},
    "explorer_democratie.ipynb": {"config"},
}
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler absent")


def h2(html: str) -> list[str]:
    return re.findall(r'<h2 id="[^"]+">(.*?)</h2>', html)


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    return text.replace("\u00a0", " ").split("\f")[:count]


def _years(obs) -> tuple[int, int]:
    years = obs.contrat.annees if len(obs.actions) else []
    return (min(years), max(years)) if years else (2024, 2026)


@pytest.fixture(scope="session")
def reports(demo_config, obs_demo, tmp_path_factory) -> dict:
    """Tableau de bord de QN00001A, rapport d'évaluation et index, produits une fois."""
    out = tmp_path_factory.mktemp("reports")
    debut, fin = _years(obs_demo)
    dashboard = produce_report(ReportJob("quartier", demo_config, {"quartier": QUARTIER}), out)
    evaluation = produce_report(
        ReportJob("evaluation", demo_config, {"debut": debut, "fin": fin}), out
    )
    index = write_index(out, [dashboard, evaluation], obs_demo)
    return {"out": out, "dashboard": dashboard, "evaluation": evaluation, "index": index}


@pytest.fixture(scope="session")
def dashboard_html(reports) -> str:
    assert reports["dashboard"].status == "ok", reports["dashboard"].error
    return (reports["out"] / "quartiers" / f"{QUARTIER}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def evaluation_html(reports) -> str:
    result = reports["evaluation"]
    assert result.status == "ok", result.error
    html = [p for p in result.outputs if p.suffix == ".html"][0]
    return html.read_text(encoding="utf-8")


# ------------------------------------------------------------------ notebooks committés


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_notebook_committe_sans_sortie_avec_parametres(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assigned = set(re.findall(r"^(\w+)\s*=", tagged[0].source, flags=re.M))
    assert PARAMETERS[name] <= assigned


@pytest.mark.parametrize(
    ("name", "sections"),
    [
        ("dashboard_quartier.ipynb", DASHBOARD_SECTIONS),
        ("evaluation_contrat.ipynb", EVALUATION_SECTIONS),
    ],
)
def test_sections_des_notebooks_dans_l_ordre(name, sections):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    found = [
        line[3:].strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    assert found == sections


# ------------------------------------------------------------------ tableau de bord


def test_tableau_de_bord_html_sections_et_accessibilite(reports, dashboard_html):
    html = dashboard_html
    assert sorted(p.suffix for p in reports["dashboard"].outputs) == [".html", ".ipynb", ".pdf"]
    assert '<html lang="fr">' in html
    assert h2(html) == [*DASHBOARD_SECTIONS, "Provenance"]
    assert "obs = observatoire.open" not in html and "show(" not in html
    assert "Données fictives" in html
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) >= 4
    assert all(re.search(r'alt="[^"]{20,}"', tag) for tag in images)
    figures = re.findall(r'<figure class="bloc-figure">.*?</figure>', html, flags=re.S)
    captions = [re.search(r"<figcaption>.*?</figcaption>", f, flags=re.S).group(0) for f in figures]
    assert captions and all(re.search(r"Source : .*\b20\d\d\b", c) for c in captions)
    assert '<th scope="col">Indicateur</th>' in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert 'srcdoc="' in html  # carte interactive embarquée


def test_chiffres_connus_formates_a_la_francaise(obs_demo, dashboard_html):
    v = obs_demo.valeurs
    mine = v[(v["code"] == QUARTIER) & (v["statut"] == "ok")]
    pop = mine[mine["indicateur"] == "population"].sort_values("annee").iloc[-1]
    population = f"{int(round(pop['valeur'])):,}".replace(",", "\u00a0")
    assert f"compte {population} habitants (recensement {int(pop['annee'])})" in dashboard_html
    rate = mine[mine["indicateur"] == "taux_pauvrete"].sort_values("annee").iloc[-1]
    percent = f"{rate['valeur']:.1f}".replace(".", ",") + "\u00a0%"
    assert f"<dd>{percent}</dd>" in dashboard_html
    nom = obs_demo.quartiers.set_index("code").loc[QUARTIER, "nom"]
    assert f"Tableau de bord — {nom}" in dashboard_html


def test_sections_sans_donnees_le_disent(obs_demo, dashboard_html):
    participation = dashboard_html.split('id="participation-des-habitants"')[1].split("<h2")[0]
    if obs_demo.evenements.empty:
        assert "Aucune donnée de participation des habitants" in participation
    else:
        assert "Participation par année" in participation
        assert "Représentativité des participants" in participation
    contrat = dashboard_html.split('id="contrat-de-ville"')[1].split("<h2")[0]
    if obs_demo.actions.empty:
        assert "Aucune programmation du contrat de ville" in contrat
    else:
        assert "Actions ciblant le quartier, par pilier" in contrat


@needs_poppler
def test_pdf_du_tableau_de_bord(obs_demo, reports):
    pages = pdf_pages(reports["out"] / "quartiers" / f"{QUARTIER}.pdf")
    assert 3 <= len(pages) <= 20
    nom = obs_demo.quartiers.set_index("code").loc[QUARTIER, "nom"]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in page
        assert "Généré le" in page
        assert f"{nom} ({QUARTIER}) — millésime" in page
        assert "Données fictives" in page
    text = "\n".join(pages)
    for section in [*DASHBOARD_SECTIONS, "Provenance"]:
        assert section in text
    pop = obs_demo.valeurs.query(
        "code == @QUARTIER and indicateur == 'population' and statut == 'ok'"
    ).sort_values("annee")
    assert f"{int(round(pop['valeur'].iloc[-1])):,}".replace(",", " ") in text


# ------------------------------------------------------------------ évaluation


def test_rapport_d_evaluation(obs_demo, reports, evaluation_html):
    debut, fin = _years(obs_demo)
    stem = f"contrat-de-ville-{debut}-{fin}"
    assert sorted(p.name for p in reports["evaluation"].outputs) == [
        f"{stem}.html",
        f"{stem}.ipynb",
        f"{stem}.pdf",
    ]
    assert h2(evaluation_html) == [*EVALUATION_SECTIONS, "Provenance"]
    assert f"Évaluation du contrat de ville {debut}–{fin}" in evaluation_html
    if not obs_demo.actions.empty:
        assert "Actions programmées" in evaluation_html
        assert "Euros accordés par habitant, par quartier" in evaluation_html


@needs_poppler
def test_pdf_d_evaluation(reports):
    pdf = [p for p in reports["evaluation"].outputs if p.suffix == ".pdf"][0]
    pages = pdf_pages(pdf)
    assert len(pages) >= 1
    assert all(f"Page {i} / {len(pages)}" in p for i, p in enumerate(pages, start=1))
    assert "Contrat de ville" in pages[0] and "Données fictives" in pages[0]


# ------------------------------------------------------------------ index


def test_index_liste_les_rapports_avec_liens_relatifs(reports):
    html = reports["index"].read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#]+)"', html))
    assert f"quartiers/{QUARTIER}.html" in links
    assert f"quartiers/{QUARTIER}.pdf" in links
    for link in links:
        assert (reports["out"] / link).is_file(), link
    assert "Carte des quartiers" in html and 'srcdoc="' in html
    assert html.count("réussi") == 2


# ------------------------------------------------------------------ navigateur


@pytest.mark.browser
def test_pages_ouvertes_hors_ligne_dans_chromium(chromium, obs_demo, reports):  # noqa: F811
    n = len(obs_demo.quartiers)
    for path in (reports["out"] / "quartiers" / f"{QUARTIER}.html", reports["index"]):
        with open_offline(chromium, path, wait_ms=800) as page:
            assert page.problems == []
            frames = [f for f in page.page.frames if f.url == "about:srcdoc"]
            assert frames, "la carte interactive doit être chargée"
            drawn = frames[0].locator("path.leaflet-interactive").count()
            assert drawn >= n  # un polygone par quartier (+ surlignage, liens)
            assert page.page.locator("img[alt='']").count() == 0


@pytest.mark.browser
def test_un_clic_sur_la_carte_de_l_index_ouvre_le_tableau_de_bord(chromium, reports):  # noqa: F811
    with open_offline(chromium, reports["index"], wait_ms=800) as page:
        frame = [f for f in page.page.frames if f.url == "about:srcdoc"][0]
        shapes = frame.locator("path.leaflet-interactive")
        for i in range(shapes.count()):
            shapes.nth(i).click(force=True)
            link = frame.locator(".leaflet-popup-content a")
            if link.count():
                break
        assert link.count() == 1
        link.click()
        page.page.wait_for_url(re.compile(r"/quartiers/QN\w+\.html$"))
        assert page.problems == []


# ------------------------------------------------------------------ exploration


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "explorer_indicateurs.ipynb",
        "explorer_participation.ipynb",
        "explorer_contrat.ipynb",
        "explorer_democratie.ipynb",
    ],
)
def test_notebooks_d_exploration_tournent_de_haut_en_bas(name, demo_config, tmp_path):
    import papermill as pm

    nb = pm.execute_notebook(
        NOTEBOOKS / name,
        tmp_path / name,
        parameters={"config": str(demo_config)},
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert sum(bool(c.get("outputs")) for c in nb.cells if c.cell_type == "code") >= 3


# ------------------------------------------------------------------ texte hostile

HOSTILE = "<script>alert('q')</script>\"><img src=x onerror=alert(2)>"


@pytest.fixture(scope="session")
def hostile_report(root, tmp_path_factory) -> Path:
    """La démo dont le quartier QN00001A porte un nom piégé, et son tableau de bord."""
    data = tmp_path_factory.mktemp("hostile") / "demo"
    shutil.copytree(root / "data" / "demo", data, ignore=shutil.ignore_patterns(".cache"))
    liste = data / "geographie" / "liste_qpv_2024.csv"
    lines = liste.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{QUARTIER};"):
            code, _name, rest = line.split(";", 2)
            lines[i] = f'{code};"{HOSTILE.replace(chr(34), chr(34) * 2)}";{rest}'
    liste.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("hostile-reports")
    job = ReportJob("quartier", data / "observatoire.toml", {"quartier": QUARTIER})
    result = produce_report(job, out)
    assert result.status == "ok", result.error
    import observatoire

    write_index(out, [result], observatoire.open(data / "observatoire.toml"))
    return out / "quartiers" / f"{QUARTIER}.html"


@pytest.mark.slow
def test_nom_de_quartier_hostile_affiche_comme_du_texte(hostile_report):
    html = hostile_report.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    assert "Tableau de bord — &lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;" in html


@pytest.mark.slow
@needs_poppler
def test_nom_de_quartier_hostile_dans_le_pdf(hostile_report):
    pages = pdf_pages(hostile_report.with_suffix(".pdf"))
    assert f"{HOSTILE} ({QUARTIER}) — millésime" in pages[-1]


@pytest.mark.slow
@pytest.mark.browser
def test_nom_de_quartier_hostile_sans_effet_dans_chromium(chromium, hostile_report):  # noqa: F811
    with open_offline(chromium, hostile_report, wait_ms=800) as page:
        assert page.problems == []  # aucune boîte de dialogue, requête ni erreur
        assert page.page.locator("h1").inner_text() == f"Tableau de bord — {HOSTILE}"
        for frame in page.page.frames:
            assert frame.locator("img[src='x']").count() == 0
        frame = [f for f in page.page.frames if f.url == "about:srcdoc"][0]
        assert frame.locator("path.leaflet-interactive").count() >= 1
    index = hostile_report.parents[1] / "index.html"
    assert "<script" not in index.read_text(encoding="utf-8").lower()
    with open_offline(chromium, index, wait_ms=800) as page:
        assert page.problems == []
        link = page.page.locator(f"a[href='quartiers/{QUARTIER}.html']").first
        assert link.inner_text() == f"{HOSTILE} ({QUARTIER})"
        frame = [f for f in page.page.frames if f.url == "about:srcdoc"][0]
        paths = frame.locator("path.leaflet-interactive")
        shown: list[str] = []
        for i in range(paths.count()):
            # clic envoyé au contour lui-même : la bulle du contour précédent, qui porte un
            # lien vers le tableau de bord, peut recouvrir celui-ci (un vrai clic naviguerait)
            paths.nth(i).dispatch_event("click")
            assert frame.locator(".leaflet-popup-content").count() >= 1
            assert frame.locator("img[src='x']").count() == 0
            shown += frame.locator(".leaflet-popup-content").all_inner_texts()
        shown = " ".join(shown)
        assert f"{HOSTILE} ({QUARTIER})" in shown  # le nom hostile affiché comme du texte
        assert page.dialogs == []


def test_quartier_inconnu_donne_un_statut_erreur_en_francais(demo_config, tmp_path):
    result = produce_report(ReportJob("quartier", demo_config, {"quartier": "QN99999Z"}), tmp_path)
    assert result.status == "erreur"
    assert "Quartier inconnu : « QN99999Z »" in result.error
    assert result.outputs == [] and not list(tmp_path.rglob("*.html"))


# ------------------------------------------------------------------ sections sans notebook


def test_perimetre_communal_restreint_l_evaluation(obs_demo):
    from observatoire.publish.sections import contrat

    if obs_demo.actions.empty:
        pytest.skip("la démo n'a pas de programmation du contrat de ville")
    commune = obs_demo.quartiers["communes"].str.split(";").str[0].value_counts().index[-1]
    whole = contrat.periode(obs_demo, None, None, None)
    local = contrat.periode(obs_demo, None, None, commune)
    assert local.perimetre_nom and local.libelle.endswith(local.perimetre_nom)
    total = contrat.contrat_api(obs_demo, whole).synthese(whole.annees)["actions"]
    restricted = contrat.contrat_api(obs_demo, local).synthese(local.annees)["actions"]
    assert 0 < restricted < total
    with pytest.raises(ObservatoireError, match="Périmètre inconnu"):
        contrat.periode(obs_demo, None, None, "99999")


def test_sections_sans_donnees_une_phrase(fixtures):
    import observatoire
    from observatoire.publish.sections import contrat, participation
    from observatoire.publish.sections.quartier import Quartier

    obs = observatoire.open(fixtures / "publish" / "observatoire.toml")  # aucune source
    q = Quartier("QN00001A", "Essai", ("00101",), ("Commune",), None, True)
    for section in (participation.quartier_participation, contrat.quartier_contrat):
        blocks = section(obs, q)
        assert [b.data["type"] for b in blocks] == ["absent"]
    assert "Aucune donnée de participation" in blocks_text(
        participation.quartier_participation(obs, q)
    )
    assert "Aucune programmation" in blocks_text(contrat.quartier_contrat(obs, q))


def blocks_text(blocks) -> str:
    return " ".join(b.data.get("message", "") for b in blocks)


def test_carte_statique_seulement_si_le_pdf_est_demande(obs_demo, monkeypatch):
    from observatoire.publish.sections import carte, quartier

    q = quartier.contexte(obs_demo, QUARTIER, None)
    monkeypatch.setenv("OBSERVATOIRE_FORMATS", "html")
    [html_only] = carte.carte(obs_demo, q)
    assert html_only.data["image"] is None and "leaflet" in html_only.data["html"].lower()
    monkeypatch.setenv("OBSERVATOIRE_FORMATS", "html,pdf")
    [both] = carte.carte(obs_demo, q)
    assert both.data["image"] and both.data["html"]
    assert q.nom in both.data["alt"]


def test_groupe_de_comparaison_limite_a_grande_echelle(obs_demo, monkeypatch):
    from observatoire.analysis.gaps import split_communes
    from observatoire.publish.sections import groupe, quartier

    q = quartier.contexte(obs_demo, QUARTIER, None)
    assert groupe.comparaison(obs_demo, q).codes == tuple(obs_demo.quartiers["code"])
    monkeypatch.setattr(groupe, "MAX_GROUP", 3)  # comme un territoire national
    small = groupe.comparaison(obs_demo, q)
    assert small.libelle == "quartiers de sa commune"
    assert small.codes[0] == QUARTIER and len(small.codes) <= 3
    communes = obs_demo.quartiers.set_index("code")["communes"]
    for code in small.codes:
        assert set(split_communes(communes[code])) & set(q.communes)
    view = groupe.GroupView(obs_demo, small.codes)
    assert set(view.contours["code"]) == set(small.codes)
    assert view.valeurs is obs_demo.valeurs
