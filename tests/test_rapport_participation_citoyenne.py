"""Rapport annuel de la participation citoyenne, produit par la vraie commande.

Territoire FICTIF de Clairval (``tests/fixtures/democratie/annuel``) : ``complet.toml``
déclare toutes les sources de la démocratie participative (concertations et
contributions, pétitions et signatures, vivier d'un panel, remontées, séances et avis,
budget participatif et votes, événements de participation) ; ``remontees_seules.toml``
ne suit que les remontées des usagers. Chaque rapport est produit par
``observatoire rapports --participation`` (papermill, HTML, PDF) puis lu comme un lecteur
le lirait : le texte de la page, ses figures et leurs alternatives dans Chromium, le PDF
par pdftotext.
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
from fiabilite_outils import run_cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "democratie" / "annuel"
NOTEBOOK = ROOT / "notebooks" / "participation_citoyenne.ipynb"
SECTIONS = [
    "Programme des concertations",
    "Pétitions citoyennes",
    "Panel citoyen tiré au sort",
    "Remontées des usagers",
    "Instances et avis",
    "Budget participatif",
    "Publics éloignés, quartier par quartier",
    "Sources et méthode",
]
FORBIDDEN = re.compile(r"\b(None|nan|NaN|NaT)\b|<NA>|&lt;NA&gt;")
STEM = Path("participation") / "participation-citoyenne-2025"


def _page_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    raw = re.sub(r'src="data:[^"]*"', " ", raw)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext absent : `make test` installe poppler-utils (voir .ci/run)")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True)  # fmt: skip
    return re.sub(r"\s+", " ", out.stdout)


def h2(path: Path) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<h2 id="[^"]+">(.*?)</h2>',
                                                  path.read_text(encoding="utf-8"))]  # fmt: skip


def _produce(config: str, tmp_path_factory, *extra: str) -> Path:
    src = tmp_path_factory.mktemp(config)
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, src / path.name)
    out = src / "reports"
    done = run_cli("rapports", "--config", str(src / f"{config}.toml"), "--participation",
                   *extra, "--format", "html,pdf", "--sortie", str(out), "--jobs", "1")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def complet(tmp_path_factory) -> Path:
    return _produce("complet", tmp_path_factory, "--annee", "2025")


@pytest.fixture(scope="module")
def remontees_seules(tmp_path_factory) -> Path:
    return _produce("remontees_seules", tmp_path_factory)  # année : la dernière des données


# ------------------------------------------------------------------ notebook committé


def test_notebook_committe_sans_sortie_parametres_et_sections_dans_l_ordre():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert {"config", "annee"} <= set(re.findall(r"^(\w+)\s*=", tagged[0].source, flags=re.M))
    titles = [line[3:].strip() for c in nb.cells if c.cell_type == "markdown"
              for line in c.source.splitlines() if line.startswith("## ")]  # fmt: skip
    assert titles == SECTIONS
    hidden = [c for c in nb.cells if "hide_if_empty" in c.metadata.get("tags", [])]
    assert len(hidden) == len(SECTIONS) - 1  # « Sources et méthode » est toujours publié


# ------------------------------------------------------------------ territoire complet


def test_rapport_complet_fichiers_et_sections(complet):
    files = sorted(p.name for p in (complet / STEM.parent).iterdir())
    assert files == [f"{STEM.name}.html", f"{STEM.name}.ipynb", f"{STEM.name}.pdf"]
    page = complet / STEM.with_suffix(".html")
    raw = page.read_text(encoding="utf-8")
    assert '<html lang="fr"' in raw
    assert h2(page) == [*SECTIONS, "Provenance"]
    assert "Rapport de la participation citoyenne 2025" in raw
    text = _page_text(page)
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text).group(0)
    assert "Données fictives" in text


def test_rapport_complet_chiffres_verifies_a_la_main(complet):
    text = _page_text(complet / STEM.with_suffix(".html"))
    # concertations 2025 : 5 démarches, 3 terminées dont 2 avec bilan (C25-01, C25-03)
    assert "Démarches commencées 5" in text and "Démarches terminées 3" in text
    assert "3 démarches terminées : 2 avec un bilan publié, 1 sans bilan publié." in text
    # bilans : C25-01 fin 30/06 → 15/09 (77 jours), C25-03 fin 15/10 → 20/11 (36 jours)
    assert "56,5 jours" in text
    # contributions : 2 retenues + 2 partiellement sur 5 avec suite hors « hors sujet »
    assert "Taux de prise en compte : 80 %" in text.replace("\u00a0", " ")
    # participants aux événements liés à C25-03 : 9 + 24
    assert "C25-03 — Projet de territoire 2030" in text and " 33 " in text
    # pétition P25-01 : 412 signatures, seuil 300 atteint le 28/03/2025 (46 jours après le dépôt)
    assert "P25-01 — Pour un passage piéton sécurisé devant l'école des Coteaux" in text
    assert "oui le 28/03/2025 (46 jours après le dépôt)" in text
    assert "pas encore de réponse" in text  # P25-02
    # panel : 12 sièges parmi 120 volontaires, graine 2025 ; aucun pseudonyme publié
    assert "Panel de 12 sièges tiré au sort parmi les 120 volontaires" in text
    assert "graine publiée 2025" in text
    assert ("Pétition de 2025 qui a atteint le seuil et saisi un panel citoyen : P25-01 — Pour un "
            "passage piéton") in text  # fmt: skip
    assert not re.search(r"\bV\d{3}\b", text)
    # remontées 2025 : 20 reçues
    assert "Remontées reçues 20" in text
    # avis : 3 répondus sur 5
    assert "Avis rendus 5" in text and "3 (60 %)" in text.replace("\u00a0", " ")
    # budget participatif 2025 : 5 projets déposés, 3 lauréats (3 500 + 12 000 + 25 000 €)
    assert "Projets déposés 5" in text and "Projets lauréats 3" in text
    assert "40 500 €" in text.replace("\u202f", " ").replace("\u00a0", " ")
    # aucune description libre de remontée ni texte de contribution n'est repris
    assert "Lampadaire en panne" not in text and "Plus de jeux pour les petits" not in text


def test_petits_effectifs_masques(complet):
    text = _page_text(complet / STEM.with_suffix(".html")).replace("\u00a0", " ")
    # 3 votants aux Roseaux (sous le seuil de 5) : « < 5 », taux masqué ; La Prairie (66)
    # est masquée aussi, sinon elle se déduirait du total publié (380)
    assert "Les Roseaux fictifs (QN99904B) < 5 masqué" in text
    assert "La Prairie fictive (QN99903B) masqué masqué" in text and "Votants 380" in text
    # atelier de La Prairie (9 participants) : groupes trop petits pour la représentativité
    assert "La Prairie fictive (QN99903B) 1 9 non publiable (petits effectifs masqués)" in text


def test_figures_alternatives_et_tableaux_dans_chromium(chromium, complet):  # noqa: F811
    with open_offline(chromium, complet / STEM.with_suffix(".html")) as page:
        assert page.problems == []
        images = page.page.locator("figure.bloc-figure img")
        assert images.count() >= 6  # niveaux, signatures ×2, panel, canal, stock, votants…
        for i in range(images.count()):
            alt = images.nth(i).get_attribute("alt") or ""
            assert len(alt) > 40 and not FORBIDDEN.search(alt), alt
            box = images.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50
        headers = page.page.locator("table th[scope=col]")
        assert headers.count() > 20
        tables = page.page.locator("table")
        for i in range(tables.count()):
            assert tables.nth(i).locator("th[scope=col]").count() >= 2


def test_pdf_du_rapport_complet(complet):
    text = _pdf_text(complet / STEM.with_suffix(".pdf"))
    assert "Rapport de la participation citoyenne 2025" in text
    for title in SECTIONS:
        assert title in text, title
    assert "Données fictives" in text
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text).group(0)


# ------------------------------------------------------------------ données partielles


def test_remontees_seules_sections_absentes(remontees_seules):
    page = remontees_seules / STEM.with_suffix(".html")
    assert h2(page) == ["Remontées des usagers", "Sources et méthode", "Provenance"]
    text = _page_text(page)
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text).group(0)
    assert ("ne décrivent ni les démarches de concertation, ni les pétitions, ni le vivier "
            "d'un panel tiré au sort, ni les séances et avis des instances, ni le budget "
            "participatif") in text  # fmt: skip
    for absent in ("Panel de", "Projets déposés", "Avis rendus", "Publics sous-représentés"):
        assert absent not in text
    assert "Remontées reçues 20" in text
    pdf = _pdf_text(remontees_seules / STEM.with_suffix(".pdf"))
    assert "Remontées des usagers" in pdf and "Budget participatif" not in pdf
    assert not FORBIDDEN.search(pdf)


def test_annee_sans_donnee_dit_pourquoi(tmp_path):
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    done = run_cli("rapports", "--config", str(tmp_path / "remontees_seules.toml"),
                   "--participation", "--annee", "2019", "--sortie", str(tmp_path / "r"),
                   "--jobs", "1")  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode != 0, log
    assert "Aucune donnée de participation citoyenne en 2019" in log and "2025" in log
    assert not list((tmp_path / "r").rglob("participation-citoyenne-*"))


# ------------------------------------------------------------------ tableau de bord de quartier


@pytest.fixture(scope="module")
def tableaux(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("tableaux")
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, src / path.name)
    out = src / "reports"
    done = run_cli("rapports", "--config", str(src / "complet.toml"), "--quartier", "QN99901A",
                   "--quartier", "QN99904B", "--format", "html", "--sortie", str(out),
                   "--jobs", "1")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "quartiers"


def _participation_section(page: Path) -> str:
    text = _page_text(page)
    start = text.index("Participation des habitants", text.index("Sommaire") + 200)
    return text[start : text.index("Contrat de ville", start)]


def test_tableau_de_bord_gagne_demarches_petitions_remontees_budget(tableaux):
    section = _participation_section(tableaux / "QN99901A.html")
    assert not FORBIDDEN.search(section), FORBIDDEN.search(section).group(0)
    # démarches citant les Coteaux : C25-05, C25-03, C24-01 (plus récente d'abord)
    assert section.index("C25-05 — Cour d'école oasis") < section.index("C24-01 — Plan de mobilité")
    assert "démarche non terminée" in section and "publié le 20/11/2025" in section
    assert "Pétitions citoyennes qui concernent le quartier" in section and "P25-01" in section
    assert "P25-02" not in section  # pétition de La Prairie
    assert "Remontées des usagers en 2025 8" in section  # 8 remontées aux Coteaux
    assert "Projets du budget participatif 2025 1" in section and "Votants 2025 197" in section


def test_tableau_de_bord_sans_donnee_du_quartier_ne_dit_rien_de_plus(tableaux):
    section = _participation_section(tableaux / "QN99904B.html").replace("\u00a0", " ")
    for absent in ("Démarches de concertation qui concernent", "Pétitions citoyennes",
                   "Remontées des usagers en", "Projets du budget participatif 2025"):  # fmt: skip
        assert absent not in section, absent
    assert "Votants 2025 < 5" in section  # 3 votants aux Roseaux : masqués


# ------------------------------------------------------------------ sections, cas limites


def _territory(tmp_path: Path, panel: str | None) -> object:
    import observatoire

    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    config = tmp_path / "complet.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[panel]")
    end = text.index("[sources.", start)
    config.write_text(text[:start] + (panel or "") + "\n" + text[end:], encoding="utf-8")
    return observatoire.open(config)


def _texts(items) -> str:
    """Tout le texte des blocs (paragraphes, messages, chiffres clés, cellules)."""
    import json

    return " ".join(json.dumps(b.data, ensure_ascii=False) if b.data["type"] in ("chiffres", "tableau")
                    else str(b) for b in items)  # fmt: skip


def test_panel_impossible_explique_en_une_phrase(tmp_path):
    from observatoire.publish.sections import democratie_annuel, democratie_annuel_suivi

    obs = _territory(tmp_path, "[panel]\ntaille = 12\ngraine = 2025\nminimum_moins_25 = 12\n")
    a = democratie_annuel.contexte(obs, 2025)
    out = democratie_annuel_suivi.panel(obs, a)
    assert [b.data["type"] for b in out] == ["absent"]
    message = out[0].data["message"]
    assert message.startswith(
        "Le panel citoyen n'a pas pu être tiré dans le vivier (120 volontaires)"
    )
    assert not FORBIDDEN.search(message)


def test_panel_sans_tirage_configure(tmp_path):
    from observatoire.publish.sections import democratie_annuel, democratie_annuel_suivi

    obs = _territory(tmp_path, None)
    a = democratie_annuel.contexte(obs, 2025)
    out = democratie_annuel_suivi.panel(obs, a)
    assert _texts(out) == (
        "Le vivier du panel citoyen compte 120 volontaires ; aucun tirage n'est configuré "
        "([panel] taille et graine) : ni quotas ni panel à publier."
    )


def test_annee_sans_edition_du_budget_ni_petition(tmp_path):
    from observatoire.publish.sections import (
        democratie_annuel,
        democratie_annuel_budget,
        democratie_annuel_suivi,
    )

    obs = _territory(tmp_path, None)
    a = democratie_annuel.contexte(obs, 2024)  # 2024 : une démarche, deux projets, aucune pétition
    assert (
        _texts(democratie_annuel_suivi.petitions(obs, a))
        == "Aucune pétition n'a été déposée en 2024."
    )
    budget = democratie_annuel_budget.budget_participatif(obs, a)
    text = _texts(budget)
    assert "Aucun vote de l'édition 2024 n'est enregistré." in text
    assert '["Projets déposés", "2"]' in text and "Votants" not in text  # BP24-1 et BP24-2
