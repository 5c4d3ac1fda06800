"""Section « contrat de ville » du tableau de bord d'un quartier.

Actions qui ciblent le quartier, part accordée, euros par habitant et rang parmi les
quartiers, répartition par pilier. Sans programmation, ou sans action pour ce quartier,
une phrase le dit (avec la médiane des autres quartiers pour situer le 0 €).

Exemple ::

    show(quartier_contrat(obs, q))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks
from observatoire.publish.sections import Blocks, absent, cached, quartiers
from observatoire.publish.sections.contrat_common import (
    NO_PROGRAMME,
    NOT_GRANTED,
    STATUS_LABELS,
    ordinal,
    source,
    span,
    years_source,
)
from observatoire.publish.sections.groupe import comparaison
from observatoire.views.format import format_euros, format_number

MAX_ROWS = 10  # actions listées dans le tableau de bord (les plus grosses parts)


def _granted(value: object, statut: object) -> str:
    if (value is None or pd.isna(value)) and statut in NOT_GRANTED:
        return "non accordé"
    return format_euros(value)


def quartier_contrat(obs: Any, q: Any) -> Blocks:
    """Section du tableau de bord : actions ciblant le quartier, €/habitant, piliers, comparaison."""
    api = obs.contrat
    if obs.actions.empty:
        return absent(NO_PROGRAMME + " : les moyens engagés dans le quartier ne sont pas connus.")
    years = api.annees
    per_hab = cached(obs, "euros_par_habitant", lambda: api.euros_par_habitant(years))
    known = per_hab["euros_par_habitant"].dropna()
    acts = api.actions_quartier(q.code)
    if acts.empty:
        compare = ""
        if len(known):
            compare = (f" : 0 € par habitant, quand la médiane des {len(known)} quartiers est de "
                       f"{format_euros(known.median(), 2)}")  # fmt: skip
        return absent(
            f"Aucune action de la programmation {span(years)} ne cible ce quartier{compare}."
        )
    src = source(api, obs)
    mine = per_hab[per_hab["quartier"] == q.code]
    refused = int(acts["statut"].isin(NOT_GRANTED).sum())
    detail = f" (dont {refused} non accordée{'s' if refused > 1 else ''})" if refused else ""
    total = acts["accorde_quartier"].dropna().sum()
    sentences = [
        f"{format_number(len(acts))} action{'s' if len(acts) > 1 else ''} de la programmation "
        f"{span(years)} cible{'nt' if len(acts) > 1 else ''} le quartier{detail} ; la part qui "
        f"lui est attribuée totalise {format_euros(total)} accordés."
    ]
    if len(mine) and pd.notna(mine["euros_par_habitant"].iloc[0]):
        value = float(mine["euros_par_habitant"].iloc[0])
        rank = int((known > value).sum()) + 1
        sentences.append(
            f"Soit {format_euros(value, 2)} par habitant, au {ordinal(rank)} rang sur {len(known)} quartiers "
            f"(médiane des quartiers : {format_euros(known.median(), 2)})."
        )  # fmt: skip
    elif len(mine):
        sentences.append("Population du quartier inconnue : euros par habitant non calculés.")
    out: Blocks = [blocks.texte(*sentences, display=False)]
    piliers = acts.assign(pilier=acts["pilier"].fillna("non renseigné"))
    grouped = piliers.groupby("pilier", sort=True).agg(
        actions=("id", "nunique"), montant=("accorde_quartier", lambda s: s.dropna().sum())
    )
    if len(grouped) > 1 or grouped.index[0] != "non renseigné":
        frame = pd.DataFrame({
            "Pilier": grouped.index.astype(str),
            "Actions": [format_number(v) for v in grouped["actions"]],
            "Accordé (part du quartier)": [format_euros(v) for v in grouped["montant"]],
        })  # fmt: skip
        out.append(blocks.tableau(frame, legende="Actions ciblant le quartier, par pilier",
                                  source=src, display=False))  # fmt: skip
    # Même figure pour tous les quartiers d'un groupe de comparaison (tout le territoire,
    # ou son voisinage à l'échelle nationale) : calculée une fois par groupe.
    groupe = comparaison(obs, q)
    codes = None if len(groupe.codes) == len(quartiers(obs)) else groupe.codes
    shown = per_hab if codes is None else per_hab[per_hab["quartier"].isin(codes)]
    if shown["euros_par_habitant"].notna().sum() >= 2:
        out.append(
            cached(
                obs,
                ("figure_euros_par_habitant", codes),
                lambda: blocks.figure(
                    api.figure_euros_par_habitant(years, codes=codes),
                    source=years_source(api, obs, years),
                    display=False,
                ),
            )
        )
    top = acts.sort_values("accorde_quartier", ascending=False, na_position="last").head(MAX_ROWS)
    listing = pd.DataFrame({
        "Action": top["intitule"].fillna("sans intitulé").astype(str),
        "Année": top["annee"].astype(str),
        "Porteur": top["porteur"].fillna("non renseigné").astype(str),
        "Pilier": top["pilier"].fillna("non renseigné").astype(str),
        "Statut": [STATUS_LABELS.get(s, s) if isinstance(s, str) else "non renseigné" for s in top["statut"]],
        "Accordé (part du quartier)": [_granted(v, s) for v, s in zip(top["accorde_quartier"], top["statut"], strict=True)],
    })  # fmt: skip
    more = len(acts) - len(top)
    legend = "Principales actions ciblant le quartier" + (
        f" ({more} autres non listées)" if more > 0 else ""
    )
    out.append(blocks.tableau(listing, legende=legend, source=src, display=False))
    return out
