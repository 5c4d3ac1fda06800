"""``observatoire exporter tableaux`` : classeurs XLSX et CSV des tableaux des rapports.

Sur la démonstration (vraie CLI) : une valeur connue, recalculée par l'API, avec son format
d'affichage ; une valeur secrète gardée comme statut ; une cellule de participation
masquée qui le reste ; la feuille « Lisez-moi » ; en-tête figé, filtre automatique,
largeurs ; CSV relu (BOM, « ; », virgule décimale). Sur un petit territoire fictif dont
les noms commencent par « = », « + », « - », « @ » : textes neutralisés en XLSX et en CSV.
Relance incrémentale et erreurs en français (code 2, rien d'écrit).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fiabilite_outils import replace_cells

from observatoire import __version__
from observatoire.cli import main
from observatoire.views.format import format_date

HOSTILE = {
    "QN00001A": '=HYPERLINK("http://exemple.invalid/?x=1","Cliquez ici")',
    "QN00002A": "+33 1 23 45 67 89 Cité",
    "QN00003A": "@SOMME(A1:A9)-Salicornes",
}
HOSTILE_PORTEUR = "=1+1 Association du Quai"
HOSTILE_INTITULE = "-2+3 Chantier d'insertion"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _export(*args: str) -> int:
    return main(["exporter", "tableaux", *args])


def _rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def _cells(ws, **match) -> list[dict]:
    """Lignes (cellules openpyxl par titre de colonne) dont les valeurs correspondent."""
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    found = []
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=True))
        if all(cells[k].value == v for k, v in match.items()):
            found.append(cells)
    return found


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory, demo_config) -> Path:
    out = tmp_path_factory.mktemp("exports-demo")
    for extra in ((), ("--quartier", "QN00007A"), ("--format", "csv")):
        assert _export("--config", str(demo_config), "--sortie", str(out), *extra) == 0
    return out


@pytest.fixture(scope="module")
def workbook(demo_out):
    return openpyxl.load_workbook(demo_out / "tableaux" / "tableaux-territoire.xlsx")


def _latest(obs, code: str, indicateur: str):
    v = obs.indicateurs.code_values(code)
    v = v[(v["indicateur"] == indicateur) & (v["statut"] == "ok")]
    return v.sort_values("annee").iloc[-1]


def test_known_values_are_numbers_with_french_formats(workbook, obs_demo):
    ws = workbook["Portrait"]
    for indicateur, fmt, scale in (
        ("taux_pauvrete", "0.0%", 100),
        ("revenu_median_uc", '#,##0 "€"', 1),
        ("population", "#,##0", 1),
    ):
        expected = _latest(obs_demo, "QN00001A", indicateur)
        (row,) = _cells(ws, **{"Code quartier": "QN00001A", "Indicateur (identifiant)": indicateur})
        cell = row["Valeur"]
        assert cell.data_type == "n", (indicateur, cell.value)
        assert cell.value == pytest.approx(float(expected["valeur"]) / scale)
        assert cell.number_format == fmt
        assert row["Millésime"].value == int(expected["annee"])
        assert row["Millésime"].number_format == "0"  # 2021, pas « 2 021 »
        assert "Données fictives" in row["Source"].value
    per_hab = obs_demo.contrat.euros_par_habitant(obs_demo.contrat.annees)
    first = per_hab.dropna(subset=["euros_par_habitant"]).iloc[0]
    (row,) = _cells(workbook["Euros par habitant"], **{"Code quartier": first["quartier"]})
    assert row["Euros par habitant"].value == pytest.approx(first["euros_par_habitant"])
    assert row["Euros par habitant"].number_format == '#,##0.00 "€"'


def test_gap_in_points_and_secret_kept_as_status(workbook, obs_demo):
    gaps = obs_demo.indicateurs.ecarts("QN00001A")
    gaps = gaps[(gaps["indicateur"] == "taux_pauvrete") & (gaps["reference"] == "france")]
    last = gaps.sort_values("annee").iloc[-1]
    (row,) = _cells(
        workbook["Écarts"],
        **{"Code quartier": "QN00001A", "Indicateur (identifiant)": "taux_pauvrete",
           "Référence": "France"},
    )  # fmt: skip
    assert row["Écart à la référence"].value == pytest.approx(last["ecart"])
    assert "pts" in row["Écart à la référence"].number_format

    v = obs_demo.valeurs
    secret = v[v["statut"] == "secret"].iloc[0]
    (row,) = _cells(
        workbook["Valeurs"],
        **{"Code": secret["code"], "Indicateur (identifiant)": secret["indicateur"],
           "Millésime": int(secret["annee"])},
    )  # fmt: skip
    assert row["Valeur"].value == "secret" and row["Valeur"].data_type == "s"
    assert row["Statut"].value == "secret statistique"

    # une évolution qui part d'une valeur secrète n'est pas mesurée, et le dit
    from observatoire.publish.sections.evolution import EVOLUTION_INDICATORS

    secret = v[(v["statut"] == "secret") & v["indicateur"].isin(EVOLUTION_INDICATORS)].iloc[0]
    evo = obs_demo.indicateurs.evolution(secret["code"], [secret["indicateur"]])
    assert (evo["annee_debut"] == secret["annee"]).any()
    (row,) = _cells(
        workbook["Évolutions"],
        **{"Code quartier": secret["code"], "Indicateur (identifiant)": secret["indicateur"],
           "Début": int(secret["annee"])},
    )  # fmt: skip
    assert row["Valeur de début"].value == "secret"
    assert row["Statut de début"].value == "secret statistique"
    assert row["Évolution"].value == "non mesurable"


def test_masked_participation_cell_stays_masked(demo_out, workbook, obs_demo):
    rep = obs_demo.participation.representativite("QN00007A")
    hidden = rep[rep["affichage"] != ""]
    assert len(hidden), "la démo devait avoir une part masquée pour QN00007A"
    raw = obs_demo.participation.representativite_brute("QN00007A").set_index("groupe")
    quartier = openpyxl.load_workbook(demo_out / "tableaux" / "tableaux-QN00007A.xlsx")
    for wb in (quartier, workbook):
        ws = wb["Représentativité"]
        for r in hidden.itertuples():
            (row,) = _cells(ws, **{"Code quartier": "QN00007A", "Groupe": r.libelle})
            share = row["Part parmi les participants (%)"]
            assert share.value == r.affichage and share.data_type == "s"
            assert row["Rapport"].value == "masqué"
            assert row["Statut"].value.startswith("masqué")
            secret_share = float(raw.loc[r.groupe, "part_participants"])
            numbers = [c.value for c in row.values() if isinstance(c.value, float)]
            assert all(n != pytest.approx(secret_share) for n in numbers)
    text = (demo_out / "tableaux" / "csv-territoire" / "representativite.csv").read_text(
        encoding="utf-8-sig"
    )
    line = next(x for x in text.splitlines() if "QN00007A" in x and hidden.iloc[0]["libelle"] in x)
    assert f";{hidden.iloc[0]['affichage']};" in line


def test_readme_sheet(workbook, obs_demo):
    assert workbook.sheetnames[0] == "Lisez-moi"
    cells = [c for row in workbook["Lisez-moi"].iter_rows(values_only=True) for c in row if c]
    text = "\n".join(str(c) for c in cells)
    assert "Données fictives" in text
    assert obs_demo.config.territoire.nom in text
    assert __version__ in text
    assert format_date(date.today()) in text
    cat = obs_demo.catalogue.set_index("id")
    assert cat.loc["taux_pauvrete", "definition"] in text  # définition de chaque indicateur
    rows = list(workbook["Lisez-moi"].iter_rows(values_only=True))
    revenus = next(r for r in rows if r[1] == "revenus_2021")
    assert revenus[4] == "2021" and revenus[2]  # millésime et producteur de la source
    warned = next(r for r in rows if r[0] == "Avertissements")  # jamais tus
    assert warned[1].startswith(f"{len(obs_demo.warnings)} au chargement")
    assert obs_demo.warnings[0].format_fr() in text
    listed = {r[1] for r in rows if r[0] is None and r[1] in workbook.sheetnames}
    assert listed == set(workbook.sheetnames) - {"Lisez-moi"}


def test_sheets_frozen_filtered_fitted_and_clean(workbook):
    assert len(workbook.sheetnames) > 12
    for ws in workbook.worksheets[1:]:
        assert len(ws.title) <= 31
        assert ws.freeze_panes == "A2", ws.title
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
                  for i in range(1, ws.max_column + 1)]  # fmt: skip
        assert all(w >= 8 for w in widths) and max(widths) > 20, ws.title
        header = [c.value for c in next(ws.iter_rows())]
        assert header[-1] == "Source", ws.title  # chaque ligne dit sa source…
        for (source,) in ws.iter_rows(min_row=2, min_col=len(header), values_only=True):
            assert "Données fictives" in source, (ws.title, source)  # … et que c'est fictif
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                if isinstance(c.value, str):
                    assert c.value not in ("None", "nan", "NaN", "NaT", "<NA>"), ws.title
                    assert "None" not in c.value and "nan" not in c.value.split(), ws.title


def test_csv_bom_semicolon_decimal_comma(demo_out, obs_demo, workbook):
    folder = demo_out / "tableaux" / "csv-territoire"
    raw = (folder / "portrait.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    expected = _latest(obs_demo, "QN00001A", "taux_pauvrete")
    row = next(r for r in rows if r["Code quartier"] == "QN00001A"
               and r["Indicateur (identifiant)"] == "taux_pauvrete")  # fmt: skip
    assert row["Valeur"] == f"{float(expected['valeur']):g}".replace(".", ",")
    assert list(rows[0]) == [c.value for c in next(workbook["Portrait"].iter_rows())]
    names = {p.name for p in folder.glob("*.csv")}
    assert {"lisez-moi.csv", "valeurs.csv", "ecarts.csv", "euros-par-habitant.csv"} <= names
    valeurs = (folder / "valeurs.csv").read_text(encoding="utf-8-sig")
    assert ";secret;" in valeurs and "secret statistique" in valeurs
    assert "Données fictives" in (folder / "lisez-moi.csv").read_text(encoding="utf-8-sig")


def _hostile_territory(dest: Path) -> Path:
    from observatoire.demo.generator import generate_demo

    config = generate_demo(dest, n_quartiers=3, seed=2024)
    liste = dest / "geographie" / "liste_qpv_2024.csv"
    names = {}
    for line in liste.read_text(encoding="utf-8-sig").splitlines()[1:]:
        cells = line.split(";")
        if cells[0] in HOSTILE:
            names[cells[1]] = HOSTILE[cells[0]]
    replace_cells(liste, names)
    contours = dest / "geographie" / "contours_qpv_2024.geojson"
    data = json.loads(contours.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"].get("code_qp") in HOSTILE:
            feature["properties"]["lib_qp"] = HOSTILE[feature["properties"]["code_qp"]]
    contours.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for workbook in sorted((dest / "contrat").glob("programmation_*.xlsx")):
        wb = openpyxl.load_workbook(workbook)
        for ws in wb.worksheets:  # porteur de la première action de chaque feuille
            header = None
            for row in ws.iter_rows():
                values = [c.value for c in row]
                if header is None and "Porteur" in values:
                    header = values
                elif header is not None and row[0].value:
                    for column, text in (("Porteur", HOSTILE_PORTEUR),
                                         ("Intitulé de l'action", HOSTILE_INTITULE)):  # fmt: skip
                        cell = row[header.index(column)]
                        cell.value = text
                        cell.data_type = "s"  # un texte saisi, pas une formule
                    break
        wb.save(workbook)
    return config


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports-hostiles")
    config = _hostile_territory(root / "territoire")
    out = root / "sortie"
    for fmt in ("xlsx", "csv"):
        assert (
            _export("--config", str(config), "--sortie", str(out), "--tous", "--format", fmt) == 0
        )
    return config, out


def test_hostile_names_neutralised_in_xlsx(hostile):
    _config, out = hostile
    files = sorted((out / "tableaux").glob("*.xlsx"))
    assert [f.name for f in files] == [
        "tableaux-QN00001A.xlsx", "tableaux-QN00002A.xlsx", "tableaux-QN00003A.xlsx",
        "tableaux-territoire.xlsx",
    ]  # fmt: skip
    seen = set()
    for path in files:
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                    if isinstance(c.value, str):
                        assert not c.value.startswith(FORMULA_STARTS), (ws.title, c.value)
                        for text in (*HOSTILE.values(), HOSTILE_PORTEUR, HOSTILE_INTITULE):
                            if c.value == "'" + text:
                                seen.add(text)
    assert seen == {*HOSTILE.values(), HOSTILE_PORTEUR, HOSTILE_INTITULE}


def test_hostile_names_neutralised_in_csv(hostile):
    _config, out = hostile
    folders = sorted(p.name for p in (out / "tableaux").iterdir() if p.is_dir())
    assert folders == ["csv-QN00001A", "csv-QN00002A", "csv-QN00003A", "csv-territoire"]
    seen = set()
    for path in (out / "tableaux").glob("csv-*/*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        for row in csv.reader(io.StringIO(text), delimiter=";"):
            for value in row:
                if value and not value[0].isdigit():
                    assert not value.startswith(("=", "+", "@", "\t", "\r")), (path, value)
                    if value.startswith("-"):
                        float(value[1:].replace(",", "."))  # un nombre négatif, pas un texte
                for hostile_text in (*HOSTILE.values(), HOSTILE_PORTEUR, HOSTILE_INTITULE):
                    if value == "'" + hostile_text:
                        seen.add(hostile_text)
    assert seen == {*HOSTILE.values(), HOSTILE_PORTEUR, HOSTILE_INTITULE}


def test_incremental_rerun_then_changed_data(hostile, tmp_path, capsys):
    config, _out = hostile
    territory = tmp_path / "territoire"
    shutil.copytree(config.parent, territory, ignore=shutil.ignore_patterns(".cache"))
    config = territory / "observatoire.toml"
    out = tmp_path / "sortie"
    args = ("--config", str(config), "--sortie", str(out), "--quartier", "QN00002A")
    assert _export(*args) == 0
    target = out / "tableaux" / "tableaux-QN00002A.xlsx"
    first = target.stat().st_mtime_ns
    capsys.readouterr()
    assert _export(*args) == 0
    said = capsys.readouterr().out
    assert "à jour, rien à refaire" in said and target.stat().st_mtime_ns == first
    assert not list(target.parent.glob(".*.tmp"))
    liste = territory / "geographie" / "liste_qpv_2024.csv"
    before = liste.read_bytes()
    replace_cells(liste, {f'"{HOSTILE["QN00002A"]}"': "Cité des Embruns (renommée)"})
    assert liste.read_bytes() != before
    assert _export(*args) == 0
    assert "Tableaux écrits" in capsys.readouterr().out
    wb = openpyxl.load_workbook(target)
    assert {r["Quartier"] for r in _rows(wb["Portrait"])} == {"Cité des Embruns (renommée)"}


def test_errors_in_french_exit_2_nothing_written(demo_config, tmp_path, capsys):
    out = tmp_path / "sortie"
    code = _export("--config", str(demo_config), "--sortie", str(out), "--quartier", "QN09999Z")
    err = capsys.readouterr().err
    assert code == 2
    assert "Quartier inconnu : « QN09999Z »" in err and "Traceback" not in err
    assert not (out / "tableaux").exists()
    code = _export("--config", str(demo_config), "--sortie", str(out), "--quartier",
                   "QN00001A", "--tous")  # fmt: skip
    assert code == 2 and "s'excluent" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        _export("--config", str(demo_config), "--format", "ods")
    assert exc.value.code == 2
    assert "choix invalide" in capsys.readouterr().err


def test_python_api_same_tables(obs_demo, tmp_path):
    from observatoire.exports.tableaux import build_tables, exporter_tableaux

    paths = exporter_tableaux(obs_demo, format="xlsx", quartier="QN00014A", sortie=tmp_path,
                              echo=lambda _t: None)  # fmt: skip
    assert paths == [tmp_path / "tableaux" / "tableaux-QN00014A.xlsx"]
    tables, _absents, q, _p = build_tables(obs_demo, "QN00014A")
    wb = openpyxl.load_workbook(paths[0])
    assert [t.sheet for t in tables] == wb.sheetnames[1:]
    assert q.code == "QN00014A"


def test_evolutions_per_quartier_equal_the_api(obs_demo, workbook):
    """Les évolutions exportées (quartier par quartier, comme les tableaux de bord) sont
    celles de ``obs.indicateurs.evolution()`` sur tout le territoire."""
    import pandas as pd

    from observatoire.exports.tables_indicateurs import quartier_evolution
    from observatoire.publish.sections.evolution import EVOLUTION_INDICATORS

    wanted = list(EVOLUTION_INDICATORS)
    cols = ["code", "indicateur", "annee_debut", "annee_fin", "evolution", "avertissement"]
    mine = pd.concat([quartier_evolution(obs_demo, c, wanted) for c in obs_demo.indicateurs.codes])
    mine = mine[cols].sort_values(cols[:2]).reset_index(drop=True)
    api = obs_demo.indicateurs.evolution(None, wanted)[cols]
    api = api.sort_values(cols[:2]).reset_index(drop=True)
    assert len(mine) > 0
    pd.testing.assert_frame_equal(mine, api, check_dtype=False)
    assert len(_rows(workbook["Évolutions"])) == len(api)


PARTIAL_TYPES = {"evenements", "decidim", "presences", "programmation", "subventions_scdl"}


def _without_sources(config: Path, types: set[str]) -> None:
    """Retire de la configuration les sources de ces types (et leurs sous-tables)."""
    import tomllib

    names = [n for n, s in tomllib.loads(config.read_text(encoding="utf-8"))["sources"].items()
             if s["type"] in types]  # fmt: skip
    kept, skip = [], False
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            skip = any(line.startswith((f"[sources.{n}]", f"[sources.{n}.")) for n in names)
        if not skip:
            kept.append(line)
    config.write_text("\n".join(kept) + "\n", encoding="utf-8")


def test_partial_data_says_what_is_missing(hostile, tmp_path, capsys):
    """Sans participation ni programmation : ni feuille vide ni CSV périmé, le Lisez-moi
    nomme les tableaux sans données avec la phrase des rapports."""
    config, _out = hostile
    territory = tmp_path / "territoire"
    shutil.copytree(config.parent, territory, ignore=shutil.ignore_patterns(".cache"))
    config = territory / "observatoire.toml"
    out = tmp_path / "sortie"
    base = ("--config", str(config), "--sortie", str(out))
    assert _export(*base, "--format", "csv") == 0
    folder = out / "tableaux" / "csv-territoire"
    assert (folder / "euros-par-habitant.csv").exists()
    _without_sources(config, PARTIAL_TYPES)
    assert _export(*base, "--format", "csv") == 0
    assert _export(*base) == 0
    names = {p.name for p in folder.glob("*.csv")}
    assert {"portrait.csv", "ecarts.csv", "valeurs.csv", "lisez-moi.csv"} <= names
    assert not names & {"euros-par-habitant.csv", "participation-annee.csv", "financeurs.csv"}
    wb = openpyxl.load_workbook(out / "tableaux" / "tableaux-territoire.xlsx")
    assert "Portrait" in wb.sheetnames and "Financeurs" not in wb.sheetnames
    assert not any(s.startswith("Participation") for s in wb.sheetnames)
    missing = {r[1]: r[2] for r in wb["Lisez-moi"].iter_rows(values_only=True)
               if r[0] == "Sans données"}  # fmt: skip
    assert "Aucune programmation du contrat de ville" in missing["Financeurs"]
    assert "participation" in missing["Participation par année"]
    for ws in wb.worksheets[1:]:
        assert ws.max_row > 1, ws.title  # jamais de feuille vide


def test_writer_keeps_awkward_text_as_text(tmp_path):
    """« #N/A », un caractère de contrôle, « -3 » saisi comme texte : du texte, jamais une
    erreur, une formule ni un classeur illisible."""
    from observatoire.exports.tables_model import Column, Table
    from observatoire.exports.tables_write import csv_names, write_csv, write_xlsx, xlsx_names

    rows = [["#N/A", "bip\x07bip", "-3", "\tTab"], ["=2*3", "@x", "+1", "\rCR"]]
    table = Table("Textes [1]/2: *?", "textes", "essai", [Column(f"c{i}") for i in range(4)], rows)
    write_xlsx(tmp_path / "t.xlsx", xlsx_names([table]), [["Rubrique", "essai"]], "essai")
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["Lisez-moi", "Textes -1--2- --"]
    got = [[(c.value, c.data_type) for c in row] for row in wb.worksheets[1].iter_rows(min_row=2)]
    assert got[0] == [("#N/A", "s"), ("bip\ufffdbip", "s"), ("'-3", "s"), ("'\tTab", "s")]
    assert [v for v, _t in got[1]] == ["'=2*3", "'@x", "'+1", "'\rCR"]
    write_csv(tmp_path / "csv", csv_names([table]), [["Rubrique", "essai"]])
    text = (tmp_path / "csv" / "textes.csv").read_bytes().decode("utf-8-sig")
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert back[1][2:] == ["'-3", "'\tTab"] and back[2] == ["'=2*3", "'@x", "'+1", "'\rCR"]


def test_position_sheet_is_the_dashboard_table(workbook, obs_demo):
    """Rang, médiane et ensemble des quartiers : ceux de ``obs.indicateurs.position``."""
    from observatoire.publish.sections.quartier import contexte

    q = contexte(obs_demo, "QN00001A", None)
    pos = obs_demo.indicateurs.position("QN00001A", q.millesime).set_index("indicateur")
    expected = pos.loc["taux_pauvrete"]
    (row,) = _cells(
        workbook["Position"],
        **{"Code quartier": "QN00001A", "Indicateur (identifiant)": "taux_pauvrete"},
    )
    assert row["Rang"].value == int(expected["rang"])
    assert row["Quartiers classés"].value == int(expected["n_classes"])
    assert row["Ensemble des quartiers"].value == pytest.approx(expected["agregat"] / 100)
    assert row["Ensemble des quartiers"].number_format == "0.0%"
    assert row["Médiane des quartiers"].value == pytest.approx(expected["mediane"] / 100)


def test_quartier_ranks_equal_the_territory_ranks(demo_out, workbook):
    """Les rangs de l'export d'un quartier sont ceux de l'export du territoire."""
    quartier = openpyxl.load_workbook(demo_out / "tableaux" / "tableaux-QN00007A.xlsx")
    mine = _rows(quartier["Rangs"])
    territory = [r for r in _rows(workbook["Rangs"]) if r["Code quartier"] == "QN00007A"]
    assert len(mine) > 10 and mine == territory
