"""Bornes de la configuration (issues 15 et 16) : types, chemins, seuil, sorties, API.

Les cas statiques sont dans ``tests/corpus/cas_configuration.toml`` (lancés par
test_corpus.py). Ici : ce qui demande un tube, un lien ou un dossier créés à
l'exécution, la dérogation au seuil imprimée sur les sorties, le cache aux noms sûrs,
le profil IPython d'un HOME non inscriptible et les codes de quartier des API.
Tout passe par la vraie commande ``observatoire`` quand c'est une entrée utilisateur.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from fiabilite_outils import BASE, CORPUS, run_cli, snapshot
from lecteurs_outils import FIX
from participation_outils import open_project, project

from observatoire.cache import TableCache, safe_name
from observatoire.config import NON_PUBLIABLE, load_config
from observatoire.errors import ConfigError

DEROGATION = "contrôle interne des saisies"


@pytest.fixture
def territory(tmp_path: Path) -> Path:
    """Le territoire de base du corpus, copié (fictif)."""
    dest = tmp_path / "territoire"
    shutil.copytree(BASE, dest)
    return dest


def refused(tmp_path: Path, *args: str) -> str:
    """Lance ``observatoire ARGS`` : code 2, message français, pas de trace, rien d'écrit."""
    before = snapshot(tmp_path)
    result = run_cli(*args, cwd=tmp_path, timeout=120)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    assert result.stderr.startswith("Erreur"), output
    assert snapshot(tmp_path) == before, "la commande a écrit des fichiers"
    return result.stderr


def add_source(config: Path, fichier: str, kind: str = "qpv_liste") -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text + f'\n[sources.cas]\ntype = "{kind}"\nfichier = "{fichier}"\n')


def set_territory(config: Path, lines: str) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("fictif = true\n", "fictif = true\n" + lines, 1))


# ---------------------------------------------------------------- chemins créés par le test


def test_config_qui_est_un_dossier(territory, tmp_path):
    err = refused(tmp_path, "valider", "--config", str(territory))
    assert "est un dossier, pas un fichier de configuration" in err
    assert str(territory / "observatoire.toml") in err


def test_config_qui_est_un_tube_ne_bloque_pas(territory, tmp_path):
    fifo = territory / "tube.toml"
    os.mkfifo(fifo)
    err = refused(tmp_path, "valider", "--config", str(fifo))
    assert "n'est pas un fichier ordinaire" in err


def test_fichier_qui_est_un_tube_ne_bloque_pas(territory, tmp_path):
    os.mkfifo(territory / "liste.csv")
    add_source(territory / "observatoire.toml", "liste.csv")
    err = refused(tmp_path, "valider", "--config", str(territory / "observatoire.toml"))
    assert "[sources.cas] fichier » — ce n'est pas un fichier ordinaire (tube" in err
    assert "« liste.csv »" in err


def test_fichier_qui_est_un_dossier(territory, tmp_path):
    (territory / "donnees.csv").mkdir()
    add_source(territory / "observatoire.toml", "donnees.csv")
    err = refused(tmp_path, "valider", "--config", str(territory / "observatoire.toml"))
    assert "[sources.cas] fichier » — c'est un dossier, pas un fichier" in err


def test_boucle_de_liens_symboliques(territory, tmp_path):
    (territory / "a.csv").symlink_to("b.csv")
    (territory / "b.csv").symlink_to("a.csv")
    add_source(territory / "observatoire.toml", "a.csv")
    err = refused(tmp_path, "valider", "--config", str(territory / "observatoire.toml"))
    assert "[sources.cas] fichier » — chemin illisible (boucle de liens symboliques)" in err


def test_lien_vers_l_exterieur_du_projet(territory, tmp_path):
    (territory / "dehors.csv").symlink_to("/etc/hostname")
    add_source(territory / "observatoire.toml", "dehors.csv")
    err = refused(tmp_path, "valider", "--config", str(territory / "observatoire.toml"))
    assert "[sources.cas] fichier » — chemin hors du dossier du projet" in err


def test_dossier_de_cache_qui_est_un_fichier(territory, tmp_path):
    (territory / "cache.txt").write_text("pas un dossier", encoding="utf-8")
    config = territory / "observatoire.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[cache]\ndossier = "cache.txt"\n')
    err = refused(tmp_path, "valider", "--config", str(config))
    assert "[cache] dossier » — ce chemin désigne un fichier, pas un dossier" in err


def test_toutes_les_erreurs_de_type_a_la_fois(tmp_path):
    config = tmp_path / "observatoire.toml"
    config.write_text(
        "cache = 3\n"
        '[territoire]\nnom = "Fictif"\nfictif = "oui"\nseuil_petits_effectifs = 4.5\n'
        '[projet]\ndossiers_autorises = "/"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(config)
    where = [p.column for p in info.value.problems]
    assert where == [
        "cache",
        "[territoire] fictif",
        "[territoire] seuil_petits_effectifs",
        "[projet] dossiers_autorises",
    ]


# ---------------------------------------------------------------- cache sous son dossier


def test_nom_de_cache_sur():
    assert safe_name("revenus_2021") == "revenus_2021"
    evil = safe_name("/../../../../x/evil")
    assert "/" not in evil and ".." not in evil and evil.startswith("x_evil~")
    assert safe_name("a/b") != safe_name("a_b")  # jamais le même dossier


def test_le_cache_ne_sort_jamais_de_son_dossier(tmp_path):
    cache = TableCache(tmp_path / "cache")
    cache.put("/../../dehors", "0123456789abcdef", {"t": pd.DataFrame({"a": [1]})}, [])
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all((tmp_path / "cache") in p.parents for p in written)
    tables, _ = cache.get("/../../dehors", "0123456789abcdef")
    assert tables["t"]["a"].tolist() == [1]


# ---------------------------------------------------------------- seuil des petits effectifs


def test_derogation_au_seuil_acceptee_et_mentionnee(territory, tmp_path):
    config = territory / "observatoire.toml"
    shutil.copy(CORPUS / "configuration" / "seuil_derogation.toml", config)
    loaded = load_config(config)
    assert loaded.territoire.seuil_petits_effectifs == 1
    notice = loaded.territoire.non_publiable
    assert notice.startswith(NON_PUBLIABLE) and "abaissé à 1" in notice and DEROGATION in notice
    assert loaded.territoire.mention.startswith(notice)  # pied de page de chaque sortie
    result = run_cli("valider", "--config", str(config), "--sans-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Attention : {notice}" in result.stdout


def test_bandeau_non_publiable_dans_le_rapport(territory):
    import nbformat

    from observatoire.publish import blocks
    from observatoire.publish.render import render_html
    from observatoire.territory import Observatoire

    config = territory / "observatoire.toml"
    set_territory(config, f'seuil_petits_effectifs = 2\nsorties_non_publiables = "{DEROGATION}"\n')
    obs = Observatoire.from_config(config, use_cache=False)
    meta = blocks.meta("Tableau de bord", entete="essai", fictif=True, display=False)
    prov = blocks.provenance(obs, display=False)
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={blocks.MIME: b.data}) for b in (meta, prov)
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    for mode in ("screen", "print"):
        html = render_html(nb, mode)
        banner = html.split("<h1>")[0]  # en-tête, avant le titre
        assert f"<strong>{NON_PUBLIABLE} — seuil des petits effectifs abaissé à 2" in banner
        assert html.count(NON_PUBLIABLE) >= 2  # bandeau et pied de page (chaque page en PDF)


# ---------------------------------------------------------------- dossier de sortie, IPython


def test_sortie_invalide_refusee_avant_le_cache(territory, tmp_path):
    (territory / "sortie.txt").write_text("un fichier", encoding="utf-8")
    args = ("rapports", "--config", str(territory / "observatoire.toml"), "--quartier")
    err = refused(tmp_path, *args, "QN00001A", "--sortie", str(territory / "sortie.txt"))
    assert "est un fichier, pas un dossier" in err
    assert not (territory / ".cache").exists()
    err = refused(tmp_path, *args, "QN00001A", "--sortie", str(territory / "sortie.txt" / "x"))
    assert "Écriture impossible dans le dossier de sortie" in err and "ne peut pas être créé" in err


def test_profil_ipython_prive_efface(monkeypatch, tmp_path):
    from observatoire.publish import prewarm

    monkeypatch.setenv("HOME", "/dev/null")  # HOME inutilisable (même pour root)
    monkeypatch.delenv("IPYTHONDIR", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    registered = []
    monkeypatch.setattr("atexit.register", registered.append)
    folder = prewarm.private_ipython_dir()
    assert folder is not None and folder.parent == tmp_path
    assert os.environ["IPYTHONDIR"] == str(folder)
    assert prewarm.private_ipython_dir() is None  # déjà défini : rien de plus
    registered[0]()
    assert not folder.exists()


def test_home_non_inscriptible_ne_laisse_rien_dans_tmp(territory, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "sortie"
    env = {"HOME": "/dev/null", "TMPDIR": str(tmp)}
    env_clean = {k: v for k, v in os.environ.items() if k != "IPYTHONDIR"}
    result = run_cli(
        "rapports", "--config", str(territory / "observatoire.toml"), "--quartier", "QN00001A",
        "--format", "html", "--sortie", str(out), "--jobs", "1",
        cwd=tmp_path, env={**env_clean, **env},
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    left = [p for p in tmp.rglob("*") if "profile_default" in p.parts or "ipython" in p.name]
    assert left == [], left


# ---------------------------------------------------------------- codes de quartier des API


@pytest.fixture(scope="module")
def obs_deux_generations():
    from observatoire.territory import Observatoire

    return Observatoire.from_config(FIX / "observatoire.toml", use_cache=False)


def test_quartier_en_minuscules_normalise(obs_deux_generations):
    api = obs_deux_generations.indicateurs
    assert api.verifier_quartier(" qn00001a ") == "QN00001A"
    assert api.rangs(quartier="qn00001a")["code"].unique().tolist() == ["QN00001A"]


def test_quartier_inconnu_suggere_la_generation_en_vigueur(obs_deux_generations):
    api = obs_deux_generations.indicateurs
    with pytest.raises(ConfigError) as info:
        api.ecarts("QN00001Z")
    message = str(info.value)
    assert "Quartier inconnu : « QN00001Z »" in message and "QN00001A" in message
    assert "QP0" not in message  # jamais de code de l'autre génération en suggestion
    with pytest.raises(ConfigError, match="génération 2015"):
        api.rangs(quartier="QP000001")  # classement de la génération en vigueur seulement


@pytest.fixture(scope="module")
def participation(tmp_path_factory):
    return open_project(project(tmp_path_factory.mktemp("bornes"))).participation


def test_participation_quartier_inconnu(participation):
    with pytest.raises(ConfigError, match="Quartier inconnu : « QN00009Z »"):
        participation.evenements("QN00009Z")
    with pytest.raises(ConfigError, match="Codes proches : QN00001A"):
        participation.representativite("QN00001Z")
    lower = participation.par_dispositif(quartier="qn00001a")
    assert lower.equals(participation.par_dispositif(quartier="QN00001A"))


def test_ventilation_jamais_une_table_de_zeros_par_erreur(participation):
    with pytest.raises(ConfigError, match="Dimension de ventilation inconnue : « tranche »"):
        participation.ventilation("tranche")
    with pytest.raises(ConfigError, match="Aucun événement du dispositif « conseil citoyn »"):
        participation.ventilation("sexe", dispositif="conseil citoyn")
    with pytest.raises(ConfigError, match="Aucun événement en 1999"):
        participation.ventilation("sexe", annee=1999)
    assert participation.ventilation("sexe", annee=2023).values.to_numpy().sum() > 0


def test_derogation_dans_le_lisez_moi_des_tableaux(territory, tmp_path):
    config = territory / "observatoire.toml"
    shutil.copy(CORPUS / "configuration" / "seuil_derogation.toml", config)
    out = tmp_path / "exports"
    result = run_cli(
        "exporter", "tableaux", "--config", str(config), "--format", "csv", "--sortie", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    readme = next(out.rglob("lisez-moi.csv")).read_text(encoding="utf-8-sig")
    notice = f"{NON_PUBLIABLE} — seuil des petits effectifs abaissé à 1"
    assert notice in readme
    tables = [p for p in out.rglob("*.csv") if p.name != "lisez-moi.csv"]
    assert tables
    for path in tables:  # chaque ligne de chaque tableau porte l'avertissement
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].endswith(";Avertissement"), path.name
        assert all(notice in line for line in lines[1:]), path.name


def test_derogation_dans_l_atlas_et_le_diaporama(territory, tmp_path):
    import zipfile

    config = territory / "observatoire.toml"
    shutil.copy(CORPUS / "configuration" / "seuil_derogation.toml", config)
    out = tmp_path / "exports"
    notice = f"{NON_PUBLIABLE} — seuil des petits effectifs abaissé à 1"
    for args in (("atlas",), ("diaporama", "--quartier", "QN00001A")):
        result = run_cli("exporter", *args, "--config", str(config), "--sortie", str(out),
                         cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
    assert notice in (out / "atlas.html").read_text(encoding="utf-8")
    [deck] = out.rglob("*.pptx")
    with zipfile.ZipFile(deck) as archive:
        slides = [n for n in archive.namelist() if n.startswith("ppt/slides/slide")]
        texts = [archive.read(n).decode("utf-8") for n in slides]
    assert slides and all(notice in t for t in texts)  # en pied de chaque diapositive


def test_export_vers_une_sortie_invalide_refuse_avant_le_cache(territory, tmp_path):
    (territory / "sortie.txt").write_text("un fichier", encoding="utf-8")
    config = str(territory / "observatoire.toml")
    err = refused(tmp_path, "exporter", "tableaux", "--config", config, "--sortie",
                  str(territory / "sortie.txt"))  # fmt: skip
    assert "est un fichier, pas un dossier" in err
    assert not (territory / ".cache").exists()
