"""Données de démonstration du contrat de ville et API ``obs.contrat`` des notebooks.

Le territoire fictif est régénéré dans un dossier temporaire, puis chargé par sa seule
configuration : trois années de programmation (≥ 400 actions, plusieurs financeurs),
classeurs réalistes et subventions SCDL en Windows-1252.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from matplotlib.figure import Figure

from observatoire.demo.generator import generate_demo
from observatoire.territory import Observatoire
from observatoire.views.charts import alt_text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    dest = tmp_path_factory.mktemp("demo_contrat")
    config = generate_demo(dest)
    return dest, Observatoire.from_config(config, use_cache=False)


def test_fichiers_de_demo_realistes(demo):
    dest, _ = demo
    files = sorted(p.name for p in (dest / "contrat").iterdir())
    assert "programmation_2024-2025.xlsx" in files and "programmation_2026.xlsx" in files
    scdl = next(dest.glob("contrat/subventions_*_2025.csv")).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        scdl.decode("utf-8")  # Windows-1252
    text = scdl.decode("cp1252")
    assert text.startswith("nomAttribuant;idAttribuant;dateConvention;referenceDecision")
    assert re.search(r";\d{1,3}[ \u00a0]\d{3},\d{2};", text)  # montants « 31 000,00 »
    from openpyxl import load_workbook

    wb = load_workbook(dest / "contrat" / "programmation_2024-2025.xlsx")
    assert wb.sheetnames == ["Notice", "Programmation 2024", "Programmation 2025"]
    ws = wb["Programmation 2024"]
    assert "D4:D5" in {str(r) for r in ws.merged_cells.ranges}  # en-tête fusionné
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.startswith("Tous les QPV de ") for c in cells)
    assert any("Données fictives" in c for c in cells)


def test_demo_chargee_par_la_configuration(demo):
    _, obs = demo
    a = obs.actions
    assert len(a) >= 400
    assert sorted(set(a["annee"].astype(int))) == [2024, 2025, 2026]
    assert obs.financements["financeur"].nunique() >= 5
    assert (obs.cibles.groupby("action").size() > 1).sum() > 20  # multi-quartiers
    assert set(obs.cibles["quartier"]) <= set(obs.quartiers["code"])
    unlinked = [w for w in obs.warnings if "non reliée" in w.message and w.row is not None]
    assert unlinked  # listées par `observatoire valider`
    assert len(obs.contrat.non_relies()) == len(unlinked)


def test_api_contrat_sur_la_demo(demo):
    _, obs = demo
    c = obs.contrat
    assert c.annees == [2024, 2025, 2026]
    total = c.totaux(par=None)["accorde"].iloc[0]
    by_q = c.totaux("quartier")["accorde"]
    by_f = c.totaux("financeur")["accorde"]
    assert isinstance(total, Decimal)
    assert sum(v for v in by_q if v is not None) == total == sum(v for v in by_f if v is not None)
    s = c.synthese()
    assert s["actions"] == len(obs.actions) and 0 < s["taux_refus"] < 100
    assert s["effet_levier"] > 0
    assert len(c.renouvellement()) == 2
    eph = c.euros_par_habitant(2025)
    assert len(eph) == len(obs.quartiers) and eph["euros_par_habitant"].notna().all()
    table, summary = c.besoins_moyens(2025)
    assert summary["n"] == len(obs.quartiers)
    assert -1 <= summary["pearson"] <= 1
    code = obs.quartiers["code"].iloc[0]
    mine = c.actions_quartier(code, 2025)
    assert len(mine) and (mine["poids"] > 0).all()


def test_figures_avec_texte_alternatif(demo):
    _, obs = demo
    c = obs.contrat
    for fig in (
        c.figure_montants("financeur", 2025),
        c.figure_montants("pilier"),
        c.figure_euros_par_habitant(2025),
        c.figure_besoins_moyens(2025),
    ):
        assert isinstance(fig, Figure)
        alt = alt_text(fig)
        assert "Données fictives" in alt and "€" in alt
    alt = alt_text(c.figure_besoins_moyens(2025))
    assert "Corrélation de Pearson" in alt and "sous-dotés" in alt
