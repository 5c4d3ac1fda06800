"""``obs.participation`` sur le mini-territoire fictif : chiffres vérifiés à la main."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from participation_outils import IDENTIFIANTS, open_project, project

from observatoire.views.charts import alt_text


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return open_project(project(tmp_path_factory.mktemp("api"))).participation


def test_par_quartier_taux_pour_1000(api):
    t = api.par_quartier().set_index("quartier")
    # R01 18 + R02 42 + R07 20 + X03 31/2 + Decidim 101 35 = 130,5 pour 2 000 habitants
    assert t.loc["QN00001A", "participants"] == pytest.approx(130.5)
    assert t.loc["QN00001A", "evenements"] == 5
    assert t.loc["QN00001A", "taux_pour_1000"] == pytest.approx(65.25)
    assert t.loc["QN00001A", "nom"] == "Les Hauts de Brume"
    # La Lande : R04 24/2 + R05 6 + X03 31/2 ; R08 (nd) compté comme événement seulement
    assert t.loc["QN00003C", ["evenements", "evenements_effectif_connu"]].tolist() == [4, 3]
    assert t.loc["QN00003C", "taux_pour_1000"] == pytest.approx(33.5 / 1200 * 1000)
    assert t.loc["", "nom"] == "tout le territoire"
    assert t.loc["", "participants"] == 71  # R06 11 + Decidim 103 60


def test_taux_par_annee_et_dispositif(api):
    t = api.taux_pour_1000().set_index(["quartier", "annee"])
    assert t.loc[("QN00002B", 2023), "taux_pour_1000"] == pytest.approx(21 / 1500 * 1000)
    d = api.par_dispositif(annee=2023).set_index("dispositif")
    assert d.loc["conseil citoyen", "participants"] == 18


def test_participants_uniques_nouveaux_et_fidelisation(api):
    u = api.participants_uniques(secret=False).set_index("annee")
    # 2025 : A01, A02, A06 + 4 personnes de la feuille d'émargement (doublon écarté)
    assert u.loc[2025, "personnes"] == 7
    assert u.loc[2023, ["personnes", "presences", "personnes_revenues"]].tolist() == [4, 5, 1]
    n = api.nouveaux_participants(secret=False).set_index("periode")
    assert n.loc["2025", ["nouveaux", "deja_venus"]].tolist() == [5, 2]  # A01, A02 déjà venus
    f = api.fidelisation(secret=False).set_index("annee")
    assert f.loc[2023, ["participants", "revenus"]].tolist() == [4, 0]


def test_effectifs_de_personnes_publies_sous_secret(api):
    u = api.participants_uniques().set_index("annee")
    assert pd.isna(u.loc[2023, "personnes"]) and pd.isna(u.loc[2023, "part_retours"])
    assert u.loc[2023, "secret"] == "personnes : < 5 ; personnes_revenues : < 5"
    assert u.loc[2023, "presences"] == 5  # des présences, pas des personnes
    assert u.loc[2025, "personnes"] == 7 and u.loc[2025, "secret"] == ""
    n = api.nouveaux_participants().set_index("periode")
    # 2 déjà venus sur 7 : masqué, et 5 nouveaux aussi (sinon 7 - 5 = 2)
    assert n.loc["2025", ["nouveaux", "deja_venus"]].isna().all()
    assert n.loc["2025", "personnes"] == 7
    assert n.loc["2025", "secret"] == "nouveaux : masqué ; deja_venus : < 5"
    f = api.fidelisation().set_index("annee")
    assert pd.isna(f.loc[2023, "participants"]) and f.loc[2023, "revenus"] == 0
    assert pd.isna(f.loc[2023, "taux_fidelisation"])


def test_representativite_protegee_par_le_secret(api):
    rep = api.representativite("QN00001A").set_index("groupe")
    # âges : 15-29 : 9 ; 30-44 : 11 ; 45-59 : 10 ; 60-74 : 8 ; 75+ : 2 (feuille + présences R02)
    assert rep.loc["15-29", "participants"] == 9
    assert rep.loc["15-29", "part_participants"] == pytest.approx(9 / 40)
    assert rep.loc["15-29", "part_population"] == pytest.approx(410 / 1490)
    assert rep.loc["75+", "affichage"] == "< 5"
    assert rep.loc["60-74", "affichage"] == "masqué"  # sinon 40 - 9 - 11 - 10 - 2
    assert (
        rep.loc[["75+", "60-74"], ["participants", "part_participants", "rapport"]]
        .isna()
        .all()
        .all()
    )
    assert (rep.loc["F", "participants"], rep.loc["H", "participants"]) == (63, 48)


def test_dissimilarite_et_publics_eloignes(api):
    d = api.dissimilarite("QN00001A").set_index("dimension")["indice"]
    assert d["sexe"] == pytest.approx(abs(63 / 111 - 790 / 1490))
    assert d["ensemble"] == pytest.approx((d["age"] + d["sexe"]) / 2)
    far = api.publics_eloignes("QN00001A")
    assert far["groupe"].tolist() == ["n'habite pas un QPV"]
    assert set(api.publics_eloignes("QN00001A", facteur=1.1)["groupe"]) >= {"15-29"}
    idx = api.indices_dissimilarite().set_index(["quartier", "dispositif"])
    assert pd.notna(idx.loc[("QN00001A", "conseil citoyen"), "indice"])


def test_ventilation_publiee_non_recalculable(api):
    table = api.ventilation("age")
    assert table.recomputable() == []
    assert (table.display == "< 5").any().any()


def test_figures_accessibles_sans_identifiant(api):
    fig = api.figure_representativite("QN00001A")
    text = alt_text(fig)
    assert "Données fictives" in text and "75 ans et plus : participants < 5" in text
    trend = api.figure_tendance("annee")
    assert "2023 : 93 participants, 4 événements" in alt_text(trend)
    outputs = [text, alt_text(trend)]
    for figure in (fig, trend):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
        outputs.append(buffer.getvalue())
    for method in (api.par_quartier, api.participants_uniques, api.nouveaux_participants,
                   api.fidelisation, api.representativite, api.indices_dissimilarite,
                   api.publics_eloignes):  # fmt: skip
        outputs.append(method().astype(str).to_csv())
    outputs.append(api.ventilation("sexe").display.to_csv())
    for out in outputs:
        for ident in IDENTIFIANTS:
            assert ident not in out, ident


def test_indice_non_calcule_sans_donnees(api):
    # Hauts de Brume, budget participatif : X03 ventilée par sexe seulement → pas d'indice
    d = api.dissimilarite("QN00001A", "budget participatif").set_index("dimension")
    assert pd.isna(d.loc["age", "indice"])
    assert d.loc["sexe", "indice"] == pytest.approx(abs(16 / 31 - 790 / 1490))
    assert pd.isna(d.loc["ensemble", "indice"])
    # Le Port : pyramide des âges secrète → ni âge ni sexe, jamais un indice de 0
    d = api.dissimilarite("QN00002B").set_index("dimension")
    assert "age" not in d.index and pd.isna(d.loc["ensemble", "indice"])


def test_territoire_sans_participation(tmp_path):
    api = open_project(project(tmp_path, "")).participation
    assert api.par_quartier().empty and api.fidelisation().empty
    rep = api.representativite("QN00001A")
    assert rep["participants"].sum() == 0 and rep["part_participants"].isna().all()
    assert pd.isna(api.dissimilarite("QN00001A").set_index("dimension").loc["ensemble", "indice"])
    assert api.publics_eloignes("QN00001A").empty  # rien à dire sans participants
    assert "aucune rencontre" in alt_text(api.figure_tendance())
    assert api.ventilation("sexe").display.loc["Total", "Total"] == "0"
