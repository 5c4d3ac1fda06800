"""Lots des rapports de la démocratie participative : noms de fichiers, identifiant hostile,
erreurs de la ligne de commande, relance incrémentale, manifeste et page d'index.

Le territoire est le mini-territoire fictif ``tests/fixtures/democratie/rapports`` ; les
notebooks sont les petits notebooks de ``tests/fixtures/democratie/rapports/notebooks`` (un
vrai notebook exécuté par rapport, qui lit le territoire et affiche des blocs), plus le
tableau de bord des tests de lots, copiés à côté de la configuration.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from observatoire.cli import main
from observatoire.errors import ObservatoireError
from observatoire.publish.jobs import SAFE_CODE, ReportJob, safe_name

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "democratie" / "rapports"
HOSTILE = "Atelier « jeunes » n°3/2025"
HOSTILE_STEM = safe_name(HOSTILE)


# ------------------------------------------------------------------ noms de fichiers


def test_noms_de_fichiers_des_rapports():
    cfg = Path("observatoire.toml")
    job = ReportJob("concertation", cfg, {"demarche": "C-2025-01"})
    assert job.key == "concertations/C-2025-01"
    assert job.notebook == "bilan_concertation.ipynb"
    job = ReportJob("participation", cfg, {"annee": 2025})
    assert job.key == "participation/participation-citoyenne-2025"
    assert job.notebook == "participation_citoyenne.ipynb"
    for bad in ("2025", None, True, 2025.0):
        with pytest.raises(ObservatoireError, match="année invalide"):
            _ = ReportJob("participation", cfg, {"annee": bad}).key
    for bad in (None, "", "   "):
        with pytest.raises(ObservatoireError, match="identifiant de démarche"):
            _ = ReportJob("concertation", cfg, {"demarche": bad}).key
    with pytest.raises(ObservatoireError, match="type de rapport inconnu"):
        _ = ReportJob("bilan", cfg, {}).notebook


@pytest.mark.parametrize(
    "ident",
    [HOSTILE, "../../etc/passwd", "a/b", "C-2025-01\n", ".cache", "CON", "é" * 80, "<script>",
     "x" * 42, "-option", "a b"],
)  # fmt: skip
def test_identifiant_hostile_nom_sur_stable_et_distinct(ident):
    name = safe_name(ident)
    assert SAFE_CODE.match(name) and "/" not in name and ".." not in name
    assert name == safe_name(ident)  # stable d'un lot à l'autre
    assert name != ident
    assert re.search(r"-[0-9a-f]{8}\Z", name)
    key = ReportJob("concertation", Path("c.toml"), {"demarche": ident}).key
    assert key == f"concertations/{name}"


def test_identifiants_voisins_donnent_des_fichiers_differents():
    idents = ["a/b", "a b", "a:b", "a-b", "A/B"]
    names = [safe_name(i) for i in idents]
    assert len(set(names)) == len(idents)
    assert names[3] == "a-b"  # déjà sûr : gardé tel quel


# ------------------------------------------------------------------ lots


@pytest.fixture
def territory(tmp_path) -> Path:
    dest = tmp_path / "territoire"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns(".cache"))
    shutil.copy(ROOT / "tests" / "fixtures" / "lots" / "notebooks" / "dashboard_quartier.ipynb",
                dest / "notebooks")  # fmt: skip
    config = dest / "observatoire.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[rapports]\nnotebooks = "notebooks"\n',
        encoding="utf-8",
    )
    return config


def run(config: Path, out: Path, *extra: str) -> int:
    args = ["rapports", "--config", str(config), "--format", "html", "--sortie", str(out)]
    return main([*args, "--jobs", "2", *extra])


def mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.html")}


@pytest.mark.slow
def test_lot_complet_incremental_manifeste_et_index(territory, tmp_path, capsys):
    out = tmp_path / "rapports"
    assert run(territory, out, "--concertations", "--participation") == 0
    err = capsys.readouterr().err
    assert "5 rapport(s) à produire" in err
    produced = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert produced == sorted(
        [
            "concertations/C-2025-01.html",
            "concertations/C-2025-02.html",
            "concertations/C-2025-04.html",
            f"concertations/{HOSTILE_STEM}.html",
            "participation/participation-citoyenne-2025.html",  # dernière année des données
            "index.html",
        ]
    )
    hostile = out / "concertations" / f"{HOSTILE_STEM}.html"
    assert f"Démarche {HOSTILE} : Espace jeunes du Port." in hostile.read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["rapports"][f"concertations/{HOSTILE_STEM}"]
    assert entry["type"] == "concertation" and entry["parametres"] == {"demarche": HOSTILE}
    assert entry["statut"] == "ok" and entry["fichiers"][0] == f"concertations/{HOSTILE_STEM}.html"
    assert manifest["rapports"]["participation/participation-citoyenne-2025"]["parametres"] == {
        "annee": 2025
    }
    assert manifest["territoire"]["demarches"][2] == HOSTILE
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="democratie">Démocratie participative</h2>' in index
    assert f'href="concertations/{HOSTILE_STEM}.html"' in index
    assert "Espace jeunes du Port (Atelier « jeunes » n°3/2025)" in index
    assert "Participation citoyenne 2025" in index
    assert index.index("Participation citoyenne 2025") < index.index("Espace jeunes du Port")
    assert '<h2 id="liste">' not in index  # aucun autre rapport : pas de liste vide
    before = mtimes(out)

    # Rien n'a changé : tout est sauté, même demandé autrement (--demarche).
    assert run(territory, out, "--concertations", "--participation") == 0
    assert "Rien à refaire : 5 rapport(s) à jour, sautés" in capsys.readouterr().err
    assert run(territory, out, "--demarche", HOSTILE, "--participation", "--annee", "2025") == 0
    assert "Rien à refaire : 2 rapport(s) à jour, sautés" in capsys.readouterr().err
    assert mtimes(out) == before

    # Un bilan supprimé : lui seul est refait.
    hostile.unlink()
    assert run(territory, out, "--concertations", "--participation") == 0
    err = capsys.readouterr().err
    assert "1 rapport(s) à produire" in err and "4 à jour, sautés" in err
    assert hostile.is_file()

    # Une contribution ajoutée au registre : les données changent, les rapports sont refaits.
    registre = territory.parent / "contributions.csv"
    registre.write_text(
        registre.read_text(encoding="utf-8")
        + "K11;C-2025-02;05/03/2025;Horaires;;retenue;Ouverture le samedi;Ouvrir le samedi\n",
        encoding="utf-8",
    )
    assert run(territory, out, "--demarche", "C-2025-02") == 0
    assert "1 rapport(s) à produire" in capsys.readouterr().err

    # Un tableau de bord en plus : la liste et la section cohabitent dans l'index.
    assert run(territory, out, "--quartier", "QN00001A") == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="liste">Liste des rapports</h2>' in index
    assert '<h2 id="democratie">Démocratie participative</h2>' in index


@pytest.mark.slow
def test_index_sans_rapport_de_democratie_n_a_pas_la_section(territory, tmp_path):
    out = tmp_path / "rapports"
    assert run(territory, out, "--quartier", "QN00001A") == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Démocratie participative" not in index
    assert '<h2 id="liste">Liste des rapports</h2>' in index


@pytest.mark.slow
def test_annee_du_rapport_annuel_option_puis_configuration(territory, tmp_path, capsys):
    out = tmp_path / "rapports"
    assert run(territory, out, "--participation", "--annee", "2024") == 0
    assert (out / "participation" / "participation-citoyenne-2024.html").is_file()
    text = territory.read_text(encoding="utf-8").replace(
        "[rapports]\n", "[rapports.democratie]\nannee = 2023\n\n[rapports]\n"
    )
    territory.write_text(text, encoding="utf-8")
    assert run(territory, out, "--participation") == 0
    page = out / "participation" / "participation-citoyenne-2023.html"
    assert "année 2023" in page.read_text(encoding="utf-8")


def test_demarche_inconnue_erreur_francaise_avec_identifiants_proches(territory, tmp_path, capsys):
    out = tmp_path / "rapports"
    assert run(territory, out, "--demarche", "C-2025-1", "--demarche", "zzz") == 2
    err = capsys.readouterr().err
    assert "Démarche(s) de concertation inconnue(s) dans observatoire.toml" in err
    assert "'C-2025-1' (identifiants proches : C-2025-01" in err
    assert "'zzz'" in err and "Démarches des données : C-2025-01, C-2025-02" in err
    assert "Traceback" not in err
    assert not out.exists() or not list(out.rglob("*.html"))


def test_erreurs_de_la_ligne_de_commande(territory, tmp_path, capsys):
    out = tmp_path / "rapports"
    assert run(territory, out, "--annee", "2025") == 2
    assert "--annee ne sert qu'avec --participation" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:  # refusé par argparse
        run(territory, out, "--participation", "--annee", "25")
    assert exit_info.value.code == 2
    assert "année sur 4 chiffres attendue : '25'" in capsys.readouterr().err
    text = territory.read_text(encoding="utf-8").replace(
        "[rapports]\n", '[rapports.democratie]\nannee = "2025"\n\n[rapports]\n'
    )
    territory.write_text(text, encoding="utf-8")
    assert run(territory, out, "--participation") == 2
    err = capsys.readouterr().err  # refusé à la lecture de la configuration
    assert "[rapports.democratie] annee" in err and "2025" in err and "Traceback" not in err
    assert not out.exists() or not list(out.rglob("*.html"))


def test_sans_donnees_de_democratie(territory, tmp_path, capsys):
    """Ni concertations ni contributions déclarées : --concertations et --participation
    sans --annee sont refusés en français (code 2), rien n'est écrit."""
    text = territory.read_text(encoding="utf-8")
    text = text.split("[sources.concertations]")[0] + '\n[rapports]\nnotebooks = "notebooks"\n'
    territory.write_text(text, encoding="utf-8")
    out = tmp_path / "rapports"
    assert run(territory, out, "--concertations") == 2
    err = capsys.readouterr().err
    assert "Aucune démarche de concertation dans les données de observatoire.toml" in err
    assert run(territory, out, "--participation") == 2
    err = capsys.readouterr().err
    assert "Année du rapport de la participation citoyenne inconnue" in err
    assert "Indiquez --annee A ou [rapports.democratie] annee" in err
    assert run(territory, out, "--demarche", "C-2025-01") == 2
    assert "Démarches des données : aucune" in capsys.readouterr().err
    assert not out.exists() or not list(out.rglob("*.html"))
