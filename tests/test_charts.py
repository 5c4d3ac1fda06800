"""Graphiques : valeurs étiquetées, motifs, source et millésime, texte alternatif ; API sur la démo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from observatoire.errors import ConfigError
from observatoire.views.charts import (
    age_pyramid,
    alt_text,
    distribution_chart,
    evolution_chart,
    figure_bytes,
    gap_chart,
    save_figure,
)
from observatoire.views.palette import HIGHLIGHT


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() != 0]


def test_barres_ecarts_secret_sans_barre():
    rows = pd.DataFrame(
        {"territoire": ["Les Tilleuls", "Bourg-Fictif", "CA fictive", "France"],
         "valeur": [40.0, 15.0, np.nan, 14.5], "statut": ["ok", "ok", "secret", "ok"]}
    )  # fmt: skip
    fig = gap_chart(
        rows, titre="Taux de pauvreté", unite="%", source="INSEE", annee=2021, fictif=True
    )
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == 3  # la valeur secrète n'est pas dessinée (jamais 0)
    assert len({b.get_hatch() for b in bars}) == 3  # motifs distincts : pas la couleur seule
    texts = _texts(fig)
    assert "40,0\u00a0%" in texts and "14,5\u00a0%" in texts
    assert " secret statistique" in texts
    assert "Source : INSEE, millésime 2021 — Données fictives" in texts
    alt = alt_text(fig)
    assert alt.startswith("Diagramme en barres horizontales « Taux de pauvreté » (2021)")
    assert "CA fictive : secret statistique" in alt and "Les Tilleuls : 40,0\u00a0%" in alt


def test_courbes_evolution_geographie_2015_marquee(tmp_path):
    lines = pd.DataFrame(
        {"territoire": ["Les Tilleuls"] * 3 + ["France"] * 2, "annee": [2016, 2018, 2021, 2018, 2021],
         "valeur": [44.0, 42.0, 40.0, 15.0, 14.5], "statut": ["ok"] * 5,
         "traverse_geographie": [True, False, False, False, False]}
    )  # fmt: skip
    fig = evolution_chart(lines, titre="Taux de pauvreté", unite="%", source="INSEE")
    texts = " ".join(_texts(fig))
    assert "géographie prioritaire 2015" in texts
    assert "Source : INSEE, millésimes 2016 à 2021" in texts
    hollow = [ln for ln in fig.axes[0].lines if ln.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2016]
    assert "2016 : 44,0\u00a0%" in alt_text(fig)
    svg = save_figure(fig, tmp_path / "evolution.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    assert figure_bytes(fig, "png").startswith(b"\x89PNG")


def test_pyramide_en_pourcentages():
    p = pd.DataFrame({"tranche": ["0-14 ans", "15-29 ans"], "hommes": [30, 20], "femmes": [25, 25]})
    fig = age_pyramid(p, titre="Pyramide des âges", source="INSEE", annee=2020)
    texts = _texts(fig)
    # 30 hommes sur 100 habitants : 30,0 %
    assert "30,0\u00a0%" in texts and "20,0\u00a0%" in texts and "25,0\u00a0%" in texts
    hatches = {b.get_hatch() for b in _bars(fig.axes[0])}
    assert hatches == {"///", None}  # hommes hachurés, femmes unies
    assert "0-14 ans : hommes 30,0\u00a0%, femmes 25,0\u00a0%" in alt_text(fig)


def test_distribution_quartier_mis_en_evidence():
    values = pd.DataFrame(
        {"code": ["A", "B", "C", "D"], "nom": ["Les Tilleuls", "Le Port", "La Gare", "Le Moulin"],
         "valeur": [40.0, 20.0, 30.0, np.nan], "statut": ["ok", "ok", "ok", "secret"]}
    )  # fmt: skip
    fig = distribution_chart(values, titre="Taux de pauvreté", unite="%", selected="C",
                             source="INSEE", annee=2021, references={"France": 14.5})  # fmt: skip
    bars = _bars(fig.axes[0])
    assert len(bars) == 3  # Le Moulin (secret) n'est pas tracé
    highlighted = [b for b in bars if to_hex(b.get_facecolor()) == HIGHLIGHT.lower()]
    assert len(highlighted) == 1 and highlighted[0].get_hatch() == "///"
    assert highlighted[0].get_width() == 30.0
    texts = _texts(fig)
    assert "▶ La Gare" in texts and "Donnée non disponible : Le Moulin." in "\n".join(texts)
    assert " France : 14,5\u00a0%" in texts
    assert (
        "Quartier sélectionné : La Gare, 30,0\u00a0%, 2e valeur la plus élevée sur 3"
        in alt_text(fig)
    )


# ---------------------------------------------------------------------- démo


@pytest.fixture(scope="module")
def api(obs_demo):
    return obs_demo.indicateurs


def test_api_figures_demo(api, tmp_path):
    q = api.codes[0]
    for fig in (
        api.figure_ecarts(q, "taux_pauvrete"),
        api.figure_evolution(q, "taux_pauvrete"),
        api.pyramide(q),
        api.distribution("taux_pauvrete", quartier=q),
    ):
        alt = api.texte_alternatif(fig)
        assert "Données fictives" in alt
        assert any("Données fictives" in t for t in _texts(fig))
    assert "prudence" in " ".join(_texts(api.figure_evolution(q, "taux_pauvrete")))
    save_figure(api.pyramide(q), tmp_path / "pyramide.png")


def test_api_analyses_demo(api):
    q = api.codes[0]
    e = api.ecarts(q, annee=2021)
    assert set(e["reference"]) == {"commune", "epci", "departement", "france", "ensemble_qpv"}
    synth = api.synthese(q, n=3)
    assert len(synth) == 3 and synth["score"].is_monotonic_decreasing
    r = api.rangs(q, ["taux_pauvrete"], 2021)
    assert 1 <= int(r["rang"].iloc[0]) <= len(api.codes)
    ineg = api.inegalites("taux_pauvrete", 2018)
    assert ineg["n_exclus"] == 1  # un quartier sous secret en 2018, exclu et compté
    assert ineg["theil"] == pytest.approx(ineg["theil_inter"] + ineg["theil_intra"])
    agg = api.agregat("taux_pauvrete", 2018)
    assert agg["exclus_secret"] == 1 and agg["population_exclue"] > 0
    evo = api.evolution(q, ["taux_pauvrete"])
    assert not evo["consecutifs"].iloc[0]


def test_api_indicateur_inconnu(api):
    with pytest.raises(ConfigError, match="taux_pauvrete"):
        api.figure_ecarts(api.codes[0], "taux_pauvret")
