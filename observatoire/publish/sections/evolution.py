"""Section « Évolution » du tableau de bord d'un quartier (``dashboard_quartier.ipynb``).

Évolution des indicateurs clés entre millésimes non consécutifs (règles de l'INSEE,
voir :mod:`observatoire.analysis.evolution`), calculée sur les seules lignes du quartier
et des quartiers que la table de correspondance lui lie (lues par positions).

Exemple ::

    show(evolution(obs, q))      # aussi exposée par sections.quartier (notebook)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from observatoire.publish import blocks, credits, narrative
from observatoire.publish.sections import Blocks, absent, catalogue_index

if TYPE_CHECKING:
    from observatoire.publish.sections.quartier import Quartier

EVOLUTION_INDICATORS = ("taux_pauvrete", "revenu_median_uc", "taux_emploi", "taux_chomage")


def evolution(obs: Any, q: Quartier) -> Blocks:
    """Évolution des indicateurs clés entre millésimes non consécutifs (règles INSEE)."""
    from observatoire.analysis.evolution import evolution as compute
    from observatoire.analysis.evolution import series
    from observatoire.views.charts import evolution_chart

    cat = catalogue_index(obs)
    valeurs, territoires, links = _linked_tables(obs, q.code)  # mêmes résultats
    table = compute(
        valeurs, territoires, links, obs.catalogue, [q.code],
        [i for i in EVOLUTION_INDICATORS if len(obs.indicateurs.indicator_values(i))],
        annee_fin=None,
    )  # fmt: skip
    if q.millesime is not None and len(table):
        table = table[table["annee_fin"] <= q.millesime]
    usable = table[table["evolution"].notna()] if len(table) else table
    if usable.empty:
        return absent(
            "Aucune évolution n'est mesurable pour ce quartier : il faut deux millésimes "
            "non consécutifs d'un même indicateur dans la même géographie."
        )
    out: Blocks = []
    sentences = [
        narrative.evolution_sentence(
            r, str(cat["libelle"].get(r["indicateur"])), cat["unite"].get(r["indicateur"])
        )  # fmt: skip
        for _, r in usable.iterrows()
    ]
    out.append(blocks.texte(*sentences, display=False))
    ind = str(usable["indicateur"].iloc[0])
    lines = series(valeurs, territoires, links, q.code, ind)
    lines = lines.assign(territoire=f"{q.nom} (quartier)")
    lines = lines[lines["comparable"].astype(bool)]
    refs = [lines[["territoire", "annee", "valeur", "statut", "traverse_geographie"]]]
    t = obs.indicateurs.ecarts(q.code)
    t = t[t["indicateur"] == ind]
    for niveau in ("commune", "france"):
        part = t[t["reference"] == niveau]
        if len(part):
            name = narrative.enumeration(q.communes_noms) if niveau == "commune" else "France"
            refs.append(
                pd.DataFrame({
                    "territoire": name, "annee": part["annee"], "valeur": part["reference_valeur"],
                    "statut": part["reference_statut"], "traverse_geographie": False,
                })
            )  # fmt: skip
    frame = pd.concat(refs, ignore_index=True)
    if q.millesime is not None:
        frame = frame[frame["annee"] <= q.millesime]
    fig = evolution_chart(
        frame, titre=f"Évolution : {cat['libelle'].get(ind, ind)}", unite=cat["unite"].get(ind),
        source=obs.indicateurs.source(ind), fictif=obs.fictif,
    )  # fmt: skip
    src = credits.figure_source(obs, ind, frame["annee"].dropna().unique())
    out.append(blocks.figure(fig, source=src, display=False))
    warnings = sorted(
        {w for text in usable["avertissement"].fillna("") for w in text.split(" ; ") if w}
    )
    if warnings:
        out.append(blocks.texte("Précautions : " + " ; ".join(warnings) + ".", display=False))
    return out


def _linked_tables(obs: Any, code: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Valeurs, territoires et correspondances réduits au quartier et aux quartiers que la
    table de correspondance lui lie (autre génération), dans l'ordre des tables : tout ce
    que lisent ``evolution`` et ``series`` pour ce quartier (valeurs lues par positions)."""
    from observatoire.analysis.evolution import predecessors

    c = obs.correspondances
    if len(c):
        c = c[(c["code_2024"] == code) | (c["code_2015"] == code)]
    codes = [code, *predecessors(c, code)["code_autre"]]
    t = obs.territoires
    return obs.indicateurs.values_of(codes), t[t["code"].isin(codes)], c
