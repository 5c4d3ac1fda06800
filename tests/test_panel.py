"""Panel citoyen tiré au sort : quotas calculés à la main, tirage reproductible (deux
processus), quotas infaisables expliqués, probabilités, moins de 25 ans, leximin refusé ;
par les fonctions pures et par la vraie commande sur ``tests/fixtures/democratie/panel/``.

Population de la fixture (EPCI, hors 0-14 ans) : 10 000 habitants, 1 000 par sexe et
tranche sauf 75 ans et plus (1 200 femmes, 800 hommes) ; 4 000 habitants des QPV sur
20 000. Vivier : 24 volontaires, dont 4 de moins de 25 ans (V01, V02, V04, V24).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from observatoire.analysis import panel as pn
from observatoire.analysis import panel_quotas as pq
from observatoire.errors import ConfigError

FIX = Path(__file__).resolve().parent / "fixtures" / "democratie" / "panel"
BIN = Path(sys.executable).parent
LIGNE_75F = ("tranche 75 ans et plus, femmes : 3 sièges demandés au moins, "
             "1 seule personne dans le vivier (il en manque 2)")  # fmt: skip


# ------------------------------------------------------------------ outils
def vivier(rows: list[tuple]) -> pd.DataFrame:
    """Table au schéma ``vivier`` : (personne, sexe, âge, quartier, habite_qpv)."""
    frame = pd.DataFrame(rows, columns=["personne", "sexe", "age", "quartier", "habite_qpv"])
    frame["age"] = frame["age"].astype("Int64")
    frame["habite_qpv"] = frame["habite_qpv"].astype("boolean")
    frame["tranche_age"] = pd.Series([pd.NA] * len(frame), dtype="object")
    frame["source"] = "vivier.csv"
    frame["ligne"] = pd.array(range(2, len(frame) + 2), dtype="Int64")
    return frame


def fixture_pool() -> pd.DataFrame:
    """Le vivier de la fixture, relu à la main depuis le CSV."""
    rows = []
    with open(FIX / "vivier.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            code = {"Les Hauts de Brume": "QN00001A", "Le Port": "QN00002B"}.get(r["Quartier"],
                                                                                r["Quartier"])  # fmt: skip
            rows.append((r["Identifiant"], r["Sexe"], int(r["Âge"]),
                         None if code == "Hors QPV" else code, r["Habite un QPV"] == "oui"))  # fmt: skip
    return vivier(rows)


def reference() -> pq.Reference:
    pyramid = {(s, b): 1000.0 for s in "FH" for b in pq.BANDS}
    pyramid |= {("F", "75+"): 1200.0, ("H", "75+"): 800.0, ("F", "0-14"): 5000.0,
                ("H", "0-14"): 5000.0}  # fmt: skip
    return pq.Reference("EPCI fictif", pyramid, 20000.0, {"QN00001A": 2500.0, "QN00002B": 1500.0})


def quota(q: pd.DataFrame, critere: str, valeur: str) -> tuple[int, int]:
    row = q[(q["critere"] == critere) & (q["valeur"] == valeur)].iloc[0]
    return int(row["min"]), int(row["max"])


def project(tmp_path: Path, panel: str | None = None, vivier_csv: str | None = None) -> Path:
    """Copie de la fixture ; ``panel`` remplace la section [panel], ``vivier_csv`` le vivier."""
    dest = tmp_path / "projet"
    shutil.copytree(FIX, dest)
    config = dest / "observatoire.toml"
    if panel is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(text[: text.index("[panel]")] + panel, encoding="utf-8")
    if vivier_csv is not None:
        (dest / "vivier.csv").write_text(vivier_csv, encoding="utf-8")
    return config


def cli(*args: str, hashseed: str = "0") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    return subprocess.run([str(BIN / "observatoire"), "panel", *args], capture_output=True,
                          text=True, env=env, timeout=600)  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV sans BOM UTF-8"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


# ------------------------------------------------------------------ quotas (à la main)
def test_plus_forts_restes_somment_a_la_taille():
    assert pq.largest_remainder({"F": 52, "H": 48}, 5) == {"F": 3, "H": 2}
    # 1,8 / 1,2 / 1,2 / 0,8 … : restes 0,8 servis d'abord, puis 0,6
    got = pq.largest_remainder({"a": 180, "b": 120, "c": 80, "d": 60, "e": 40, "f": 520}, 10)
    assert got == {"a": 2, "b": 1, "c": 1, "d": 1, "e": 0, "f": 5}
    assert sum(got.values()) == 10


def test_quotas_calcules_a_la_main():
    pool, warnings = pq.pool_features(fixture_pool(), pq.DEFAULT_CRITERIA, 2)
    assert warnings == [] and len(pool) == 24
    q = pq.build_quotas(pool, reference(), taille=10, marge=1, minimum_moins_25=2)
    # femmes 52 % de 10 = 5,2 → 5 ; hommes 4,8 → 4 + le plus fort reste (0,8) → 5
    assert quota(q, "sexe", "F") == (4, 6) and quota(q, "sexe", "H") == (4, 6)
    assert all(quota(q, "tranche_age", b) == (1, 3) for b in pq.BANDS)  # 2 000 / 10 000 → 2
    # 75 ans et plus : femmes 1,2 → 1, hommes 0,8 → 1 (reste) ; les autres cases 1,0
    assert quota(q, "age_sexe", "75+|F") == (0, 2) and quota(q, "age_sexe", "75+|H") == (0, 2)
    assert quota(q, "qpv", "oui") == (1, 3) and quota(q, "qpv", "non") == (7, 9)  # 20 %
    assert quota(q, "moins_25", "oui") == (2, 10) and quota(q, "moins_25", "non") == (0, 8)
    for feature, g in q[q["critere"] != "moins_25"].groupby("critere"):
        assert g["cible"].sum() == 10, feature
    row = q[(q["critere"] == "qpv") & (q["valeur"] == "oui")].iloc[0]
    assert row["part_population"] == pytest.approx(0.2) and row["vivier"] == 8


def test_critere_configure_suit_le_vivier_et_quartier_la_population():
    pool_df = fixture_pool()
    pool_df["critere_diplome"] = ["Bac"] * 18 + ["Sans diplôme"] * 6
    pool, _ = pq.pool_features(pool_df, ["quartier", "diplome"], 0)
    q = pq.build_quotas(pool, reference(), taille=10, marge=0)
    # diplôme : 18/24 → 7,5 et 6/24 → 2,5 ; égalité des restes : le plus grand groupe
    assert quota(q, "critere_diplome", "Bac") == (8, 8)
    assert set(q.loc[q["critere"] == "critere_diplome", "base"]) == {"vivier"}
    # quartiers : 2 500, 1 500 et 16 000 hors QPV sur 20 000 → 1,25 / 0,75 / 8
    assert quota(q, "quartier", "QN00001A") == (1, 1)
    assert quota(q, "quartier", "QN00002B") == (1, 1)
    assert quota(q, "quartier", pq.HORS_QPV) == (8, 8)


def test_territoire_de_reference():
    ids = {f"pop_{s}_{suffix}": (sx, b) for b, suffix in pq.TRANCHES_AGE.items()
           for s, sx in (("hommes", "H"), ("femmes", "F"))}  # fmt: skip
    rows = [("200000099", i, 100.0) for i in ids] + [("00101", i, 60.0) for i in ids]
    rows += [("QN00001A", i, 10.0) for i in ids] + [("QN00001A", "population", 300.0)]
    valeurs = pd.DataFrame(rows, columns=["code", "indicateur", "valeur"])
    valeurs["annee"], valeurs["statut"] = 2021, "ok"
    terr = pd.DataFrame({"code": ["200000099", "00101", "QN00001A"],
                         "niveau": ["epci", "commune", "qpv"]})  # fmt: skip
    ref = pq.reference_population(valeurs, terr, ["QN00001A"], names={"200000099": "CA"})
    assert ref.description == "CA (200000099) — EPCI du territoire" and ref.total == 1200
    ref = pq.reference_population(valeurs, terr, ["QN00001A"], "00101")
    assert ref.pyramid[("F", "75+")] == 60 and "configuré" in ref.description
    ref = pq.reference_population(valeurs, terr.iloc[2:], ["QN00001A"])
    assert ref.is_quartiers_sum and ref.description.startswith("somme des 1 quartiers")
    assert pq.population_shares("qpv", ref) is None  # 100 % en QPV : sans objet
    with pytest.raises(ValueError, match="territoire_reference = « 99999 » : aucune pyramide"):
        pq.reference_population(valeurs, terr, ["QN00001A"], "99999")


def test_retraits_du_vivier_avertis():
    frame = vivier([("A1", "F", 40, None, False), ("A2", None, 50, None, False),
                    ("A3", "H", 12, None, False), ("A4", "H", pd.NA, None, False)])  # fmt: skip
    frame.loc[3, "tranche_age"] = "15-29"  # sans âge : moins de 25 ans indécidable
    pool, warnings = pq.pool_features(frame, ["sexe", "tranche_age"], 2)
    assert list(pool.index) == ["A1"]
    shown = [w.format_fr() for w in warnings]
    assert shown[0].startswith("fichier vivier.csv, ligne 3, colonne « sexe »")
    assert "sexe non renseigné(s)" in shown[0] and "« A2 »" in shown[0]
    assert "moins de 15 ans" in shown[1] and "moins de 25 ans non renseigné(s)" in shown[2]
    assert all(w.severity == "avertissement" for w in warnings)


# ------------------------------------------------------------------ tirage
def test_tirage_quotas_tenus_probabilites_et_moins_de_25_ans():
    pool, _ = pq.pool_features(fixture_pool(), pq.DEFAULT_CRITERIA, 3)
    q = pq.build_quotas(pool, reference(), taille=10, marge=1, minimum_moins_25=3)
    draw = pn.draw_panel(pool, q, 10, graine=2026)
    audit = pn.panel_audit(q, pool, draw.selected)
    assert len(draw.selected) == 10 and audit["tenu"].all()
    young = {"V01", "V02", "V04", "V24"}
    assert len(young & set(draw.selected)) >= 3
    p = draw.probabilities
    assert p.sum() == pytest.approx(10, abs=1e-6) and ((p >= -1e-9) & (p <= 1 + 1e-9)).all()
    # tranche 15-29 ans : 3 sièges au plus, tous pris par les moins de 25 ans → V03 (27 ans)
    # et V05 (28 ans) n'ont aucune chance ; un tiré a toujours une probabilité non nulle
    assert p["V03"] == pytest.approx(0, abs=1e-6) and p["V05"] == pytest.approx(0, abs=1e-6)
    assert (p[draw.selected] > 1e-6).all()
    s = pn.probability_summary(p)
    assert s["minimum"] <= s["mediane"] <= s["maximum"] and s["somme"] == pytest.approx(10)
    # moins de 25 ans : au moins 3 sièges sur 10 en espérance aussi
    assert p[list(young)].sum() >= 3 - 1e-6


def test_infaisable_evident_explique_sans_solveur(monkeypatch):
    from sortition_algorithms.committee_generation import common

    def no_solver(*a, **k):
        raise AssertionError("le solveur ne devait pas être lancé")

    monkeypatch.setattr(common, "setup_committee_generation", no_solver)
    pool, _ = pq.pool_features(fixture_pool(), ["sexe", "tranche_age"], 0)
    q = pq.build_quotas(pool, reference(), taille=25, marge=0)
    with pytest.raises(pn.QuotasInfeasibleError) as info:
        pn.draw_panel(pool, q, 25, graine=2026)
    assert LIGNE_75F in info.value.reasons
    assert "le vivier compte 24 personnes pour un panel de 25 sièges (il en manque 1)" in str(
        info.value
    )
    assert info.value.exit_code == 2


def test_infaisable_croise_traduit_en_francais():
    # femmes toutes en QPV, hommes tous hors QPV : chaque quota seul est tenable,
    # pas les deux ensemble (au moins 3 femmes, au plus 1 habitant d'un QPV)
    rows = [(f"F{i}", "F", 40, "QN00001A", True) for i in range(4)]
    rows += [(f"H{i}", "H", 40, None, False) for i in range(4)]
    pool, _ = pq.pool_features(vivier(rows), ["sexe", "qpv"], 0)
    q = pd.DataFrame([
        ("sexe", "F", "femmes", 3, 4), ("sexe", "H", "hommes", 0, 4),
        ("qpv", "oui", "habitants d'un QPV", 0, 1), ("qpv", "non", "habitants hors QPV", 0, 4),
    ], columns=["critere", "valeur", "libelle_valeur", "min", "max"])  # fmt: skip
    q["vivier"] = [4, 4, 4, 4]
    with pytest.raises(pn.QuotasInfeasibleError) as info:
        pn.draw_panel(pool, q, 4, graine=11)
    text = str(info.value)
    assert "compte tenu des autres quotas" in text and "target" not in text
    assert any(r.startswith(("femmes : 3 sièges", "habitants d'un QPV : 1 siège au plus")) for r in
               info.value.reasons)  # fmt: skip


def test_leximin_refuse_sans_gurobi_et_graine_nulle():
    pytest.importorskip("sortition_algorithms")
    import importlib.util

    if importlib.util.find_spec("gurobipy") is not None:
        pytest.skip("gurobipy installé : leximin possible")
    with pytest.raises(ConfigError, match="leximin.*Gurobi.*licence payante"):
        pn.check_algorithm("leximin")
    with pytest.raises(ConfigError, match="inconnu"):
        pn.check_algorithm("legacy")
    with pytest.raises(ConfigError, match="différent de 0"):
        pn.check_seed(0)
    with pytest.raises(ConfigError, match="Graine du tirage absente"):
        pn.check_seed(None)


# ------------------------------------------------------------------ vraie commande
def test_commande_panel_fixture_meme_graine_deux_processus(tmp_path):
    config = project(tmp_path)
    out_a, out_b, out_c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    first = cli("--config", str(config), "--sortie", str(out_a), hashseed="1")
    assert first.returncode == 0, first.stderr
    second = cli("--config", str(config), "--sortie", str(out_b), hashseed="4242")
    assert second.returncode == 0, second.stderr
    for name in ("panel-2026.csv", "audit-2026.csv"):  # même graine → mêmes octets
        assert (out_a / "panel" / name).read_bytes() == (out_b / "panel" / name).read_bytes()
    panel = read_csv(out_a / "panel" / "panel-2026.csv")
    assert len(panel) == 10 and {r["Mention"] for r in panel} == {"Données fictives"}
    # quotas recomptés sur le panel écrit (et non sur l'audit)
    women = sum(r["Sexe"] == "femme" for r in panel)
    assert 4 <= women <= 6 and 1 <= sum(r["Habite un QPV"] == "oui" for r in panel) <= 3
    assert sum(r["Moins de 25 ans"] == "oui" for r in panel) >= 2
    for band in ("15-29 ans", "30-44 ans", "45-59 ans", "60-74 ans", "75 ans et plus"):
        assert 1 <= sum(r["Tranche d'âge"] == band for r in panel) <= 3, band
    audit = read_csv(out_a / "panel" / "audit-2026.csv")
    femmes = next(r for r in audit if r["Valeur"] == "Femmes")
    assert (femmes["Quota minimum"], femmes["Quota maximum"]) == ("4", "6")
    assert femmes["Part dans la population"] == "52,0\u00a0%" and femmes["Panel"] == str(women)
    assert all(
        r["Quota tenu"] == "oui" for r in audit if r["Critère"] != "Probabilités de sélection"
    )
    somme = next(r for r in audit if r["Valeur"].startswith("Somme des probabilités"))
    assert somme["Probabilité"] == "10,00"
    text = (out_a / "panel" / "audit-2026.csv").read_text(encoding="utf-8-sig")
    for bad in ("nan", "None", "NaT", "<NA>"):
        assert bad not in text
    assert "Données fictives" in first.stdout and "Quotas tenus : 21 sur 21." in first.stdout
    assert "Running HiGHS" not in first.stdout + first.stderr  # bannière du solveur coupée
    # graine différente → panel différent
    third = cli("--config", str(config), "--sortie", str(out_c), "--graine", "7")
    assert third.returncode == 0, third.stderr
    other = {r["Identifiant"] for r in read_csv(out_c / "panel" / "panel-7.csv")}
    assert other != {r["Identifiant"] for r in panel}


def test_commande_panel_infaisable_code_2_rien_ecrit(tmp_path):
    config = project(tmp_path, panel="[panel]\ntaille = 10\ngraine = 2026\nmarge = 0\n"
                     'criteres = ["sexe", "tranche_age"]\n')  # fmt: skip
    res = cli("--config", str(config), "--sortie", str(tmp_path / "out"), "--taille", "25")
    assert res.returncode == 2
    assert LIGNE_75F in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out" / "panel").exists()


def test_commande_panel_leximin_et_moins_25_sans_age(tmp_path):
    config = project(tmp_path, panel='[panel]\ntaille = 10\ngraine = 1\nalgorithme = "leximin"\n')
    res = cli("--config", str(config), "--sortie", str(tmp_path / "out"))
    assert res.returncode == 2 and "Gurobi" in res.stderr and "licence payante" in res.stderr
    no_age = "Identifiant;Sexe;Tranche d'âge;Quartier\n" + "".join(
        f"P{i};{'FH'[i % 2]};{band};Hors QPV\n"
        for i, band in enumerate(["15-29", "30-44", "45-59", "60-74", "75+"] * 3)
    )
    config = project(tmp_path / "b", vivier_csv=no_age)
    res = cli("--config", str(config), "--sortie", str(tmp_path / "out"))
    assert res.returncode == 2
    assert "minimum_moins_25 = 2 demande l'âge des personnes du vivier" in res.stderr


def test_sans_vivier_une_phrase(tmp_path):
    config = project(tmp_path)
    text = config.read_text(encoding="utf-8")
    start = text.index("# 24 volontaires")
    config.write_text(text[:start] + text[text.index("[panel]") :], encoding="utf-8")
    res = cli("--config", str(config), "--sortie", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    assert "Aucun vivier de panel n'est chargé" in res.stdout and "Données fictives" in res.stdout
    from observatoire.territory import Observatoire

    obs = Observatoire.from_config(config, use_cache=False)
    result = obs.panel.tirer()
    assert result.vide and result.selectionnes.empty and list(result.audit.columns)
    assert obs.panel.quotas().empty


def test_tirage_nash_quotas_tenus_et_reproductible():
    pool, _ = pq.pool_features(fixture_pool(), pq.DEFAULT_CRITERIA, 2)
    q = pq.build_quotas(pool, reference(), taille=10, marge=1, minimum_moins_25=2)
    draw = pn.draw_panel(pool, q, 10, graine=2026, algorithme="nash")
    assert pn.panel_audit(q, pool, draw.selected)["tenu"].all()
    assert draw.probabilities.sum() == pytest.approx(10, abs=1e-6)
    assert draw.probabilities.min() > 0  # nash : chaque personne tirable a une chance
    again = pn.draw_panel(pool, q, 10, graine=2026, algorithme="nash")
    assert again.selected == draw.selected and draw.algorithm == "nash"


def test_quartiers_hors_du_territoire_de_reference_ecartes():
    ids = [f"pop_{s}_{suffix}" for suffix in pq.TRANCHES_AGE.values() for s in ("hommes", "femmes")]
    rows = [(c, i, 100.0) for c in ("00101", "00102") for i in ids]
    rows += [("00101", "population", 2000.0), ("QN1", "population", 300.0),
             ("QN2", "population", 700.0)]  # fmt: skip
    valeurs = pd.DataFrame(rows, columns=["code", "indicateur", "valeur"])
    valeurs["annee"], valeurs["statut"] = 2021, "ok"
    terr = pd.DataFrame({"code": ["00101", "00102", "QN1", "QN2"],
                         "niveau": ["commune", "commune", "qpv", "qpv"],
                         "communes": [None, None, "00101", "00102"]})  # fmt: skip
    ref = pq.reference_population(valeurs, terr, ["QN1", "QN2"], "00101")
    assert ref.quartiers == {"QN1": 300.0}  # QN2 est sur l'autre commune
    assert pq.population_shares("qpv", ref) == {"oui": 300.0, "non": 1700.0}


def test_avancement_en_francais(monkeypatch):
    lines: list[str] = []
    monkeypatch.setattr(pn, "PROGRESS_EVERY", 0.0)
    pool, _ = pq.pool_features(fixture_pool(), pq.DEFAULT_CRITERIA, 0)
    q = pq.build_quotas(pool, reference(), taille=10, marge=1)
    pn.draw_panel(pool, q, 10, graine=5, progress=lines.append)
    assert any(line.startswith("Tirage en cours : recherche de panels de départ, tour ")
               for line in lines)  # fmt: skip
    assert any("optimisation des probabilités (maximin), itération" in line for line in lines)
    assert not any("committee" in line.lower() for line in lines)


def test_nash_meme_graine_meme_panel_deux_processus():
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from test_panel import fixture_pool, reference, pq, pn\n"
        "pool, _ = pq.pool_features(fixture_pool(), pq.DEFAULT_CRITERIA, 2)\n"
        "q = pq.build_quotas(pool, reference(), 10, 1, 2)\n"
        "d = pn.draw_panel(pool, q, 10, 2026, 'nash')\n"
        "print(d.selected, [round(x, 9) for x in d.probabilities])\n"
    )
    outputs = []
    for hashseed in ("3", "77"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        res = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)],
                             capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
        assert res.returncode == 0, res.stderr
        outputs.append(res.stdout)
    assert outputs[0] == outputs[1] and outputs[0].startswith("['V")
