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
from observatoire.views.format import format_value

if TYPE_CHECKING:
    from observatoire.publish.sections.quartier import Quartier

EVOLUTION_INDICATORS = ("taux_pauvrete", "revenu_median_uc", "taux_emploi", "taux_chomage")
Reason = tuple[str, tuple[int, ...], str, str]  # motif, millésimes, indicateur, précision


def evolution(obs: Any, q: Quartier) -> Blocks:
    """Évolution des indicateurs clés entre millésimes non consécutifs (règles INSEE).

    Un indicateur dont l'évolution n'est pas mesurable le dit (un seul millésime, secret
    statistique, millésimes consécutifs) ; le graphique n'est tracé qu'avec une évolution
    mesurée, et ne montre que les séries qui ont des points."""
    from observatoire.analysis.evolution import evolution as compute

    cat = catalogue_index(obs)
    valeurs, territoires, links = _linked_tables(obs, q.code)  # mêmes résultats
    inds = [i for i in EVOLUTION_INDICATORS if len(obs.indicateurs.indicator_values(i))]
    table = compute(
        valeurs, territoires, links, obs.catalogue, [q.code], inds, annee_fin=None,
    )  # fmt: skip
    if q.millesime is not None and len(table):
        table = table[table["annee_fin"] <= q.millesime]
    usable = table
    if len(table):
        gap = table["annee_fin"].astype(float) - table["annee_debut"].astype(float)
        usable = table[table["evolution"].notna() & (gap >= 2)]  # jamais consécutifs (INSEE)
    measured = list(dict.fromkeys(usable["indicateur"])) if len(usable) else []
    rest = [i for i in inds if i not in measured]
    reasons = _reasons(valeurs, territoires, links, q, rest, cat["unite"])
    if not measured and not reasons:
        return absent(
            "Aucun indicateur suivi pour l'évolution (taux de pauvreté, revenu médian, taux "
            "d'emploi, taux de chômage) n'est disponible pour ce quartier."
        )
    sentences = [
        narrative.evolution_sentence(
            r, str(cat["libelle"].get(r["indicateur"])), cat["unite"].get(r["indicateur"])
        )  # fmt: skip
        for _, r in usable.iterrows()
    ]
    sentences += _reason_sentences(reasons, cat)
    out: Blocks = [blocks.texte(*sentences, display=False)]
    if measured:
        out.append(_chart(obs, q, valeurs, territoires, links, measured[0]))
    warnings = sorted(
        {w for text in usable["avertissement"].fillna("") for w in text.split(" ; ") if w}
    ) if measured else []  # fmt: skip
    if warnings:
        out.append(blocks.texte("Précautions : " + " ; ".join(warnings) + ".", display=False))
    return out


def _reasons(
    valeurs: pd.DataFrame, territoires: pd.DataFrame, links: pd.DataFrame, q: Quartier,
    indicateurs: list[str], units: Any,
) -> list[Reason]:  # fmt: skip
    """Pourquoi l'évolution n'est pas mesurable : ``(motif, millésimes, indicateur, précision)``.

    Motifs : ``seul`` (un millésime), ``secret`` (millésimes sous secret), ``consecutifs``
    (valeurs publiées sur des millésimes consécutifs seulement), ``absent``."""
    from observatoire.analysis.evolution import series

    found = []
    for ind in indicateurs:
        s = series(valeurs, territoires, links, q.code, ind)
        s = s[~s["traverse_geographie"].astype(bool)]
        if q.millesime is not None:
            s = s[s["annee"] <= q.millesime]
        if s.empty:
            continue
        years = tuple(sorted({int(y) for y in s["annee"]}))
        ok = tuple(sorted({int(y) for y in s.loc[s["statut"] == "ok", "annee"]}))
        secret = tuple(sorted({int(y) for y in s.loc[s["statut"] == "secret", "annee"]}))
        if len(years) == 1:
            found.append(("seul", years, ind, ""))
        elif secret:
            last = s[s["statut"] == "ok"].sort_values("annee").tail(1)
            detail = ""
            if len(last):  # la dernière valeur publiée reste dite (jamais imputée)
                value = format_value(last["valeur"].iloc[0], units.get(ind))
                detail = f" (dernière valeur publiée : {value} en {int(last['annee'].iloc[0])})"
            found.append(("secret", secret, ind, detail))
        elif len(ok) >= 2:
            found.append(("consecutifs", ok, ind, ""))
        else:
            found.append(("absent", tuple(y for y in years if y not in ok), ind, ""))
    return found


def _years_text(years: tuple[int, ...]) -> str:
    return narrative.enumeration([str(y) for y in years])


def _reason_sentences(reasons: list[Reason], cat: Any) -> list[str]:
    """Une phrase par motif et millésimes (indicateurs regroupés)."""
    groups: dict[tuple[str, tuple[int, ...]], list[str]] = {}
    for kind, years, ind, detail in reasons:
        label = narrative.with_article(str(cat["libelle"].get(ind, ind))) + detail
        groups.setdefault((kind, years), []).append(label)
    out = []
    for (kind, years), labels in groups.items():
        what = narrative.enumeration(labels)
        plural = len(years) > 1
        if kind == "seul":
            out.append(
                f"Un seul millésime disponible ({years[0]}) : l'évolution n'est pas mesurable "
                f"pour {what}."
            )
        elif kind == "secret":
            out.append(
                f"Valeur{'s' if plural else ''} de {_years_text(years)} sous secret statistique "
                f"pour {what} : l'évolution n'est pas mesurable."
            )
        elif kind == "consecutifs":
            out.append(
                f"Millésimes consécutifs seulement ({_years_text(years)}) pour {what} : l'INSEE "
                "déconseille d'en mesurer l'évolution à l'échelle d'un quartier."
            )
        else:
            out.append(
                f"Valeur{'s' if plural else ''} non disponible{'s' if plural else ''} en "
                f"{_years_text(years)} pour {what} : l'évolution n'est pas mesurable."
            )
    return out


def _chart(
    obs: Any, q: Quartier, valeurs: pd.DataFrame, territoires: pd.DataFrame,
    links: pd.DataFrame, ind: str,
) -> blocks.Block | None:  # fmt: skip
    """Courbes du quartier et de ses références qui ont des valeurs (commune, France)."""
    from observatoire.analysis.evolution import series
    from observatoire.views.charts import evolution_chart

    cat = catalogue_index(obs)
    lines = series(valeurs, territoires, links, q.code, ind)
    lines = lines.assign(territoire=f"{q.nom} (quartier)")
    lines = lines[lines["comparable"].astype(bool)]
    refs = [lines[["territoire", "annee", "valeur", "statut", "traverse_geographie"]]]
    t = obs.indicateurs.ecarts(q.code)
    t = t[(t["indicateur"] == ind) & (t["reference_statut"] == "ok")]
    for niveau in ("commune", "france"):
        part = t[t["reference"] == niveau]
        if len(part):
            name = "France"
            if niveau == "commune":
                name = narrative.enumeration(q.communes_noms) or "Commune du quartier"
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
    return blocks.figure(fig, source=src, display=False)


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
