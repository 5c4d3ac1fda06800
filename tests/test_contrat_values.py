"""Montants à la française en centimes exacts, statuts, quartiers ciblés (« tous les QPV de … »)."""

from __future__ import annotations

import pandas as pd
import pytest

from observatoire.sources.contrat_values import (
    TargetResolver,
    normalise_status,
    parse_amount,
    parse_count,
    status_lookup,
)


def test_montants_a_la_francaise_en_centimes_exacts():
    assert parse_amount("31 000,00") == 3100000
    assert parse_amount("2\u00a0500,50 €") == 250050
    assert parse_amount("1.234.567,89") == 123456789
    assert parse_amount("3000.5") == 300050  # cellule numérique d'un classeur
    assert parse_amount("0.30000000000000004") == 30  # artefact flottant
    assert parse_amount('="12 000"') == 1200000
    assert parse_amount("-500,00") == -50000  # le signe est contrôlé par le lecteur
    assert parse_amount("nd") is None and parse_amount("") is None
    for bad in ("1 200,505", "mille euros", "12,5,0", "inf"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_effectifs_entiers():
    assert parse_count("1 234") == 1234
    assert parse_count("12.0") == 12
    assert parse_count("") is None
    with pytest.raises(ValueError):
        parse_count("12,5")


def test_statuts_par_defaut_et_configures():
    lookup = status_lookup({"Validé en comité": "accorde"})
    assert normalise_status("En cours d'instruction", lookup) == "instruit"
    assert normalise_status("SOLDÉ.", lookup) == "solde"
    assert normalise_status("validé en comité", lookup) == "accorde"
    assert normalise_status("en suspens", lookup) is None


def territoires() -> pd.DataFrame:
    rows = [
        ("QN00001A", "qpv", "Les Hauts", 2024, "00101", "200000099"),
        ("QN00002B", "qpv", "Le Port", 2024, "00101;00102", "200000099"),
        ("QN00003C", "qpv", "La Lande", 2024, "00102", "200000099"),
        ("QP000009", "qpv", "Le Port", 2015, "00101", "200000099"),
        ("QP000010", "qpv", "Vieux Bourg", 2015, "00103", "200000099"),
        ("00101", "commune", "Brumeville", None, None, "200000099"),
        ("00102", "commune", "La Rochebrume", None, None, "200000099"),
        ("00103", "commune", "Sans-Quartier", None, None, "200000099"),
        ("200000099", "epci", "CA de Valbrume", None, None, None),
    ]
    cols = ["code", "niveau", "nom", "generation", "communes", "epci"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["generation"] = frame["generation"].astype("Int64")
    return frame


@pytest.mark.parametrize(
    ("cell", "commune", "codes"),
    [
        ("QN00001A", None, ["QN00001A"]),
        ("QN00002B - Le Port", None, ["QN00002B"]),
        ("QN00001A ; QN00003C", None, ["QN00001A", "QN00003C"]),
        ("Les Hauts, La Lande", None, ["QN00001A", "QN00003C"]),
        ("le port", None, ["QN00002B"]),  # la génération en vigueur prime
        ("Vieux Bourg", None, ["QP000010"]),  # sinon l'autre génération
        ("Tous les QPV de Brumeville", None, ["QN00001A", "QN00002B"]),
        ("tous les QPV de La Rochebrume", None, ["QN00002B", "QN00003C"]),
        ("tous les QPV de 00102", None, ["QN00002B", "QN00003C"]),
        ("tous les quartiers prioritaires de la commune", "Brumeville", ["QN00001A", "QN00002B"]),
        ("tous les QPV de CA de Valbrume", None, ["QN00001A", "QN00002B", "QN00003C"]),
        ("tous les QPV", None, ["QN00001A", "QN00002B", "QN00003C"]),
        ("Quartier du phare", None, ["QN00003C"]),  # alias configuré
    ],
)
def test_quartiers_cibles(cell, commune, codes):
    resolver = TargetResolver(territoires(), 2024, {"Quartier du phare": "La Lande"})
    found, unknown = resolver.resolve(cell, commune)
    assert (found, unknown) == (codes, [])


def test_quartiers_inconnus_signales():
    resolver = TargetResolver(territoires(), 2024)
    assert resolver.resolve("QN00001A; Les Mimosas", None) == (["QN00001A"], ["Les Mimosas"])
    # commune sans quartier, commune de la ligne absente : non résolus
    assert resolver.resolve("tous les QPV de Sans-Quartier", None)[0] == []
    assert resolver.resolve("tous les QPV de la commune", "")[1] == ["tous les QPV de la commune"]
    assert resolver.resolve("QN99999Z", None) == ([], ["QN99999Z"])
