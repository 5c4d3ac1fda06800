"""Synthèse par quartier : les indicateurs où il s'éloigne le plus de ses références.

Pour comparer des indicateurs d'unités différentes, l'écart est rapporté à la
dispersion de l'indicateur entre quartiers (écart-type des valeurs des quartiers
au même millésime) : ``score = |écart| / écart-type``. À défaut de dispersion
(un seul quartier), ``score = |ln(rapport)|``. Les indicateurs de comptage (unité
« nombre ») sont écartés : leur écart à une commune n'a pas de sens.

Exemple ::

    table = gaps(obs.valeurs, obs.territoires, obs.catalogue)
    synthese(table, obs.catalogue, "QN00001A").head(3)["phrase"]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from observatoire.analysis.gaps import REFERENCE_LABELS

SYNTHESE_COLUMNS = [
    "code",
    "indicateur",
    "libelle",
    "annee",
    "valeur",
    "reference",
    "reference_nom",
    "reference_valeur",
    "ecart",
    "rapport",
    "score",
    "sens",
    "phrase",
]


def _eligible(
    gap_table: pd.DataFrame, references: Sequence[str], annee: int | None
) -> pd.DataFrame:
    """Lignes comparables : références retenues, hors comptages, écart connu."""
    t = gap_table[gap_table["reference"].isin(list(references))]
    t = t[~t["unite"].isin(["nombre"]) & t["ecart"].notna()]
    if annee is not None:
        t = t[t["annee"] == annee]
    return t


def dispersion_table(
    gap_table: pd.DataFrame,
    *,
    annee: int | None = None,
    references: Sequence[str] = ("commune", "france"),
) -> pd.Series:
    """Écart-type des valeurs des quartiers par indicateur × millésime (échelle des scores).

    À calculer une fois sur la table de TOUS les quartiers et à passer à :func:`synthese`
    pour chaque quartier (un millésime absent de la table n'a pas de ligne).

    >>> sd = dispersion_table(gaps(obs.valeurs, obs.territoires, obs.catalogue))  # doctest: +SKIP
    >>> synthese(table_du_quartier, obs.catalogue, "QN00001A", dispersion=sd)  # doctest: +SKIP
    """
    t = _eligible(gap_table, references, annee)
    return (
        t.drop_duplicates(["code", "indicateur", "annee"])
        .groupby(["indicateur", "annee"])["valeur"]
        .std(ddof=0)
        .rename("_sd")
    )


def synthese(
    gap_table: pd.DataFrame,
    catalogue: pd.DataFrame,
    code: str,
    *,
    annee: int | None = None,
    references: Sequence[str] = ("commune", "france"),
    n: int | None = None,
    dispersion: pd.Series | None = None,
) -> pd.DataFrame:
    """Indicateurs du quartier ``code`` triés par éloignement décroissant à ses références.

    ``gap_table`` : sortie de :func:`observatoire.analysis.gaps.gaps` pour **tous**
    les quartiers (la dispersion entre quartiers sert d'échelle). Par indicateur,
    on garde le dernier millésime disponible (ou ``annee``) et, parmi
    ``references``, celle dont l'écart est le plus marqué. Si ``dispersion`` (voir
    :func:`dispersion_table`, mêmes ``annee`` et ``references``) est fournie, ``gap_table``
    peut ne contenir que les lignes du quartier : le résultat est le même, plus vite.
    """
    from observatoire.views.format import format_points, format_value

    t = _eligible(gap_table, references, annee)
    if t.empty:
        return pd.DataFrame(columns=SYNTHESE_COLUMNS)
    if dispersion is None:
        dispersion = dispersion_table(gap_table, annee=annee, references=references)
    mine = t[t["code"] == code]
    if mine.empty:
        return pd.DataFrame(columns=SYNTHESE_COLUMNS)
    latest = mine.groupby("indicateur")["annee"].transform("max")
    mine = mine[mine["annee"] == latest].join(dispersion, on=["indicateur", "annee"])
    with np.errstate(divide="ignore", invalid="ignore"):
        by_sd = mine["ecart"].abs() / mine["_sd"]
        by_ratio = np.log(mine["rapport"]).abs()
    mine = mine.assign(score=np.where(mine["_sd"] > 0, by_sd, by_ratio))
    mine = mine.sort_values("score", ascending=False).drop_duplicates("indicateur")
    labels = catalogue.drop_duplicates("id").set_index("id")["libelle"]
    mine = mine.assign(libelle=mine["indicateur"].map(labels).fillna(mine["indicateur"]))
    mine["sens"] = [
        "neutre" if pd.isna(d) else ("défavorable" if d else "favorable")
        for d in mine["defavorable"]
    ]
    phrases = []
    for r in mine.itertuples(index=False):
        ref = r.reference_nom or REFERENCE_LABELS.get(r.reference, r.reference)
        diff = (
            format_points(r.ecart)
            if r.unite == "%"
            else ("+" if r.ecart > 0 else "") + format_value(r.ecart, r.unite)
        )
        phrases.append(
            f"{r.libelle} : {format_value(r.valeur, r.unite)} contre "
            f"{format_value(r.reference_valeur, r.unite)} ({_where(r.reference, ref)}), "
            f"soit {diff} ({r.annee})"
        )
    mine["phrase"] = phrases
    out = mine.sort_values(["score", "indicateur"], ascending=[False, True])[SYNTHESE_COLUMNS]
    out = out.reset_index(drop=True)
    return out.head(n) if n else out


def _where(niveau: str, name: str) -> str:
    if niveau == "france":
        return "en France"
    if niveau == "ensemble_qpv":
        return "dans l'ensemble des QPV"
    if niveau == "commune":
        return f"commune : {name}"
    return f"{REFERENCE_LABELS.get(niveau, niveau)} : {name}"
