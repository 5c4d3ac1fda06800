"""Démo de la démocratie participative : fichiers fictifs, formes réelles, chargement, déterminisme."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from observatoire.demo.democratie_plan import PLAN
from observatoire.demo.democratie_toml import SECTIONS
from observatoire.demo.generator import generate_demo
from observatoire.privacy_text import find_spans
from observatoire.sources.registry import known_types
from observatoire.territory import Observatoire

MENTION = "Données fictives"
# type de source → table canonique
TABLES = {"concertations": "concertations", "contributions": "contributions",
          "petitions": "petitions", "signatures": "signatures", "remontees": "remontees",
          "instances": "seances", "avis": "avis", "budget_participatif": "projets_bp",
          "votes_budget_participatif": "votes_bp", "vivier_panel": "vivier"}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo")).parent


@pytest.fixture(scope="module")
def obs(demo):
    return Observatoire.from_config(demo / "observatoire.toml", use_cache=False)


def _csv(path: Path) -> list[list[str]]:
    """Lignes d'un CSV de la démo (encodage et séparateur devinés), ligne de titre comprise."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    sep = ";" if ";" in text.splitlines()[1] else ","
    return list(csv.reader(io.StringIO(text), delimiter=sep))


def _sheet(path: Path, name: str) -> list[tuple]:
    return list(load_workbook(path)[name].iter_rows(values_only=True))


def test_les_types_declares_ont_un_lecteur_et_chaque_fichier_existe(demo):
    assert set(SECTIONS) == set(TABLES)
    assert known_types() >= set(SECTIONS)
    config = tomllib.loads((demo / "observatoire.toml").read_text("utf-8"))
    declared = {spec["type"]: spec for spec in config["sources"].values()}
    assert set(declared) >= set(SECTIONS)
    files = {p.name for p in (demo / "democratie").iterdir()}
    assert files == {"concertations_2024-2025.xlsx", "contributions.csv", "petitions.csv",
                     "signatures_petitions.csv", "remontees_2025.xlsx", "instances.csv",
                     "avis_instances.csv", "budget_participatif_2025.xlsx",
                     "votes_budget_participatif_2025.csv", "vivier_panel.csv"}  # fmt: skip
    assert config["panel"] == {"taille": 30, "graine": 20250612, "minimum_moins_25": 4,
                               "criteres": ["sexe", "tranche_age", "qpv", "diplome"]}  # fmt: skip
    assert config["rapports"]["democratie"]["delai_traitement_jours"] == 30


@pytest.mark.parametrize("kind", list(TABLES))
def test_la_demo_se_charge_et_chaque_table_a_des_lignes(obs, kind):
    table = obs.table(TABLES[kind])
    assert len(table) > 0
    assert set(table["source"]) <= {name for name, *_ in SECTIONS.values()}


def test_volumes_et_formes_des_fichiers(demo):
    folder = demo / "democratie"
    sheet = _sheet(folder / "concertations_2024-2025.xlsx", "Démarches")
    assert MENTION in sheet[0][0] and MENTION in sheet[1][0] and sheet[3][0] == "N°"
    rows = sheet[4:]
    assert len(rows) >= 12 and {r[4] for r in rows} >= {"Information", "Consultation",
                                                        "Concertation", "Co-construction"}  # fmt: skip
    assert {r[5] for r in rows} & {"Tout le territoire"}
    ended = [r for r in rows if r[10] in ("Terminée", "Close", "Achevée")]
    assert sum(r[12] is None for r in ended) == 1  # une démarche terminée sans bilan
    contributions = _csv(folder / "contributions.csv")
    assert MENTION in contributions[0][0] and 280 <= len(contributions) - 2 <= 340
    suites = [r[6] for r in contributions[2:]]
    assert "" in suites and {"Retenue", "Non retenue", "Hors champ"} <= set(suites)
    with pytest.raises(UnicodeDecodeError):
        (folder / "contributions.csv").read_bytes().decode("utf-8")
    remontees = _sheet(folder / "remontees_2025.xlsx", "Remontées 2025")[4:]
    assert 380 <= len(remontees) <= 430
    statuts = [r[6] for r in remontees]
    assert {"Ouverte", "En cours"} & set(statuts) and statuts.count("Traitée") + statuts.count(
        "Résolue"
    ) > 300
    avis = _csv(folder / "avis_instances.csv")[2:]
    assert any(r[5] == "" for r in avis) and sum(r[5] != "" for r in avis) > len(avis) / 2
    votes = _csv(folder / "votes_budget_participatif_2025.csv")
    assert votes[1] == ["Édition", "Quartier", "Tranche d'âge", "Sexe", "Votants"]


def test_une_petition_atteint_son_seuil_et_declenche_le_panel(demo):
    folder = demo / "democratie"
    petitions = {r[0]: r for r in _csv(folder / "petitions.csv")[2:]}
    assert len(petitions) == 4
    statuts = {r[4] for r in petitions.values()}
    assert statuts == {"Panel citoyen", "Irrecevable", "Recevable", "Répondue"}
    daily: dict[str, int] = {}
    for ident, _day, n in _csv(folder / "signatures_petitions.csv")[2:]:
        daily[ident] = daily.get(ident, 0) + int(n)
    for ident, row in petitions.items():
        assert daily[ident] == int(row[6])  # total déclaré = somme des signatures du jour
        assert (daily[ident] >= int(row[3])) == (row[7] != ""), ident
    panel = next(r for r in petitions.values() if r[4] == "Panel citoyen")
    assert daily[panel[0]] >= int(panel[3]) and panel[7]


def test_vivier_de_500_volontaires_pseudonymes_et_biaise(demo, obs):
    rows = _csv(demo / "democratie" / "vivier_panel.csv")
    assert MENTION in rows[0][0]
    assert rows[1] == ["Identifiant", "Sexe", "Âge", "Quartier", "Diplôme"]
    people = rows[2:]
    assert len(people) >= 500
    assert all(re.fullmatch(r"V\d{4}", r[0]) for r in people)
    assert len({r[0] for r in people}) == len(people)
    for row in people:
        for cell in row:
            assert "@" not in cell and not find_spans(cell, names=True, first_names=True)
    codes = set(obs.quartiers["code"])
    names = set(obs.quartiers["nom"])
    assert {r[3] for r in people} <= codes | names | {"Hors QPV"}
    young = sum(int(r[2]) < 25 for r in people)
    assert young >= 4 * 5  # quota des moins de 25 ans réalisable largement
    assert young / len(people) < 0.12  # moins de jeunes que dans la population
    graduates = sum(r[4] == "Bac+3 et plus" for r in people) / len(people)
    assert graduates > 0.3  # plus de diplômés
    qpv = sum(r[3] != "Hors QPV" for r in people) / len(people)
    assert 0.1 < qpv < 0.3  # les habitants des QPV (28 % de la population) moins présents


def test_mention_fictive_dans_chaque_fichier(demo):
    for path in sorted((demo / "democratie").iterdir()):
        if "fictif" in path.name.lower():
            continue
        if path.suffix == ".xlsx":
            wb = load_workbook(path)
            assert wb.sheetnames[0] == "Notice"
            for ws in wb:
                assert MENTION in ws["A1"].value, (path.name, ws.title)
        else:
            assert MENTION in _csv(path)[0][0], path.name


def test_aucune_donnee_personnelle_dans_les_textes(demo):
    folder = demo / "democratie"
    cells = [c for p in folder.glob("*.csv") for row in _csv(p) for c in row]
    for path in folder.glob("*.xlsx"):
        for ws in load_workbook(path):
            for row in ws.iter_rows(min_row=2, values_only=True):
                cells += [str(c) for c in row if isinstance(c, str)]
    elus = {d.elu for d in PLAN}
    assert all("fictif" in e or "fictive" in e for e in elus)
    found = [c for c in cells if c not in elus and find_spans(c, names=True, first_names=True)]
    assert found == []


def test_atelier_emargement_et_rencontres_rattaches_a_une_demarche(demo, obs):
    sheet = _sheet(demo / "participation" / "suivi_rencontres_2025.xlsx", "Rencontres 2025")
    header = sheet[2]
    at = header.index("Démarche")
    rows = {r[0]: r for r in sheet[3:]}
    assert rows["AT-2025-EMARGEMENT"][at] == "CONC-2025-01"
    linked = {r[at] for r in sheet[3:] if r[at]}
    assert len(linked) >= 3
    ev = obs.evenements
    atelier = ev[ev["id"] == "AT-2025-EMARGEMENT"]
    assert atelier["demarche"].tolist() == ["CONC-2025-01"]
    assert set(ev["demarche"].dropna()) <= {d.id for d in PLAN}


def test_deux_generations_memes_octets(tmp_path):
    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and (p.parent.name in ("democratie", "participation") or
                                p.name == "observatoire.toml")
        }  # fmt: skip

    first = generate_demo(tmp_path / "a").parent
    second = generate_demo(tmp_path / "b").parent
    assert digest(first) == digest(second)
    assert len([k for k in digest(first) if k.startswith("democratie/")]) == 10


def test_chaque_section_de_la_demo_est_commentee(demo):
    lines = (demo / "observatoire.toml").read_text("utf-8").splitlines()
    for name, _comment, _options in SECTIONS.values():
        at = lines.index(f"[sources.{name}]")
        assert lines[at - 1].startswith("#"), name


def test_tables_chargees_coherentes(obs):
    concertations = obs.table("concertations")
    ids = set(concertations["id"])
    assert set(obs.table("contributions")["demarche"]) <= ids
    assert set(obs.evenements["demarche"].dropna()) <= ids
    ended = concertations[concertations["statut"] == "terminée"]
    assert ended["date_bilan"].isna().sum() == 1
    petitions = obs.table("petitions").set_index("id")
    panel = petitions[petitions["statut"] == "panel"]
    assert len(panel) == 1 and panel["date_seuil"].notna().all()
    assert (panel["signatures"] >= panel["seuil"]).all()
    last = obs.table("signatures").groupby("petition")["cumul"].max()
    assert (last.reindex(petitions.index) == petitions["signatures"]).all()
    vivier = obs.table("vivier")
    assert len(vivier) >= 500 and set(vivier.columns) >= {"critere_diplome", "habite_qpv"}
    assert not {"nom", "prenom", "email", "telephone", "adresse"} & set(vivier.columns)
    projets = obs.table("projets_bp")
    assert projets["laureat"].any() and projets["realise"].any() and projets["jeunes"].any()
    assert (obs.table("avis")["date_reponse"].isna()).any()
    assert (obs.table("remontees")["date_traitement"].isna()).any()
