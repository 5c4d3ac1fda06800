"""Contrôles entre tables : erreurs bloquantes et avertissements, tables manquantes tolérées."""

from __future__ import annotations

import pandas as pd
import pytest
from lecteurs_outils import context, source

from observatoire.checks import cross_checks
from observatoire.sources.contours import load_contours
from observatoire.sources.correspondance import load_correspondance
from observatoire.sources.geography import load_qpv_liste, load_territoires
from observatoire.sources.indicators import load_indicateurs

REVENUS = {
    "annee": 2021,
    "colonne_niveau": "NIVGEO",
    "indicateurs": {"POP": "population", "TX_PAUV": "taux_pauvrete"},
}


def tables(**overrides) -> dict[str, pd.DataFrame]:
    ctx = context()
    base = {
        "territoires": pd.concat(
            [
                load_qpv_liste(source("qpv_liste", "liste_qpv_2024.csv"), ctx)["territoires"],
                load_territoires(source("territoires", "territoires_reference.csv"), ctx)[
                    "territoires"
                ],
            ],
            ignore_index=True,
        ),
        "contours": load_contours(source("contours", "contours_qpv_2024.geojson"), ctx)["contours"],
        "valeurs": load_indicateurs(
            source("indicateurs", "revenus_qpv_2021.csv", name="revenus", **REVENUS), ctx
        )["valeurs"],
    }
    base.update(overrides)
    return base


def texts(problems, severity):
    return [p.format_fr() for p in problems if p.severity == severity]


def test_consistent_tables_give_nothing():
    assert cross_checks(None, tables()) == []


def test_any_table_may_be_missing():
    assert cross_checks(None, {}) == []
    assert cross_checks(None, {"valeurs": tables()["valeurs"]}) == []
    assert cross_checks(None, {"contours": tables()["contours"]}) == []
    t = tables()
    assert cross_checks(None, {"territoires": t["territoires"], "contours": t["contours"]}) == []


def test_values_of_an_unknown_quartier_are_an_error():
    t = tables()
    valeurs = t["valeurs"].copy()
    valeurs.loc[valeurs["code"] == "QN00003C", "code"] = "QN00009Z"
    problems = cross_checks(None, tables(valeurs=valeurs))
    errors = texts(problems, "erreur")
    assert len(errors) == 1
    assert errors[0].startswith("fichier revenus, ligne 5 — code QPV absent de la liste")
    assert "valeur trouvée : « QN00009Z »" in errors[0]
    assert "QN00001A, QN00002B, QN00003C" in errors[0]


def test_quartier_without_contour_and_contour_without_data():
    t = tables()
    contours = t["contours"][t["contours"]["code"] != "QN00002B"]
    valeurs = t["valeurs"][t["valeurs"]["code"] != "QN00003C"]
    warnings = texts(
        cross_checks(None, tables(contours=contours, valeurs=valeurs)), "avertissement"
    )
    assert any("1 quartier(s) 2024 sans contour : QN00002B" in w for w in warnings)
    assert any(
        "1 contour(s) de quartier sans aucune donnée d'indicateur : QN00003C" in w for w in warnings
    )
    assert any(
        "indicateur « taux_pauvrete » (2021) absent pour 1 quartier(s) 2024 : QN00003C" in w
        for w in warnings
    )


def test_parents_and_correspondence_codes():
    t = tables()
    territoires = t["territoires"][t["territoires"]["code"] != "00102"]
    corr = load_correspondance(source("correspondance", "correspondance.csv"), context())
    problems = cross_checks(
        None, tables(territoires=territoires, correspondances=corr["correspondances"])
    )
    warnings = texts(problems, "avertissement")
    assert any(
        "1 commune(s) de quartier absente(s) de la table des territoires : 00102" in w
        for w in warnings
    )
    assert any(
        "3 code(s) QPV de la correspondance absents de la liste des quartiers : QP000001, QP000002, QP000003"
        in w
        for w in warnings
    )
    assert texts(problems, "erreur") == []


def test_same_value_from_two_files_names_both(tmp_path):
    import shutil

    from lecteurs_outils import FIX

    from observatoire.errors import InputError
    from observatoire.territory import Observatoire

    root = tmp_path / "territoire"
    shutil.copytree(FIX, root)
    shutil.copy(root / "revenus_qpv_2021.csv", root / "revenus_bis_2021.csv")
    config = root / "observatoire.toml"
    text = config.read_text(encoding="utf-8")
    block = text[text.index("[sources.revenus_2021]") : text.index("[cache]")]
    config.write_text(
        text.replace(
            "[cache]",
            block.replace("revenus_2021]", "revenus_bis]").replace(
                "revenus_qpv_2021.csv", "revenus_bis_2021.csv"
            )
            + "[cache]",
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        Observatoire.from_config(config, use_cache=False)
    errors = [p.format_fr() for p in info.value.errors]
    assert len(errors) == 27  # 9 territoires × 3 indicateurs
    assert (
        "fichier revenus_bis_2021.csv, ligne 3 — table valeurs : déjà fourni par "
        "revenus_qpv_2021.csv (ligne 3) — valeur trouvée : « QN00001A / qpv / population / 2021 » "
        "— attendu : une seule source par code, niveau, indicateur, annee"
    ) in errors
    assert not (root / ".cache").exists()
