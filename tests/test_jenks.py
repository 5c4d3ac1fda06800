"""Fisher-Jenks vectorisé (``observatoire/views/jenks.py``) : les bornes de mapclassify, bit à bit.

Comparées à ``mapclassify.FisherJenks`` (Python pur, la référence) sur des séries
tirées au hasard (normales, arrondies au dixième, entières avec beaucoup d'égalités,
log-normales) et sur toutes les valeurs de la démo, pour 2 à 9 classes.
"""

from __future__ import annotations

import warnings

import mapclassify
import numpy as np
import pandas as pd
import pytest

from observatoire.views.jenks import fisher_jenks_bins
from observatoire.views.palette import classify


def _reference(y: np.ndarray, k: int) -> np.ndarray:
    with warnings.catch_warnings():  # « Numba not installed »
        warnings.simplefilter("ignore")
        return mapclassify.FisherJenks(y, k=k).bins


def _series(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "normale":
        return rng.normal(30, 10, n)
    if kind == "dixiemes":
        return np.round(rng.uniform(0, 100, n), 1)
    if kind == "entiers":
        return rng.integers(0, 6, n).astype(float)
    return np.exp(rng.normal(8, 1.5, n))


@pytest.mark.parametrize("kind", ["normale", "dixiemes", "entiers", "lognormale"])
def test_same_bins_as_mapclassify_on_random_series(kind):
    rng = np.random.default_rng(len(kind))
    compared = 0
    for _ in range(25):
        y = _series(kind, int(rng.integers(2, 90)), rng)
        for k in range(2, min(9, len(np.unique(y))) + 1):
            expected = _reference(y, k)
            got = fisher_jenks_bins(y, k)
            assert np.array_equal(got, expected), (y.tolist(), k, got, expected)
            compared += 1
    assert compared > 50


def test_same_bins_on_every_demo_indicator(obs_demo):
    v = obs_demo.valeurs
    q = v[(v["niveau"] == "qpv") & (v["statut"] == "ok") & v["valeur"].notna()]
    groups = 0
    for _key, g in q.groupby(["indicateur", "annee"]):
        y = g["valeur"].to_numpy(dtype=float)
        for k in range(2, min(9, len(np.unique(y))) + 1):
            assert np.array_equal(fisher_jenks_bins(y, k), _reference(y, k))
        groups += 1
    assert groups >= 100


def test_classify_keeps_its_labels():
    y = pd.Series([12.0, 18.5, 30.2, 44.0, 45.0, 71.5])
    c = classify(y, k=3, methode="jenks", unite="%")
    assert c.bounds == [12.0, *[float(b) for b in _reference(y.to_numpy(), 3)]]
    assert c.labels[0].startswith("de 12,0")
    assert sum(c.counts) == len(y)


def test_too_few_distinct_values_is_refused():
    with pytest.raises(ValueError, match="valeurs distinctes"):
        fisher_jenks_bins(np.array([1.0, 1.0, 2.0]), 3)
