"""Cache Parquet par source : relecture identique, invalidation ciblée, rien d'écrit sur erreur."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from lecteurs_outils import FIX

from observatoire.errors import InputError
from observatoire.territory import Observatoire


@pytest.fixture
def territory(tmp_path):
    """Le mini-territoire des fixtures copié hors du dépôt."""
    dest = tmp_path / "territoire"
    shutil.copytree(FIX, dest)
    return dest


def cache_dirs(root) -> dict[str, str]:
    """Source → nom du dossier de cache (qui contient la clé)."""
    found = {}
    for d in (root / ".cache").iterdir():
        if d.is_dir() and not d.name.startswith("."):
            found[d.name.rsplit("-", 1)[0]] = d.name
    return found


def test_second_load_reads_the_cache_and_gives_identical_tables(territory):
    first = Observatoire.from_config(territory / "observatoire.toml")
    dirs = cache_dirs(territory)
    assert set(dirs) == {
        "qpv_2024", "qpv_2015", "references", "passage",
        "contours_2024", "contours_2015", "communes", "revenus_2021",
    }  # fmt: skip
    for d in dirs.values():
        assert (territory / ".cache" / d / "meta.json").exists()
    second = Observatoire.from_config(territory / "observatoire.toml")
    for name in ("territoires", "valeurs", "correspondances", "catalogue"):
        pd.testing.assert_frame_equal(first.table(name), second.table(name))
    assert second.contours.crs.to_epsg() == 2154
    assert second.contours.geom_equals(first.contours).all()
    assert second.fingerprints == first.fingerprints


def test_changing_one_file_invalidates_only_its_source(territory):
    Observatoire.from_config(territory / "observatoire.toml")
    before = cache_dirs(territory)
    path = territory / "revenus_qpv_2021.csv"
    path.write_bytes(path.read_bytes().replace(b"43,9", b"44,0"))
    obs = Observatoire.from_config(territory / "observatoire.toml")
    after = cache_dirs(territory)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"revenus_2021"}
    v = obs.valeurs.set_index(["code", "indicateur"])
    assert v.loc[("QN00001A", "taux_pauvrete"), "valeur"] == 44.0


def test_changing_a_shapefile_sidecar_invalidates_the_communes(territory):
    Observatoire.from_config(territory / "observatoire.toml")
    before = cache_dirs(territory)
    dbf = territory / "communes_l93.dbf"
    dbf.write_bytes(dbf.read_bytes().replace(b"Brumeville", b"Brumevilla"))
    obs = Observatoire.from_config(territory / "observatoire.toml")
    after = cache_dirs(territory)
    assert {k for k in before if before[k] != after[k]} == {"communes"}
    assert obs.communes_contours["nom"].tolist()[0] == "Brumevilla"


def test_catalogue_change_invalidates_indicators_only(territory):
    Observatoire.from_config(territory / "observatoire.toml")
    before = cache_dirs(territory)
    config = territory / "observatoire.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[catalogue.taux_pauvrete]\nlibelle = "Taux de pauvreté monétaire"\n',
        encoding="utf-8",
    )
    obs = Observatoire.from_config(config)
    after = cache_dirs(territory)
    assert {k for k in before if before[k] != after[k]} == {"revenus_2021"}
    assert obs.catalogue.set_index("id").loc["taux_pauvrete", "libelle"].endswith("monétaire")


def test_invalid_input_writes_nothing(territory):
    path = territory / "revenus_qpv_2021.csv"
    path.write_bytes(path.read_bytes().replace(b"43,9", b"beaucoup"))
    with pytest.raises(InputError) as info:
        Observatoire.from_config(territory / "observatoire.toml")
    assert "valeur trouvée : « beaucoup »" in str(info.value)
    assert not (territory / ".cache").exists()


def test_cache_can_be_disabled(territory):
    obs = Observatoire.from_config(territory / "observatoire.toml", use_cache=False)
    assert len(obs.valeurs) == 27
    assert not (territory / ".cache").exists()


def test_damaged_cache_is_ignored(territory):
    Observatoire.from_config(territory / "observatoire.toml")
    for parquet in (territory / ".cache").glob("revenus_2021-*/valeurs.parquet"):
        parquet.write_bytes(b"pas du parquet")
    obs = Observatoire.from_config(territory / "observatoire.toml")
    assert len(obs.valeurs) == 27


def test_declared_territories_win_over_deduced_ones_and_are_completed(territory):
    obs = Observatoire.from_config(territory / "observatoire.toml", use_cache=False)
    t = obs.territoires.set_index(["code", "niveau"])
    assert t.index.is_unique
    # la commune déclarée dans territoires_reference.csv l'emporte sur celle de la liste
    assert t.loc[("200000099", "epci"), "nom"] == "Communauté d'agglomération de Valbrume"
    assert t.loc[("200000099", "epci"), "source"] == "references"
    # le département déclaré sans région est complété par la liste des QPV
    assert t.loc[("00", "departement"), "region"] == "00"
    # la région, absente des références, vient de la liste (ligne déduite)
    assert bool(t.loc[("00", "region"), "deduit"]) is True
