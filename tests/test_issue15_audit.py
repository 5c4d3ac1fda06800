"""Audit de l'issue 15 : ce que les autres tests de l'issue ne vérifiaient pas encore.

- en-têtes des fixtures Decidim 0.27 et 0.30 recalculés comme ``Decidim::Exporters::CSV``
  les écrit (clés aplaties de la **première** rencontre seulement, champs du
  ``MeetingSerializer`` de decidim-meetings dans leur ordre) ;
- valeurs d'erreur d'Excel (``#N/A``, ``#REF!``) dans une colonne d'indicateur : refusées
  par la vraie commande en nommant fichier, ligne, colonne et valeur ;
- millésime **ancien** sous secret statistique : « Évolution » le dit au lieu de perdre
  l'indicateur en silence ;
- 0.27 dont la première rencontre a un périmètre (``scope/name/fr`` existe) : quartiers
  lus par leur nom, périmètre nommé inconnu refusé (ligne, colonne, valeur).
"""

from __future__ import annotations

import csv
import shutil
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fiabilite_outils import CORPUS, build_case, run_cli
from test_rapports_partiels import FIXTURE as PARTIEL
from test_sections_indicateurs import _text

import observatoire
from observatoire.publish.sections import quartier as tableau

DECIDIM = Path(__file__).resolve().parent / "fixtures" / "decidim_reel"
LOCALES = ("fr", "en")


def _t() -> dict[str, str]:
    """Champ traduit (organisation en français et anglais)."""
    return {lang: "" for lang in LOCALES}


def _flatten(value: object, key: str = "") -> list[str]:
    """Clés aplaties comme ``Decidim::Exporters::CSV#flatten`` (listes en une colonne)."""
    if isinstance(value, dict):
        out: list[str] = []
        for sub, inner in value.items():
            out += _flatten(inner, f"{key}/{sub}" if key else str(sub))
        return out
    return [key]


def _serialized_027(category: bool, scope: bool) -> dict:
    """``MeetingSerializer`` 0.27 pour une rencontre (catégorie, périmètre éventuels)."""
    return {
        "id": 1,
        "category": {"id": 1, "name": _t() if category else None},
        "scope": {"id": 1, "name": _t() if scope else None},
        "participatory_space": {"id": 1, "url": ""},
        "component": {"id": 1},
        "title": _t(), "description": _t(), "start_time": "", "end_time": "",
        "attendees": 0, "contributions": 0, "organizations": "", "address": "",
        "location": _t(), "reference": "", "comments": 0, "attachments": 0, "followers": 0,
        "url": "", "related_proposals": [], "related_results": [], "published": True,
    }  # fmt: skip


def _serialized_030(taxonomy_ids: list[int]) -> dict:
    """``MeetingSerializer`` 0.30 (taxonomies, groupes d'utilisateurs encore présents)."""
    return {
        "id": 1,
        "author": {"id": 1, "name": "", "url": ""},
        "participatory_space": {"id": 1, "url": ""},
        "taxonomies": {"ids": taxonomy_ids, **{str(t): _t() for t in taxonomy_ids}},
        "component": {"id": 1},
        "title": _t(), "description": _t(), "start_time": "", "end_time": "",
        "attendees": 0, "contributions": 0, "organizations": "", "address": "",
        "location": _t(), "reference": "", "attachments": 0, "url": "",
        "related_proposals": [], "related_results": [], "published": True,
        "withdrawn": False, "withdrawn_at": None, "location_hints": _t(), "created_at": "",
        "updated_at": "", "latitude": 0, "longitude": 0, "follows_count": 0,
        "private_meeting": False, "transparent": False, "registration_form_enabled": False,
        "comments": {"start_time": "", "end_time": "", "enabled": True, "count": 0},
        "online_meeting_url": "", "closing_visible": True, "closing_report": _t(),
        "attending_organizations": "", "registration_url": "", "decidim_user_group_id": None,
        "decidim_author_type": "", "video_url": "", "audio_url": "", "closed_at": "",
        "registration_terms": _t(), "available_slots": 0, "registrations_enabled": False,
        "customize_registration_email": False, "type_of_meeting": "",
        "iframe_access_level": "all", "iframe_embed_type": "", "reserved_slots": 0,
        "registration_type": "",
    }  # fmt: skip


def _rows(name: str) -> list[list[str]]:
    with (DECIDIM / name).open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


def test_entete_027_celui_de_la_premiere_rencontre():
    rows = _rows("rencontres_0.27.csv")
    head = rows[0]
    first = dict(zip(head, rows[1], strict=True))
    # première rencontre : une catégorie, aucun périmètre → « scope/name » sans langue
    assert first["category/id"] and not first["scope/id"]
    assert head == _flatten(_serialized_027(category=True, scope=False))
    assert "scope/name/fr" not in head and len(head) == 29
    assert all(len(r) == len(head) for r in rows)  # Decidim écrit chaque en-tête par ligne
    named = _rows("rencontres_0.27_perimetre_nomme.csv")
    assert named[0] == _flatten(_serialized_027(category=True, scope=True))
    assert all(len(r) == len(named[0]) for r in named)


@pytest.mark.parametrize("name", ["rencontres_0.30.csv", "rencontres_fuseau_organisation.csv"])
def test_entete_030_celui_de_la_premiere_rencontre(name):
    rows = _rows(name)
    head = rows[0]
    ids = [int(t) for t in dict(zip(head, rows[1], strict=True))["taxonomies/ids"].split(", ")]
    assert ids == [31, 40]
    assert head == _flatten(_serialized_030(ids))
    assert len(head) == 67  # la forme constatée dans l'issue
    # taxonomies des rencontres suivantes (32, 41) : identifiant seul, jamais de colonne
    others = {t for r in rows[1:] for t in dict(zip(head, r, strict=True))["taxonomies/ids"]
              .split(", ") if t}  # fmt: skip
    if name == "rencontres_0.30.csv":
        assert {"32", "41"} <= others
    assert not any(c.startswith(("taxonomies/32/", "taxonomies/41/")) for c in head)
    assert all(len(r) == len(head) for r in rows)


# ---------------------------------------------------------------- valeurs d'erreur d'Excel


def _formula_case() -> dict:
    cases = tomllib.loads((CORPUS / "cas_classeurs.toml").read_text(encoding="utf-8"))["cas"]
    return next(c for c in cases if c["id"] == "classeur-formules-sans-valeur-en-cache")


def test_valeurs_d_erreur_excel_refusees_en_les_nommant(tmp_path):
    case = _formula_case()
    territory = build_case(case, tmp_path / "territoire")
    book = territory / "formules_sans_valeur.xlsx"
    wb = openpyxl.load_workbook(CORPUS / case["fichiers"][0])
    sheet = wb["Données"]
    sheet["E2"], sheet["E4"] = "#N/A", "#REF!"  # openpyxl les écrit en cellules d'erreur
    assert sheet["E2"].data_type == "e"
    wb.save(book)
    result = run_cli("valider", "--config", str(territory / "observatoire.toml"), cwd=tmp_path)
    err = result.stderr
    assert result.returncode == 2, result.stdout + err
    assert "Traceback" not in result.stdout + err
    assert "fichier formules_sans_valeur.xlsx, ligne 2, colonne « TX_PAUV »" in err
    assert "valeur trouvée : « #N/A »" in err
    assert "ligne 4, colonne « TX_PAUV »" in err and "valeur trouvée : « #REF! »" in err


# ---------------------------------------------------------------- millésime ancien secret

CEDRES = "QP031901"


def test_millesime_ancien_secret_dit_dans_evolution(tmp_path):
    for path in PARTIEL.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    old, new = tmp_path / "indicateurs_qp2015_2017.csv", tmp_path / "indicateurs_qp2015_2019.csv"
    old.write_text(old.read_text("utf-8").replace(f"{CEDRES};Quartier fictif des Cèdres;38,8",
                                                  f"{CEDRES};Quartier fictif des Cèdres;s"),
                   encoding="utf-8")  # fmt: skip
    new.write_text(new.read_text("utf-8").replace(f"{CEDRES};Quartier fictif des Cèdres;s",
                                                  f"{CEDRES};Quartier fictif des Cèdres;40,2"),
                   encoding="utf-8")  # fmt: skip
    obs = observatoire.open(tmp_path / "deux_millesimes.toml")
    q = tableau.contexte(obs, CEDRES, None)
    text = _text(tableau.evolution(obs, q))
    assert (
        "Valeur de 2017 sous secret statistique pour le taux de pauvreté (dernière valeur "
        "publiée : 40,2\u00a0% en 2019) : l'évolution n'est pas mesurable."
    ) in text


# ---------------------------------------------------------------- périmètre nommé (0.27)

SOURCE_NOMME = """
[sources.decidim]
type = "decidim"
fichier = "rencontres_0.27_perimetre_nomme.csv"
correspondance_scopes = { "Ville entière" = "" }
correspondance_categories = { "Budget participatif" = "budget participatif" }
correspondance_espaces = { "6" = "conseil citoyen" }
"""


def test_027_perimetre_nomme_lu_par_son_nom(tmp_path):
    """Première rencontre avec périmètre : ``scope/name/fr`` existe, les noms suffisent."""
    from test_decidim_reel import load, quartier

    obs = load(tmp_path, SOURCE_NOMME)
    hauts = quartier(obs, "QN00001A")  # mêmes rencontres que le 0.27 vérifié à la main
    assert (hauts["evenements"], hauts["evenements_effectif_connu"]) == (5, 4)
    assert hauts["participants"] == 86
    ev = obs.evenements.set_index("id")
    assert ev.loc["decidim-304", "quartiers"] == "QN00002B"  # « Le Port », par son nom
    assert ev.loc["decidim-308", "quartiers"] == "QN00003C"
    assert pd.isna(ev.loc["decidim-305", "quartiers"])  # « Ville entière » = "" : territoire
    assert not [w for w in obs.warnings if str(w.column).startswith("scope/")]


def test_027_perimetre_nomme_inconnu_refuse(tmp_path):
    from test_decidim_reel import refused

    problems = refused(tmp_path, SOURCE_NOMME.replace('"Ville entière" = ""', "")).errors
    (problem,) = problems
    assert (problem.column, problem.found) == ("scope/name/fr", "Ville entière")
    assert problem.row == 5 and "correspondance_scopes" in problem.expected


def test_entetes_de_la_demo_ceux_de_decidim():
    """Les exports de la démo suivent la même règle (première rencontre seulement)."""
    demo = Path(__file__).resolve().parents[1] / "data" / "demo" / "participation"

    def rows(name: str) -> list[list[str]]:
        with (demo / name).open(encoding="utf-8", newline="") as f:
            return list(csv.reader(f, delimiter=";"))

    old = rows("decidim_rencontres.csv")
    assert not dict(zip(old[0], old[1], strict=True))["scope/id"]  # sans périmètre
    assert old[0] == _flatten(_serialized_027(category=True, scope=False))
    new = rows("decidim_rencontres_2025.csv")
    first = dict(zip(new[0], new[1], strict=True))["taxonomies/ids"]
    assert new[0] == _flatten(_serialized_030([int(t) for t in first.split(", ") if t]))
    for table in (old, new):
        assert all(len(r) == len(table[0]) for r in table)


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2023-12-31 23:30:00", "2024-01-01 00:30"),  # 0.27 : UTC sans suffixe
        ("2023-12-31 23:30:00 UTC", "2024-01-01 00:30"),  # 0.28+ : « UTC »
        ("2024-01-01 00:30:00 +0100", "2024-01-01 00:30"),  # fuseau de l'organisation
        ("2023-12-31T23:30:00.000Z", "2024-01-01 00:30"),  # JSON écrit en UTC
        ("2024-06-30 22:15:00", "2024-07-01 00:15"),  # heure d'été
    ],
)
def test_heures_decidim_converties_avant_la_date(text, local):
    from zoneinfo import ZoneInfo

    from observatoire.sources.decidim_read import parse_utc_time

    moment = parse_utc_time(text, ZoneInfo("Europe/Paris"))
    assert moment.strftime("%Y-%m-%d %H:%M") == local
