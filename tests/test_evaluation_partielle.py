"""Rapport d'évaluation et tableaux de bord sur des données partielles (territoire fictif).

Le territoire ``tests/fixtures/evaluation_partielle`` (Clairval, quatre quartiers
FICTIFS sur deux communes ; Les Roseaux fictifs, QN99904B, ne sont ciblés par aucune
action) est décliné en une configuration par forme de données partielles :

- ``complet`` : toutes les sources (comparaison ; quartier sans action) ;
- ``sans_participation`` : aucune source de participation ;
- ``sans_programmation`` : ni programmation ni subventions (période prise dans la
  participation, sans ``--debut`` ni ``--fin``) ;
- ``sans_ventilation`` : feuille de participation sans répartition par âge ni par sexe ;
- ``un_exercice`` : un seul exercice de programmation (2025) ;
- ``sans_references`` : ni table des territoires ni valeurs de référence.

Chaque configuration est rendue par la vraie commande ``observatoire rapports
--evaluation`` (avec deux tableaux de bord) en HTML et PDF, puis lue comme un lecteur la
lirait : la phrase qui dit ce qui manque apparaît une fois, le reste tient debout, et
aucune page ne montre de coquille vide (tableau sans ligne, colonne toute « n.d. », titre
suivi de rien) ni ``None``/``nan``/``NaT``.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "evaluation_partielle"
OBSERVATOIRE = Path(sys.executable).with_name("observatoire")
QUARTIERS = ("QN99901A", "QN99904B")  # un quartier ciblé, un quartier sans action
CONFIGS = (
    "complet",
    "sans_participation",
    "sans_programmation",
    "sans_ventilation",
    "un_exercice",
    "sans_references",
)
FORBIDDEN = re.compile(r"\b(None|nan|NaN|NaT|<NA>)\b|<bloc |Traceback")
EMPTY_CELLS = {"n.d.", "donnée non disponible", ""}


# ------------------------------------------------------------------ lecture des rapports


def page_text(path: Path) -> str:
    """Texte visible d'une page HTML (texte alternatif des figures compris)."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style|iframe)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    raw = re.sub(r"<img[^>]*\balt=\"([^\"]*)\"[^>]*>", r" \1 ", raw)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def pdf_text(path: Path) -> str:
    """Texte du PDF, sans les lettres isolées du filigrane « Données fictives »."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext absent : `make test` installe poppler-utils (voir .ci/run)")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [ln for ln in out.splitlines() if not re.fullmatch(r"\s*[Donéesfictv]{1,3}\s*", ln)]
    text = re.sub(r"\s+", " ", " ".join(lines))
    return text.replace("\u2010 ", "").replace("- ", "-")  # césures du PDF


class _Tables(HTMLParser):
    """Tableaux (en-têtes et lignes de cellules) et suite des titres ``h2`` et blocs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.sequence: list[str] = []  # « h2:Titre » ou « bloc »
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_body = False
        self._h2: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table":
            self.tables.append({"header": [], "rows": []})
            self.sequence.append("bloc")
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "h2":
            self._h2 = []
        elif tag in ("figure", "p", "dl") or "bloc" in classes.split():
            self.sequence.append("bloc")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            table = self.tables[-1]
            (table["rows"] if self._in_body else table["header"]).append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "h2" and self._h2 is not None:
            self.sequence.append("h2:" + " ".join("".join(self._h2).split()))
            self._h2 = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._h2 is not None:
            self._h2.append(data)


def parse(path: Path) -> _Tables:
    parser = _Tables()
    raw = re.sub(r"<(script|style|iframe)\b.*?</\1>", " ", path.read_text(encoding="utf-8"),
                 flags=re.S | re.I)  # fmt: skip
    parser.feed(raw)
    return parser


def headings(path: Path) -> list[str]:
    return [s[3:] for s in parse(path).sequence if s.startswith("h2:")]


def assert_no_empty_shell(path: Path) -> None:
    """Aucun tableau sans ligne, aucune colonne toute « n.d. », aucun titre suivi de rien."""
    parsed = parse(path)
    for table in parsed.tables:
        if not table["header"] and not table["rows"]:
            continue
        assert table["rows"], f"{path.name} : tableau sans ligne {table['header']}"
        header = table["header"][-1] if table["header"] else []
        for i, name in enumerate(header):
            column = [row[i] for row in table["rows"] if i < len(row)]
            assert not all(c in EMPTY_CELLS for c in column), (
                f"{path.name} : colonne « {name} » vide ou toute « n.d. »"
            )
    seq = parsed.sequence
    for i, item in enumerate(seq):
        if item.startswith("h2:") and item != "h2:Sommaire":
            follow = seq[i + 1] if i + 1 < len(seq) else None
            assert follow == "bloc", f"{path.name} : titre « {item[3:]} » suivi de rien"


# ------------------------------------------------------------------ production


def copy_fixture(work: Path) -> Path:
    """Copie du territoire fictif (le cache s'écrit à côté de la configuration, pas ici)."""
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, work / path.name)
    return work


def _produce(config: str, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp(config)
    copy_fixture(work)
    out = work / "reports"
    args = [str(OBSERVATOIRE), "rapports", "--config", str(work / f"{config}.toml")]
    args += ["--evaluation", "--format", "html,pdf", "--sortie", str(out), "--jobs", "1"]
    for code in QUARTIERS:
        args += ["--quartier", code]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    return {config: _produce(config, tmp_path_factory) for config in CONFIGS}


def evaluation(out: Path) -> Path:
    [path] = sorted((out / "evaluation").glob("*.html"))
    return path


def texts(path: Path) -> dict[str, str]:
    return {"HTML": page_text(path), "PDF": pdf_text(path.with_suffix(".pdf"))}


def once(text: dict[str, str], sentence: str) -> None:
    """La phrase figure exactement une fois dans chaque rendu (espaces insécables compris)."""
    sentence = re.sub(r"\s+", " ", sentence)
    for kind, content in text.items():
        assert content.count(sentence) == 1, f"{kind} : « {sentence} » × {content.count(sentence)}"


# ------------------------------------------------------------------ tous les rendus


def test_aucune_coquille_vide_ni_none(reports):
    for config, out in reports.items():
        pages = [evaluation(out)] + [out / "quartiers" / f"{c}.html" for c in QUARTIERS]
        for page in pages:
            for kind, content in texts(page).items():
                found = FORBIDDEN.search(content)
                assert found is None, f"{config}/{page.name} ({kind}) : « {found.group(0)} »"
                assert "Clairval" in content and "fictiv" in content.lower()
            assert_no_empty_shell(page)


# ------------------------------------------------------------------ une fixture par cas


def test_sans_participation(reports):
    out = reports["sans_participation"]
    text = texts(evaluation(out))
    once(text, "Aucune donnée de participation des habitants n'est déclarée dans la "
               "configuration de ce territoire (ni feuille d'événements, ni présences, ni "
               "export Decidim) : la participation des habitants n'est pas évaluée.")  # fmt: skip
    for kind, content in text.items():  # le reste du rapport tient debout
        assert "Montant accordé" in content and "69 000 €" in content, kind
        assert "Quartiers nettement sous-dotés" in content, kind
    dashboard = texts(out / "quartiers" / "QN99901A.html")
    once(dashboard, "la participation dans ce quartier n'est pas connue.")
    assert "au 2e rang sur 4 quartiers" in dashboard["HTML"]


def test_sans_programmation_une_phrase_et_pas_de_sections_financieres(reports):
    out = reports["sans_programmation"]
    page = evaluation(out)
    assert page.name == "contrat-de-ville-2024-2025.html"  # années de la participation
    once(texts(page), "Aucune programmation du contrat de ville n'est déclarée dans la "
                      "configuration (ni classeur de programmation, ni subventions publiées "
                      "au format SCDL)")  # fmt: skip
    shown = headings(page)
    for title in ("Financements", "Répartition par quartier", "Besoins et moyens"):
        assert title not in shown and title not in page_text(page), title
    assert {"Programmation", "Participation", "Sources et méthode"} <= set(shown)
    assert "Participation par quartier, 2024–2025" in page_text(page)
    assert "Fichiers de programmation utilisés" not in page_text(page)
    dashboard = texts(out / "quartiers" / "QN99901A.html")
    once(dashboard, "les moyens engagés dans le quartier ne sont pas connus.")


NI_PROGRAMMATION_NI_PARTICIPATION = """
[territoire]
nom = "Clairval (données fictives)"
generation = 2024
fictif = true

[sources.qpv]
type = "qpv_liste"
fichier = "liste_qpv_2024.csv"
"""


def test_ni_programmation_ni_participation_la_periode_est_demandee(tmp_path):
    shutil.copy(FIXTURE / "liste_qpv_2024.csv", tmp_path / "liste_qpv_2024.csv")
    config = tmp_path / "observatoire.toml"
    config.write_text(NI_PROGRAMMATION_NI_PARTICIPATION, encoding="utf-8")
    done = subprocess.run(
        [str(OBSERVATOIRE), "rapports", "--config", str(config), "--evaluation",
         "--sortie", str(tmp_path / "reports")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ni aucun événement de participation" in done.stderr
    assert "--debut et --fin" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "reports" / "evaluation").exists()


def test_participation_sans_repartition_par_age_ni_sexe(reports):
    out = reports["sans_ventilation"]
    sentence = ("Les feuilles de participation ne ventilent les participants ni par âge, ni par "
                "sexe (et aucune feuille de présences ne les décrit) : la représentativité des "
                "participants n'est pas mesurable.")  # fmt: skip
    for page in (evaluation(out), out / "quartiers" / "QN99901A.html"):
        text = texts(page)
        once(text, sentence)
        for kind, content in text.items():
            assert "Qui participe" not in content, kind  # pas de graphique sans barres
            assert "Représentativité des participants (1" not in content, kind
            assert "sous-représenté" not in content, kind  # rien d'affirmé sur l'inconnu
        assert "Participation par dispositif" in text["HTML"]
    # avec la ventilation, la même section montre le graphique et le tableau
    full = page_text(reports["complet"] / "quartiers" / "QN99901A.html")
    assert "Qui participe ? Les Coteaux fictifs (QN99901A)" in full
    assert "Les feuilles ne disent pas le lieu de résidence des participants" in full


def test_un_seul_exercice(reports):
    out = reports["un_exercice"]
    page = evaluation(out)
    assert page.name == "contrat-de-ville-2025.html"  # pas « 2025-2025 »
    text = texts(page)
    once(text, "Un seul exercice de programmation sur la période : 2025. L'évolution d'une "
               "année sur l'autre n'est pas mesurable.")  # fmt: skip
    for kind, content in text.items():
        assert "Évaluation du contrat de ville 2025" in content, kind
        assert "2025–2025" not in content and "2025-2025" not in content, kind
        assert "Programmation par année" not in content, kind
        assert "Participation par quartier, 2025" in content, kind
    dashboard = page_text(out / "quartiers" / "QN99901A.html")
    assert "de la programmation 2025 ciblent le quartier (dont 1 non accordée)" in dashboard
    assert "non accordé" in dashboard and "2025–2025" not in dashboard
    # plusieurs exercices : le tableau par année est là, la phrase non
    complet = page_text(evaluation(reports["complet"]))
    assert "Programmation par année" in complet and "Un seul exercice" not in complet


def test_sans_references_le_rapport_tient_debout(reports):
    page = evaluation(reports["sans_references"])
    reference = evaluation(reports["complet"])
    assert headings(page) == headings(reference)
    for kind, content in texts(page).items():
        assert "Montant accordé" in content and "69 000 €" in content, kind
        assert "corrélation entre le besoin et les euros par habitant" in content, kind
        assert "donnée non disponible" not in content, kind
    dashboard = page_text(reports["sans_references"] / "quartiers" / "QN99901A.html")
    assert "au 2e rang sur 4 quartiers" in dashboard


def test_quartier_sans_aucune_action(reports, tmp_path):
    import observatoire
    from observatoire.views.format import format_euros

    out = reports["complet"]
    text = texts(evaluation(out))
    once(text, "Aucune action accordée de la période ne cible Les Roseaux fictifs (0 € attribué).")
    once(
        text, "Aucun événement de participation entre 2024 et 2025 ne concerne Les Roseaux fictifs."
    )
    obs = observatoire.open(copy_fixture(tmp_path) / "complet.toml")
    per_hab = obs.contrat.euros_par_habitant(obs.contrat.annees)["euros_par_habitant"].dropna()
    median = format_euros(per_hab.median(), 2)
    dashboard = texts(out / "quartiers" / "QN99904B.html")
    once(dashboard, "Aucune action de la programmation 2024–2025 ne cible ce quartier : 0 € par "
                    f"habitant, quand la médiane des {len(per_hab)} quartiers est de {median}.")  # fmt: skip
    once(dashboard, "Aucun des 4 événements de participation enregistrés entre 2024 et 2025 ne "
                    "concerne ce quartier.")  # fmt: skip
    for kind, content in dashboard.items():
        assert "Principales actions ciblant le quartier" not in content, kind


def test_taux_de_participation_d_un_quartier_sans_evenement_la_derniere_annee(reports):
    """Le Moulin fictif n'a d'événement qu'en 2024 : sa population reste connue (32 / 1 600 /
    2 ans × 1 000 = 10,0 pour 1 000 habitants par an)."""
    parsed = parse(evaluation(reports["complet"]))
    table = next(
        t for t in parsed.tables if t["header"] and "Pour 1 000 habitants par an" in t["header"][-1]
    )
    row = next(r for r in table["rows"] if r[0].startswith("Le Moulin fictif"))
    assert row[1:] == ["1", "32", "10,0"]


# ------------------------------------------------------------------ sans la CLI


def test_titre_sans_objet_non_publie():
    import nbformat

    from observatoire.publish import blocks
    from observatoire.publish.render import render_html

    def nb(with_block: bool):
        note = nbformat.v4.new_markdown_cell("## Financements\n\nMontants par financeur.")
        note.metadata["tags"] = ["hide_if_empty"]
        code = nbformat.v4.new_code_cell("show(...)")
        if with_block:
            bundle = blocks.texte("Effet levier : 0,37 €.", display=False)._repr_mimebundle_()
            code.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
        tail = nbformat.v4.new_markdown_cell("## Sources et méthode\n\nProvenance.")
        return nbformat.v4.new_notebook(cells=[note, code, tail])

    hidden, shown = render_html(nb(False)), render_html(nb(True))
    assert "Financements" not in hidden and "Montants par financeur" not in hidden
    assert "Sources et méthode" in hidden  # un titre sans étiquette reste publié
    assert shown.count("Financements") == 2  # sommaire et titre
    assert "Effet levier : 0,37 €." in shown


def test_groupe_nomme_par_code_faute_de_nom(tmp_path):
    import pandas as pd

    import observatoire
    from observatoire.publish.sections import groupe

    obs = observatoire.open(copy_fixture(tmp_path) / "sans_references.toml")
    assert groupe._name(obs, "departement", "65") == "Hautes-Pyrénées"  # COG embarqué
    assert groupe._name(obs, "epci", "200000001") == "200000001"  # ni fichier ni COG : le code
    assert groupe._name(obs, "epci", "200099999") == "Communauté fictive de Clairval"
    assert not groupe._known(pd.NA) and not groupe._known(None) and not groupe._known("")


def _blocks_text(items) -> str:
    parts = []
    for b in items:
        d = b.data
        parts += d.get("paragraphes", []) + [d.get("message", ""), d.get("legende", "") or ""]
    return " ".join(parts)


def test_periode_sans_action_dit_les_annees_chargees(tmp_path):
    import observatoire
    from observatoire.publish.sections import contrat

    obs = observatoire.open(copy_fixture(tmp_path) / "complet.toml")
    p = contrat.periode(obs, 2020, 2021, None)
    [only] = contrat.programmation(obs, p)
    assert only.data["type"] == "absent"
    assert only.data["message"].startswith(
        "Aucune action programmée entre 2020 et 2021 : la programmation chargée couvre 2024–2025."
    )
    for section in (contrat.financements, contrat.repartition, contrat.besoins_moyens):
        assert section(obs, p) == []  # titres non publiés (hide_if_empty)


POPULATION_INCONNUE = """
[territoire]
nom = "Clairval (données fictives)"
generation = 2024
fictif = true

[sources.qpv]
type = "qpv_liste"
fichier = "liste_qpv_2024.csv"
"""


def test_population_inconnue_pas_de_colonne_vide(tmp_path):
    import observatoire
    from observatoire.publish.sections import contrat

    work = copy_fixture(tmp_path)
    prog = (work / "complet.toml").read_text(encoding="utf-8").split("[sources.programmation]")[1]
    config = work / "population_inconnue.toml"
    config.write_text(
        POPULATION_INCONNUE + "\n[sources.programmation]" + prog.replace(
            'ponderation = "population"', 'ponderation = "egale"'
        ),
        encoding="utf-8",
    )  # fmt: skip
    obs = observatoire.open(config)
    p = contrat.periode(obs, None, None, None)
    items = contrat.repartition(obs, p)
    kinds = [b.data["type"] for b in items]
    assert "figure" not in kinds  # pas de graphique sans barres
    [table] = [b for b in items if b.data["type"] == "tableau"]
    assert table.data["legende"] == "Montants accordés attribués, par quartier"
    text = _blocks_text(items)
    assert "les euros par habitant ne sont pas calculables" in text
    assert "Aucune action accordée de la période ne cible Les Roseaux fictifs" in text
    [need] = contrat.besoins_moyens(obs, p)
    assert need.data["type"] == "absent" and "au moins trois" in need.data["message"]


def test_subventions_publiees_seules(tmp_path):
    """Le SCDL ne recense que des accords : ni tuile « demandé »/« versé », ni taux de refus
    de 0 %, ni barres « n.d. » ; une phrase le dit, une fois."""
    import observatoire
    from observatoire.publish.sections import contrat

    obs = observatoire.open(copy_fixture(tmp_path) / "subventions_seules.toml")
    p = contrat.periode(obs, None, None, None)
    items = contrat.programmation(obs, p)
    [tiles] = [b for b in items if b.data["type"] == "chiffres"]
    labels = [label for label, _ in tiles.data["items"]]
    assert labels == ["Actions programmées", "Porteurs", "Montant accordé"]
    text = _blocks_text(items)
    assert text.count("ne recensent que les montants accordés : ni demandes, ni refus, ni ") == 1
    assert "Un seul exercice de programmation sur la période : 2025." in text
    money = contrat.financements(obs, p)
    [table] = [b for b in money if b.data["type"] == "tableau"]
    assert "Demandé" not in str(table.data) and "Versé" not in str(table.data)
    [figure] = [b for b in money if b.data["type"] == "figure"]
    assert "demandé" not in figure.data["alt"] and "versé" not in figure.data["alt"]
    assert "Effet levier non calculable" in _blocks_text(money)
    for section in (contrat.programmation, contrat.financements, contrat.repartition):
        shown = section(obs, p)
        alts = " ".join(b.data.get("alt", "") for b in shown)
        cells = " ".join(str(b.data.get("lignes", b.data.get("items", ""))) for b in shown)
        assert FORBIDDEN.search(_blocks_text(shown) + alts + cells) is None
