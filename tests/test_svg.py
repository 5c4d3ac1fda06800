"""Figures des rapports en SVG : même fichier que matplotlib, stable, texte vectoriel."""

import io

import matplotlib
import pandas as pd
import pytest

from observatoire.views import svg
from observatoire.views.charts import gap_chart


def _chart():
    rows = _rows(
        ("Quartier des Tilleuls (fictif)", 43.9, "ok"),
        ("Commune", 18.2, "ok"),
        ("France", 14.5, "ok"),
        ("Ensemble des QPV", None, "secret"),
    )
    return gap_chart(rows, titre="Taux de pauvreté", unite="%", source="INSEE", annee=2021)


def _rows(*rows):
    return pd.DataFrame(rows, columns=["territoire", "valeur", "statut"])


def _matplotlib_svg(fig) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context(svg.RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue().decode("utf-8")


def test_meme_svg_que_matplotlib_et_stable():
    ours, again, reference = (
        svg.figure_svg(_chart()),
        svg.figure_svg(_chart()),
        _matplotlib_svg(_chart()),
    )
    assert ours == reference  # le cache des mesures ne change rien au dessin
    assert ours == again  # identifiants stables d'un rendu à l'autre
    assert svg.cached_metrics() > 0


def test_le_texte_reste_du_texte():
    text = svg.figure_svg(_chart())
    assert text.startswith("<?xml")
    assert "<text" in text and "Taux de pauvreté" in text
    assert "dc:date" not in text  # pas d'horodatage : deux rapports identiques


@pytest.mark.parametrize("label", ["<script>alert(1)</script>", "R&D « quartier »"])
def test_texte_hostile_echappe(label):
    rows = _rows((label, 10.0, "ok"), ("France", 14.5, "ok"))
    text = svg.figure_svg(gap_chart(rows, titre=label, unite="%", source="INSEE", annee=2021))
    assert "<script>" not in text
    assert "&lt;script&gt;" in text or "&amp;" in text
