"""Lecture brute des fichiers tabulaires réels : encodages, séparateurs, titres, notes, XLSX."""

from __future__ import annotations

import pytest
from lecteurs_outils import FIX

from observatoire.errors import InputError, ProblemCollector
from observatoire.sources.tabular import read_raw_table, resolve_columns


def read(name: str, **kwargs):
    problems = ProblemCollector(name)
    table = read_raw_table(FIX / name, problems=problems, **kwargs)
    return table, problems


def test_cp1252_with_title_row_and_non_breaking_spaces():
    table, problems = read("revenus_qpv_2021.csv", expected=["CODGEO", "TX_PAUV"])
    assert table.encoding == "cp1252"
    assert table.separator == ";"
    assert list(table.frame.columns) == ["CODGEO", "LIBGEO", "NIVGEO", "POP", "TX_PAUV", "MED_UC"]
    assert table.frame.loc[4, "LIBGEO"] == "Port-Salé"  # accents non cassés
    assert table.frame.loc[0, "POP"] == "1\u00a0234"  # lu en texte, tel quel
    assert table.rows[0] == 3  # ligne 1 = titre, 2 = en-tête
    assert not problems.problems


def test_utf8_bom_comma_separator():
    table, _ = read("indicateurs_longs_bom.csv")
    assert table.encoding == "utf-8-sig"
    assert table.separator == ","
    assert table.frame.columns[0] == "code"  # BOM retiré du premier nom
    assert table.frame.loc[0, "valeur"] == "44,1"


def test_tab_separator_and_excel_protected_codes_kept_as_text():
    table, _ = read("indicateurs_tabulations.txt")
    assert table.separator == "\t"
    assert table.frame.loc[0, "code_qp"] == '="QN00001A"'
    assert table.frame.loc[0, "taux_chomage"] == "24.700000000000003"


def test_comma_separator_with_quoted_decimal_comma():
    table, _ = read("emploi_virgule_2020.csv")
    assert table.separator == ","
    assert table.frame["TX_EMPL"].tolist() == ["48,2", "51,0", "x"]
    assert table.frame.loc[2, "LIBGEO"] == "La Lande, nord"


def test_declared_separator_and_encoding_win():
    table, _ = read("liste_qpv_2015_cp1252.csv", separator=";", encoding="windows-1252")
    assert table.frame.loc[2, "NOM_QP"] == "Les Prés Salés"


def test_wrong_declared_encoding_is_refused_in_french():
    with pytest.raises(InputError) as info:
        read("revenus_qpv_2021.csv", encoding="utf-8")
    text = str(info.value)
    assert "ne se lit pas avec l'encodage déclaré « utf-8 »" in text
    assert "ligne 1" in text


def test_two_header_rows_are_combined_and_notes_removed():
    table, problems = read("programmation_entete_double.csv", header_row=1, header_rows=2)
    assert list(table.frame.columns) == [
        "Dossier",
        "Titre",
        "État / demandé",
        "État / accordé",
        "Commune / demandé",
        "Commune / accordé",
    ]
    assert len(table.frame) == 2
    assert table.notes == ["Source : tableau de suivi fictif"]
    assert table.rows == [3, 4]


def test_xlsx_sheet_found_by_expected_columns_with_title_rows_and_notes():
    table, _ = read("insertion_qpv_2020.xlsx", expected=["Code du quartier", "Taux d'emploi"])
    assert table.sheet == "Données"
    assert table.rows == [5, 6, 7]
    assert table.frame["Taux d'emploi"].tolist() == ["48.2", "51.7", "44.90000000000001"]
    assert table.frame["Demandeurs d'emploi"].tolist() == ["310", "s", "< 10"]
    assert table.notes[0].startswith("Source : Insee")


def test_xlsx_wrong_sheet_points_to_the_right_one():
    with pytest.raises(InputError) as info:
        read("insertion_qpv_2020.xlsx", sheet="Documentation", expected=["Code du quartier"])
    assert "n'est pas sur la feuille « Documentation » mais sur « Données »" in str(info.value)


def test_xlsx_missing_sheet_lists_sheets():
    with pytest.raises(InputError) as info:
        read("insertion_qpv_2020.xlsx", sheet="Feuil1")
    assert "la feuille configurée n'existe pas" in str(info.value)
    assert "Documentation, Données" in str(info.value)


def test_mixed_separators_are_reported_per_line():
    table, problems = read("separateurs_melanges.csv")
    rows = sorted(p.row for p in problems.errors)
    assert rows == [3, 4]
    assert "nombre de colonnes inattendu" in problems.errors[0].format_fr()
    assert "séparées par point-virgule" in problems.errors[0].format_fr()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("vide.csv", "le fichier est vide"),
        ("binaire.csv", "le fichier n'est pas un fichier texte"),
        ("absent.csv", "fichier introuvable"),
        ("contours_qpv_2024.geojson", "format de fichier non pris en charge"),
    ],
)
def test_unreadable_files(name, message):
    with pytest.raises(InputError) as info:
        read(name)
    assert message in str(info.value)
    assert name in str(info.value)


def test_header_row_beyond_end():
    with pytest.raises(InputError) as info:
        read("correspondance.csv", header_row=40)
    assert "au-delà de la fin du fichier" in str(info.value)


def test_resolve_columns_lists_available_columns():
    table, problems = read("correspondance.csv")
    found = resolve_columns(table, {"code": "CODE_2015", "autre": "inexistante"}, problems)
    assert found == {"code": "code_2015"}  # comparaison tolérante (casse)
    text = problems.errors[0].format_fr()
    assert "colonne « inexistante »" in text
    assert "code_2015, code_2024, part" in text


def test_header_found_below_title_even_when_expected_columns_are_wrong():
    table, _ = read("revenus_qpv_2021.csv", expected=["CODE_INEXISTANT"])
    assert list(table.frame.columns)[:2] == ["CODGEO", "LIBGEO"]


def test_xlsx_merged_header_cells():
    table, _ = read("entete_fusionnee.xlsx", header_row=1, header_rows=2)
    assert list(table.frame.columns) == [
        "Dossier",
        "Titre",
        "État / demandé",
        "État / accordé",
        "Commune / demandé",
        "Commune / accordé",
    ]
    assert table.frame.loc[0, "État / accordé"] == "800"
    assert table.frame.loc[1, "Commune / demandé"] == ""


def test_parquet_read_as_text(tmp_path):
    import pandas as pd

    path = tmp_path / "indicateurs.parquet"
    pd.DataFrame({"code": ["01001", "2A004"], "taux": [43.9, None]}).to_parquet(path)
    problems = ProblemCollector("indicateurs.parquet")
    table = read_raw_table(path, problems=problems)
    assert table.frame["code"].tolist() == ["01001", "2A004"]
    assert table.frame["taux"].tolist() == ["43.9", ""]
    assert table.rows == [2, 3]


def test_a_folder_instead_of_a_file(tmp_path):
    folder = tmp_path / "indicateurs.csv"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        read_raw_table(folder, problems=ProblemCollector("indicateurs.csv"))
    assert "fichier indicateurs.csv — fichier illisible" in str(info.value)


def test_broken_parquet(tmp_path):
    path = tmp_path / "abime.parquet"
    path.write_bytes(b"PAR1 pas du tout du parquet")
    with pytest.raises(InputError) as info:
        read_raw_table(path, problems=ProblemCollector("abime.parquet"))
    assert "fichier Parquet illisible" in str(info.value)


def test_excel_unicode_text_export_utf16_tabs():
    table, _ = read("texte_unicode_excel.txt")
    assert table.encoding == "utf-16"
    assert table.separator == "\t"
    assert table.frame["nom_qp"].tolist() == ["Les Hauts de Brume", "Le Port"]
    assert table.frame["taux_pauvrete"].tolist() == ["43,9", "s"]


def test_old_excel_format_gets_a_conversion_hint(tmp_path):
    path = tmp_path / "revenus_2017.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 ancien classeur")
    with pytest.raises(InputError) as info:
        read_raw_table(path, problems=ProblemCollector(path.name))
    assert "format de fichier non pris en charge — valeur trouvée : « xls »" in str(info.value)
    assert "enregistrez-le au format .xlsx ou .csv" in str(info.value)
