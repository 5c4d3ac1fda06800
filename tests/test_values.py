"""Conversion des cellules selon les conventions des fichiers publics français."""

from __future__ import annotations

from datetime import date

import pytest

from observatoire.sources.values import (
    check_code,
    clean_float,
    parse_bool_cell,
    parse_code,
    parse_date_cell,
    parse_number_cell,
    qpv_generation,
)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("43,9", 43.9),
        ("1 234", 1234.0),
        ("1\u00a0234,5", 1234.5),  # espace insécable
        ("31\u202f000,00", 31000.0),  # espace fine insécable
        ("12,5 %", 12.5),
        ("1 200 €", 1200.0),
        ('="17,5"', 17.5),
        ("1.234,5", 1234.5),
        ("1.7000000000000002", 1.7),
        ("-3,2", -3.2),
        (" 42 ", 42.0),
        (7, 7.0),
    ],
)
def test_french_numbers(cell, value):
    assert parse_number_cell(cell) == (value, "ok", None)


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("", "absent"),
        ("s", "secret"),
        ("S", "secret"),
        ("nd", "absent"),
        ("n.d.", "absent"),
        ("ns", "secret"),
        ("NA", "absent"),
        ("-", "absent"),
        ("///", "absent"),
        (float("nan"), "absent"),
    ],
)
def test_markers_are_statuses_never_zero(cell, status):
    value, got, band = parse_number_cell(cell)
    assert value is None
    assert got == status
    assert band is None


@pytest.mark.parametrize("cell", ["< 5", "[10;20[", "5 à 10", "≤ 10"])
def test_bands_are_secret_with_band_kept(cell):
    assert parse_number_cell(cell) == (None, "secret", cell)


@pytest.mark.parametrize("cell", ["quarante", "12abc", "1,2,3", "oui"])
def test_text_is_refused(cell):
    with pytest.raises(ValueError):
        parse_number_cell(cell)


def test_float_artefacts_are_rounded():
    assert clean_float(0.1 + 0.2) == 0.3
    assert clean_float(24.700000000000003) == 24.7


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ('="01001"', "01001"),
        ("01001", "01001"),
        (" 2a004 ", "2A004"),
        ("2B", "2B"),
        ("QN04901m", "QN04901M"),
        ("60057.0", "60057"),
    ],
)
def test_codes_stay_strings(cell, code):
    assert parse_code(cell) == code


def test_check_code_by_level():
    assert check_code("01001", "commune") is None
    assert check_code("2A004", "commune") is None
    assert check_code("QP093005", "qpv") is None
    assert check_code("QN04901M", "qpv") is None
    assert check_code("2B", "departement") is None
    assert (
        check_code("1001", "commune") == "un code commune INSEE à 5 caractères (ex. 01001, 2A004)"
    )
    assert "QPV" in check_code("QN1234", "qpv")
    assert qpv_generation("QP093005") == 2015
    assert qpv_generation("QN04901M") == 2024


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("14/03/2024", date(2024, 3, 14)),
        ("2024-03-14", date(2024, 3, 14)),
        ("45365", date(2024, 3, 14)),  # numéro de série Excel
        ("2024-03-14T18:30:00", date(2024, 3, 14)),
    ],
)
def test_dates(cell, day):
    assert parse_date_cell(cell) == day


def test_bad_date_and_booleans():
    assert parse_date_cell("") is None
    with pytest.raises(ValueError):
        parse_date_cell("31/02/2024")
    assert parse_bool_cell("Oui") is True
    assert parse_bool_cell("0") is False
    assert parse_bool_cell("") is None
    with pytest.raises(ValueError):
        parse_bool_cell("peut-être")


@pytest.mark.parametrize("code", ["QP093005", "QP971001", "QP02A001", "QN04901M", "QN02A01M"])
def test_qpv_codes_of_both_generations_including_corsica(code):
    assert check_code(code, "qpv") is None


@pytest.mark.parametrize("code", ["QP93005", "QN049010M", "QX093005", "qp093005 ", "QN0490M"])
def test_malformed_qpv_codes(code):
    assert check_code(code, "qpv") is not None


def test_typographic_minus():
    assert parse_number_cell("\u22123,2") == (-3.2, "ok", None)
