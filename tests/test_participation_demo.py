"""Générateur de démonstration de la participation : volumes, formes réelles, confidentialité."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from observatoire.demo.model import DemoCommune, DemoModel, DemoQuartier
from observatoire.demo.participation import FIRST, LAST, generate
from observatoire.errors import InputError
from observatoire.territory import Observatoire

HEADER = """[territoire]
nom = "Agglomération fictive de test (données fictives)"
generation = 2024
fictif = true

[sources.qpv]
type = "qpv_liste"
fichier = "liste_qpv_2024.csv"
"""


def model() -> DemoModel:
    communes = [DemoCommune("00101", "Valbrume", 60000), DemoCommune("00102", "Kerzévanne", 20000)]
    quartiers = [
        DemoQuartier(
            f"QN{i:05d}A", f"Quartier fictif {chr(64 + i)}", [f"0010{1 + i % 2}"], 3000, 2024
        )
        for i in range(1, 15)
    ]
    return DemoModel("Valbrume (fictif)", "200000099", "CA de Valbrume", "00", "Département fictif",
                     communes, quartiers)  # fmt: skip


def write_project(dest: Path, seed: int = 7, fictif: bool = True) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    m = model()
    fragment = generate(dest, m, np.random.default_rng(seed))
    lines = ["code_qp;lib_qp;insee_com"] + [
        f"{q.code};{q.nom};{q.communes[0]}" for q in m.quartiers
    ]
    (dest / "liste_qpv_2024.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    header = HEADER if fictif else HEADER.replace("fictif = true", "fictif = false")
    config = dest / "observatoire.toml"
    config.write_text(header + fragment, encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    config = write_project(tmp_path_factory.mktemp("demo"))
    return config, Observatoire.from_config(config, use_cache=False)


def test_au_moins_300_evenements_sur_3_ans_dans_tous_les_quartiers(demo):
    _, obs = demo
    ev = obs.evenements
    assert len(ev) >= 300
    assert sorted(ev["annee"].unique()) == [2023, 2024, 2025]
    touched = set(ev["quartiers"].dropna().str.split(";").explode())
    assert touched == {q.code for q in model().quartiers}
    assert set(ev["origine"]) == {"feuille", "decidim"}
    assert {"rencontres_2023_2024", "rencontres_2025", "decidim"} <= set(ev["source"])


def test_presences_et_feuille_d_emargement_pseudonymisee(demo):
    config, obs = demo
    pres = obs.presences
    assert (pres["source"] == "presences_conseils_citoyens").sum() > 100
    signin = pres[pres["source"] == "emargement_atelier"]
    assert len(signin) == len(FIRST)
    assert signin["personne"].str.fullmatch(r"P[0-9a-f]{16}").all()
    # la feuille contient bien des identifiants directs (fictifs)…
    raw = (config.parent / "participation" / "emargement_atelier.csv").read_text(encoding="utf-8")
    assert "@example.org" in raw and "06 39 98" in raw
    # … dont aucun n'entre dans les tables
    text = "".join(t.astype(str).to_csv() for t in obs.tables.values())
    for word in [*FIRST, *LAST, "example.org", "06 39 98"]:
        assert word not in text and word.upper() not in text, word


def test_emargement_refuse_sans_l_option(tmp_path):
    config = write_project(tmp_path)
    text = config.read_text(encoding="utf-8").replace("pseudonymiser = true\n", "")
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="pseudonymiser = true"):
        Observatoire.from_config(config, use_cache=False)


def test_cle_de_demonstration_refusee_hors_territoire_fictif(tmp_path):
    from observatoire.errors import ConfigError

    with pytest.raises(ConfigError, match="territoire fictif"):
        Observatoire.from_config(write_project(tmp_path, fictif=False), use_cache=False)


def test_meme_graine_memes_octets(tmp_path):
    def digest(folder: Path) -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((folder / "participation").iterdir())
        }

    write_project(tmp_path / "a", seed=3)
    write_project(tmp_path / "b", seed=3)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert (tmp_path / "a/observatoire.toml").read_bytes() == (
        tmp_path / "b/observatoire.toml"
    ).read_bytes()


def test_demo_du_depot_participation_complete(obs_demo):
    ev, pres = obs_demo.evenements, obs_demo.presences
    assert len(ev) >= 300 and sorted(ev["annee"].unique()) == [2023, 2024, 2025]
    assert set(ev["quartiers"].dropna().str.split(";").explode()) == set(obs_demo.quartiers["code"])
    signin = pres[pres["source"] == "emargement_atelier"]
    assert len(signin) == len(FIRST) and signin["personne"].str.startswith("P").all()
    text = "".join(t.astype(str).to_csv() for t in obs_demo.tables.values())
    assert "example.org" not in text and "06 39 98" not in text
    p = obs_demo.participation
    assert "15-29" in set(p.publics_eloignes()["groupe"])  # jeunes simulés sous-représentés
    fid = p.fidelisation()
    assert (
        fid["annee"].tolist() == [2023, 2024] and fid["taux_fidelisation"].between(0.3, 0.9).all()
    )
