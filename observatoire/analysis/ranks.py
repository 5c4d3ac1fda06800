"""Rangs des quartiers pour chaque indicateur × millésime (fonctions pures).

Convention : le rang 1 est la situation **la plus défavorable** selon la polarité
du catalogue (polarité -1 : valeur la plus élevée ; +1 : valeur la plus basse).
Pour un indicateur neutre (polarité 0), le rang 1 est la valeur la plus élevée.
Ex-aequo : rang « minimum » (classement sportif 1, 2, 2, 4) et colonne
``ex_aequo`` vraie. Les valeurs secrètes ou absentes ne sont pas classées
(rang NA) et ne comptent pas dans ``n_classes``.

Deux classements : parmi les quartiers du territoire (``codes``) et parmi tous les
quartiers de la même génération présents dans les données (``rang_tous`` / ``n_tous``).

Exemple ::

    r = ranks(obs.valeurs, obs.catalogue, obs.quartiers["code"])
    r.query("code == 'QN00001A' and indicateur == 'taux_pauvrete'")
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from observatoire.analysis.evolution import generation_of

RANK_COLUMNS = [
    "code",
    "indicateur",
    "annee",
    "valeur",
    "statut",
    "rang",
    "n_classes",
    "ex_aequo",
    "rang_tous",
    "n_tous",
    "sens",
]
SENS = {
    -1: "1 = valeur la plus élevée (la plus défavorable)",
    1: "1 = valeur la plus basse (la plus défavorable)",
    0: "1 = valeur la plus élevée (indicateur neutre)",
}


def _rank(frame: pd.DataFrame, polarite: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Rang « min » dans chaque groupe indicateur × année, n classés, ex-aequo."""
    ok = frame["statut"] == "ok"
    # valeur orientée : plus grande = plus défavorable
    oriented = frame["valeur"].where(ok) * polarite.map(lambda p: -1 if p == 1 else 1)
    keys = [frame["indicateur"], frame["annee"]]
    rang = oriented.groupby(keys).rank(method="min", ascending=False)
    n = ok.groupby(keys).transform("sum")
    counts = oriented.groupby([*keys, oriented]).transform("size")
    ties = ok & (counts.reindex(frame.index).fillna(1) > 1)
    return rang.astype("Int64"), n.astype("Int64"), ties.astype(bool)


def ranks(
    valeurs: pd.DataFrame,
    catalogue: pd.DataFrame,
    codes: Iterable[str],
    indicateurs: Iterable[str] | None = None,
    annees: Iterable[int] | None = None,
    territoires: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rangs des quartiers ``codes`` (et parmi tous les quartiers présents de même génération).

    La génération d'un code vient de ``territoires`` si fourni, sinon de son préfixe
    (QP : 2015, QN : 2024).

    >>> ranks(v, cat, ["A", "B", "C"], ["taux_pauvrete"])  # doctest: +SKIP
    """
    codes = list(codes)
    qpv = valeurs[valeurs["niveau"] == "qpv"]
    if indicateurs is not None:
        qpv = qpv[qpv["indicateur"].isin(list(indicateurs))]
    if annees is not None:
        qpv = qpv[qpv["annee"].isin(list(annees))]
    qpv = qpv.drop_duplicates(["code", "indicateur", "annee"])
    if qpv.empty:
        return pd.DataFrame(columns=RANK_COLUMNS)
    # « tous les quartiers » : ceux de la même génération (2015 et 2024 sont des
    # territoires différents, jamais classés ensemble)
    gen = {c: generation_of(c, territoires) for c in qpv["code"].unique()}
    wanted = {gen.get(c, generation_of(c, territoires)) for c in codes}
    qpv = qpv[qpv["code"].map(gen).isin(wanted) | qpv["code"].isin(codes)]
    polarity = catalogue.drop_duplicates("id").set_index("id")["polarite"]
    pol_all = qpv["indicateur"].map(polarity).fillna(0).astype(int)
    all_rank, all_n, _ = _rank(qpv, pol_all)
    mine = qpv[qpv["code"].isin(codes)]
    pol = mine["indicateur"].map(polarity).fillna(0).astype(int)
    rang, n, ties = _rank(mine, pol)
    out = mine[["code", "indicateur", "annee", "valeur", "statut"]].assign(
        rang=rang,
        n_classes=n,
        ex_aequo=ties,
        rang_tous=all_rank.reindex(mine.index),
        n_tous=all_n.reindex(mine.index),
        sens=pol.map(SENS),
    )
    return out.sort_values(["indicateur", "annee", "rang", "code"]).reset_index(drop=True)[
        RANK_COLUMNS
    ]
