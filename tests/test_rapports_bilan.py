"""Bilans de concertation rendus pour de vrai : papermill, HTML, PDF, Chromium.

Le mini-territoire fictif ``tests/fixtures/democratie/rapports`` (fichiers faits main :
programme des concertations en Windows-1252 « ; » avec une ligne de titre, registre des
contributions, feuille de rencontres avec une colonne « Démarche ») porte quatre démarches :

- ``C-2025-01`` : complète (3 rencontres ventilées dont 2 avec feuille de présence, 8
  contributions dont une sans suite, bilan publié, prochaines étapes) ; chiffres vérifiés
  à la main ci-dessous ;
- ``C-2025-02`` : en cours, sans rencontre, sans contribution, sans bilan, sans fin ;
- ``Atelier « jeunes » n°3/2025`` : identifiant hostile pour un nom de fichier, une
  rencontre sans ventilation, deux contributions sans suite, terminée sans bilan ;
- ``C-2025-04`` : une rencontre de 3 personnes, avec leur feuille de présence (sous le
  seuil de 5 : masquée) ; élu·e référent·e non renseigné.

Chaque bilan est produit par ``produce_report`` (le vrai notebook
``notebooks/bilan_concertation.ipynb``) et lu comme un lecteur le lirait.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from browser import chromium, open_offline  # noqa: F401  (fixture pytest)

from observatoire.publish.jobs import ReportJob, safe_name
from observatoire.publish.report import produce_report

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "democratie" / "rapports"
NOTEBOOK = ROOT / "notebooks" / "bilan_concertation.ipynb"
HOSTILE = "Atelier « jeunes » n°3/2025"
FORBIDDEN = re.compile(r"\b(None|nan|NaN|NaT)\b|<NA>")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler absent")


def visible_text(path: Path) -> str:
    """Texte visible d'une page HTML (sans scripts, styles ni attributs)."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture(scope="module")
def bilans(tmp_path_factory) -> dict[str, Path]:
    """Les quatre bilans (HTML et PDF) produits une fois dans un dossier temporaire."""
    territory = tmp_path_factory.mktemp("valbrume") / "territoire"
    shutil.copytree(FIXTURE, territory, ignore=shutil.ignore_patterns("notebooks", ".cache"))
    config = territory / "observatoire.toml"
    out = tmp_path_factory.mktemp("bilans")
    stems = {}
    for ident in ("C-2025-01", "C-2025-02", HOSTILE, "C-2025-04"):
        result = produce_report(ReportJob("concertation", config, {"demarche": ident}), out)
        assert result.status == "ok", result.error
        assert sorted(p.suffix for p in result.outputs) == [".html", ".ipynb", ".pdf"]
        stems[ident] = out / "concertations" / safe_name(ident)
    return stems


def test_notebook_committe_sans_sortie_avec_parametres():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert {"config", "demarche"} <= set(re.findall(r"^(\w+)\s*=", tagged[0].source, flags=re.M))
    titles = [
        line[3:].strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    assert titles == [
        "La démarche",
        "Les rencontres",
        "Qui est venu ?",
        "Ce qui a été dit",
        "Ce qui en a été fait",
        "Bilan et prochaines étapes",
        "Sources et méthode",
    ]


def test_bilan_complet_chiffres_verifies_a_la_main(bilans):
    page = bilans["C-2025-01"].with_suffix(".html")
    raw = page.read_text(encoding="utf-8")
    text = visible_text(page)
    assert '<html lang="fr">' in raw
    assert "Bilan de concertation — Réaménagement de la place du Marché" in text
    assert "Données fictives" in text  # bandeau du territoire fictif
    assert "Publié par Observatoire fictif de Valbrume" in text  # producteur déclaré
    assert "territoire de démonstration des bilans" in text  # mention déclarée
    # fiche : niveau, calendrier, service et élu·e, dispositifs, quartiers, publics
    for expected in (
        "co-construction (le projet est élaboré avec les habitants)",
        "du 10 janvier 2025 au 30 juin 2025 (172 jours) — terminée",
        "Aménagement urbain",
        "Adjointe à l'urbanisme",
        "Atelier de concertation, Balade urbaine",
        "Les Hauts de Brume",
        "moins de 25 ans, habitants QPV",
    ):
        assert expected in text, expected
    # rencontres : 28 + 19 + 24 = 71 participations
    assert "3 rencontres rattachées à la démarche, 71 participations au total" in text
    assert "Les feuilles de présence individuelles de 2 rencontres sur 3 comptent 6 personnes " \
        "différentes (8 présences notées)." in text  # fmt: skip
    # qui est venu : 15-29 ans = (3 + 2 + 2) / 71 = 9,9 % contre 400 / 1 300 = 30,8 %
    assert "Jeunes de 15 à 29 ans — 9,9 % des participants contre 30,8 % de la population, " \
        "sous-représentés." in text  # fmt: skip
    # habitants QPV : (22 + 15 + 20) / 71 = 80,3 % contre 2 000 / 20 000 = 10,0 %
    assert "Habitants des quartiers prioritaires — 80,3 % des participants contre 10,0 %" in text
    assert "60-74 ans : 21,1 % des participants contre 15,4 % de la population" in text
    # ce qui a été dit : 8 contributions, 5 thèmes, 3 thèmes à égalité (2 chacun)
    assert "8 contributions enregistrées, sur 5 thèmes." in text
    assert "« Jeux pour enfants », « Marché » et « Stationnement » (2 contributions chacun)" in text
    # ce qui en a été fait : (3 retenues + 1 partiellement) / (7 avec suite − 1 hors sujet)
    assert "Taux de prise en compte : 66,7 % — 3 contributions retenues et 1 contribution " \
        "partiellement retenue sur 6 contributions ayant reçu une suite" in text  # fmt: skip
    assert "1 contribution sur 8 n'a pas encore reçu de suite." in text
    assert "La place reste piétonne" in text  # justification, regroupée (2 contributions)
    # bilan : publié 77 jours après la fin ; prochaines étapes
    assert "publié le 15 septembre 2025, 77 jours après la fin (30 juin 2025)" in text
    assert "Prochaines étapes : Travaux de la place au printemps 2026" in text
    # le texte des contributions n'est jamais repris
    assert "Un parking sous la place" not in text and "Ouvrir le samedi soir" not in text
    # tableaux à vrais en-têtes, figures avec alternative, sources
    assert raw.count('<th scope="col">') >= 12 and '<th scope="row">' in raw
    assert "Source : Registre des contributions (Ville fictive de Brumeville" in text
    assert "Provenance" in text and "contributions.csv" in text
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)


def test_figures_et_leurs_alternatives(bilans):
    raw = bilans["C-2025-01"].with_suffix(".html").read_text(encoding="utf-8")
    alts = [html.unescape(a) for a in re.findall(r'<img src="data:image/[^"]+" alt="([^"]*)"', raw)]
    assert len(alts) == 2  # qui est venu ? ; contributions par thème
    assert all(len(a) > 60 and not FORBIDDEN.search(a) for a in alts)
    assert "15-29 ans : participants 9,9" in alts[0].replace("\u00a0", " ")
    assert "Jeux pour enfants : Contributions 2" in alts[1]
    # sans donnée : aucune figure (jamais un graphique vide)
    empty = bilans["C-2025-02"].with_suffix(".html").read_text(encoding="utf-8")
    assert "<img" not in empty


def test_demarche_sans_donnees_des_phrases_claires(bilans):
    text = visible_text(bilans["C-2025-02"].with_suffix(".html"))
    for expected in (
        "à partir du 1er mars 2025 (date de fin non renseignée) — en cours",
        "Aucune rencontre des feuilles de participation n'est rattachée à cette démarche",
        "Sans rencontre rattachée à la démarche, le profil des participants",
        "Aucune contribution n'est enregistrée pour cette démarche",
        "Sans contribution enregistrée, il n'y a pas de suite à présenter.",
        "La démarche est en cours : son bilan n'est pas encore publié.",
        "Le programme des concertations n'indique pas de prochaine étape.",
        "tout le territoire",
    ):
        assert expected in text, expected
    assert "Taux de prise en compte" not in text
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)


def test_identifiant_hostile_sans_ventilation_ni_suite(bilans):
    path = bilans[HOSTILE].with_suffix(".html")
    assert path.parent.name == "concertations" and re.fullmatch(r"Atelier-jeunes-n3-2025-[0-9a-f]{8}",
                                                                path.stem)  # fmt: skip
    text = visible_text(path)
    assert f"Démarche {HOSTILE}" in text  # affiché tel quel, comme du texte
    assert "ne décrivent les participants ni par âge, ni par sexe, ni par lieu de résidence" in text
    assert "Aucune des 2 contributions n'a encore reçu de suite" in text
    assert "s'est terminée le 20 mai 2025, mais le programme des concertations ne note " \
        "aucun bilan publié." in text  # fmt: skip
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)


def test_petit_effectif_masque(bilans):
    text = visible_text(bilans["C-2025-04"].with_suffix(".html"))
    assert "1 rencontre rattachée à la démarche, moins de 5 participations au total" in text
    assert "Réunion des jeunes du Port 10 juin 2025 réunion publique Le Port < 5" in text
    assert "Trop peu de participants de cette démarche sont décrits" in text
    assert "Les feuilles de présence individuelles de toutes les rencontres comptent moins de " \
        "5 personnes différentes (petit effectif masqué)." in text  # fmt: skip
    assert not re.search(r"\b3 participations\b", text)
    # élu·e référent·e absent du programme : dit dans la fiche et en une phrase
    assert "Élu·e référent·e non renseigné" in text
    assert "Le programme des concertations ne renseigne pas : élu·e référent·e." in text
    assert "<img" not in bilans["C-2025-04"].with_suffix(".html").read_text(encoding="utf-8")


@needs_poppler
def test_pdf_lu_par_pdftotext(bilans):
    full = pdf_text(bilans["C-2025-01"].with_suffix(".pdf"))
    assert "Bilan de concertation — Réaménagement de la place du Marché" in full
    assert "Taux de prise en compte : 66,7 %" in full
    assert "Données fictives" in full and "Observatoire fictif de Valbrume" in full
    assert "Provenance" in full
    empty = pdf_text(bilans["C-2025-02"].with_suffix(".pdf"))
    assert "Sans contribution enregistrée, il n'y a pas de suite à présenter." in empty
    for text in (full, empty, pdf_text(bilans[HOSTILE].with_suffix(".pdf"))):
        assert not FORBIDDEN.search(text), FORBIDDEN.search(text)


@pytest.mark.browser
def test_bilans_ouverts_hors_ligne_dans_chromium(chromium, bilans):  # noqa: F811
    for ident in ("C-2025-01", "C-2025-02", HOSTILE):
        with open_offline(chromium, bilans[ident].with_suffix(".html"), wait_ms=300) as page:
            assert page.problems == []
            p = page.page
            assert p.locator("html").get_attribute("lang") == "fr"
            assert p.locator("img[alt='']").count() == 0
            assert p.locator("img:not([alt])").count() == 0
            for table in p.locator("table").all():
                assert table.locator("thead th[scope='col']").count() >= 2
                assert table.locator("caption").count() == 1
            if ident == "C-2025-01":
                images = p.locator("main img")
                assert images.count() == 2
                for i in range(images.count()):  # figures décodées et affichées
                    assert images.nth(i).evaluate("img => img.naturalWidth") > 100
            headings = p.locator("main h2").all_inner_texts()
            assert headings[:2] == ["La démarche", "Les rencontres"]


def test_identifiant_et_objet_avec_guillemets_antislash_et_html(tmp_path):
    """Un identifiant qui casserait un paramètre papermill ou du HTML mal échappé."""
    territory = tmp_path / "territoire"
    shutil.copytree(FIXTURE, territory, ignore=shutil.ignore_patterns("notebooks", ".cache"))
    line = (
        '"C""2025\\<b>05</b>";"Objet <script>alert(1)</script>";Jeunesse;;information;'
        "QN00002B;10/06/2025;10/06/2025;Réunion publique;;terminée;3;;;\r\n"
    )
    with (territory / "concertations.csv").open("a", encoding="cp1252", newline="") as f:
        f.write(line)
    ident = 'C"2025\\<b>05</b>'
    job = ReportJob("concertation", territory / "observatoire.toml", {"demarche": ident}, ("html",))
    result = produce_report(job, tmp_path / "out")
    assert result.status == "ok", result.error
    page = tmp_path / "out" / "concertations" / f"{safe_name(ident)}.html"
    assert result.outputs[0] == page and page.parent.parent == tmp_path / "out"
    raw = page.read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<b>05" not in raw
    text = visible_text(page)
    assert f"Démarche {ident} — Le Port" in text
    assert "Objet <script>alert(1)</script>" in text  # affiché comme du texte
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
