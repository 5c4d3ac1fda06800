"""Sections « participation des habitants » du tableau de bord et du rapport d'évaluation.

Les chiffres viennent de ``obs.participation`` ; dans les tableaux publiés, tout
effectif de personnes inférieur au seuil ``[territoire] seuil_petits_effectifs``
s'affiche « < 5 » (et le taux correspondant n'est pas donné).

Exemple ::

    show(quartier_participation(obs, q))
    show(evaluation_participation(obs, p))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks, credits, narrative
from observatoire.publish.sections import Blocks, absent, cached, fictif_suffix
from observatoire.views.format import format_number, format_percent

NO_DATA = (
    "Aucune donnée de participation des habitants n'est déclarée dans la configuration "
    "de ce territoire."
)


def masked_count(value: object, seuil: int) -> str:
    """Effectif publié : « < 5 » sous le seuil, « n.d. » s'il est inconnu (jamais 0 inventé).

    >>> masked_count(3, 5), masked_count(12.0, 5), masked_count(None, 5)
    ('< 5', '12', 'n.d.')
    """
    if value is None or pd.isna(value):
        return "n.d."
    if 0 < float(value) < seuil:
        return f"< {seuil}"
    return format_number(round(float(value)))


def _rate(participants: object, rate: object, seuil: int) -> str:
    if participants is None or pd.isna(participants) or 0 < float(participants) < seuil:
        return "n.d." if participants is None or pd.isna(participants) else "masqué"
    return "n.d." if rate is None or pd.isna(rate) else format_number(float(rate), 1)


def sheets_source(obs: Any) -> str:
    """« Feuilles de participation (sources) » des tableaux (calculé une fois par territoire)."""
    return cached(obs, "participation:source", lambda: _source(obs))


def _source(obs: Any) -> str:
    names = sorted(set(obs.evenements["source"].dropna())) if "source" in obs.evenements else []
    label = credits.named_sources(obs.config, names) or "configuration"  # producteurs
    return f"Feuilles de participation ({label})" + fictif_suffix(obs)


def _years_source(obs: Any, code: str | None = None) -> str:
    """Source d'une figure : feuilles de participation, années couvertes, recensement."""
    ev = obs.participation.evenements(code)
    years = sorted(int(y) for y in ev["annee"].dropna().unique())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    base = sheets_source(obs).replace(fictif_suffix(obs), "")
    return f"{base}, événements {span} ; population : INSEE (pyramide des âges)" + fictif_suffix(
        obs
    )


def quartier_participation(obs: Any, q: Any) -> Blocks:
    """Événements, taux pour 1 000 habitants, représentativité et publics éloignés du quartier."""
    if obs.evenements.empty:
        return absent(NO_DATA)
    api = obs.participation
    seuil = api.seuil
    events = api.evenements(q.code)
    if events.empty:
        return absent("Aucun événement de participation ne concerne ce quartier.")
    src = sheets_source(obs)
    out: Blocks = []
    rates = api.taux_pour_1000(q.code)
    years = rates.sort_values("annee")
    frame = pd.DataFrame(
        {
            "Année": years["annee"].astype(str),
            "Événements": [format_number(v) for v in years["evenements"]],
            "Participants": [masked_count(v, seuil) for v in years["participants"]],
            "Pour 1 000 habitants": [
                _rate(p, r, seuil)
                for p, r in zip(years["participants"], years["taux_pour_1000"], strict=True)
            ],
        }
    )
    total = len(events)
    first, last = int(events["annee"].min()), int(events["annee"].max())
    out.append(
        blocks.texte(
            f"{format_number(total)} événements de participation ont concerné le quartier "
            f"entre {first} et {last} (un événement partagé avec d'autres quartiers compte "
            "dans chacun, ses participants sont répartis entre eux).",
            display=False,
        )
    )
    out.append(blocks.tableau(frame, legende="Participation par année", source=src, display=False))
    by_device = api.par_dispositif(quartier=q.code)
    if len(by_device):
        device = pd.DataFrame(
            {
                "Dispositif": by_device["dispositif"].fillna("non renseigné").astype(str),
                "Événements": [format_number(v) for v in by_device["evenements"]],
                "Participants": [masked_count(v, seuil) for v in by_device["participants"]],
            }
        )
        out.append(
            blocks.tableau(
                device, legende="Participation par dispositif", source=src, display=False
            )
        )
    out += _representativeness(obs, api, q)
    return out


def _representativeness(obs: Any, api: Any, q: Any) -> Blocks:
    rep = api.representativite(q.code)
    known = rep[rep["part_population"].notna()] if len(rep) else rep
    if known.empty or known["participants_connus"].isna().all():
        return absent(
            "La représentativité des participants n'est pas calculable pour ce quartier "
            "(ventilations par âge et par sexe absentes ou trop petites)."
        )
    out: Blocks = [
        blocks.figure(
            api.figure_representativite(q.code), source=_years_source(obs, q.code), display=False
        )
    ]
    rows = pd.DataFrame(
        {
            "Groupe": known["libelle"].astype(str),
            "Part parmi les participants": [
                shown or format_percent(100 * v) if pd.notna(v) or shown else "n.d."
                for v, shown in zip(known["part_participants"], known["affichage"], strict=True)
            ],
            "Part dans la population": [format_percent(100 * v) for v in known["part_population"]],
            "Rapport": [
                "masqué" if shown else ("n.d." if pd.isna(v) else format_number(v, 2))
                for v, shown in zip(known["rapport"], known["affichage"], strict=True)
            ],
        }
    )
    out.append(
        blocks.tableau(
            rows,
            legende="Représentativité des participants (1 = présent comme dans la population)",
            source=sheets_source(obs),
            display=False,
        )
    )
    far = api.publics_eloignes(q.code)
    sentences = []
    if len(far):
        parts = []
        for r in far.itertuples(index=False):
            if r.affichage:
                parts.append(f"{r.libelle} (effectif masqué)")
            elif pd.notna(r.facteur_sous_representation) and r.facteur_sous_representation != float(
                "inf"
            ):
                parts.append(f"{r.libelle} ({format_number(r.facteur_sous_representation, 1)} fois moins présents que dans la population)")  # fmt: skip
            else:
                parts.append(f"{r.libelle} (aucun participant)")
        sentences.append(
            f"Publics éloignés (sous-représentés d'un facteur {format_number(api.facteur, 1)} "
            f"ou plus) : {narrative.enumeration(parts)}."
        )
    else:
        sentences.append(
            "Aucun groupe n'est sous-représenté d'un facteur "
            f"{format_number(api.facteur, 1)} ou plus parmi les participants."
        )
    d = api.dissimilarite(q.code).set_index("dimension")
    if "ensemble" in d.index and pd.notna(d.loc["ensemble", "indice"]):
        sentences.append(
            "Indice de dissimilarité (âge et sexe) : "
            f"{format_number(d.loc['ensemble', 'indice'], 2)} (0 : même répartition que la "
            "population ; 1 : aucun recouvrement)."
        )
    out.append(blocks.texte(*sentences, display=False))
    return out


def evaluation_participation(obs: Any, p: Any) -> Blocks:
    """Événements et participants par quartier et par dispositif sur la période."""
    if obs.evenements.empty:
        return absent(NO_DATA)
    api = obs.participation
    seuil = api.seuil
    years = [y for y in p.annees if y in set(obs.evenements["annee"].dropna().astype(int))]
    if not years:
        return absent(f"Aucun événement de participation entre {p.debut} et {p.fin}.")
    codes = list(obs.quartiers["code"])
    if p.perimetre:
        from observatoire.publish.sections.contrat import PerimetreView

        codes = list(PerimetreView(obs, p.perimetre).quartiers["code"])
    frames = [api.par_quartier(annee=y) for y in years]
    data = pd.concat(frames, ignore_index=True)
    data = data[data["quartier"].isin(codes)]
    if data.empty:
        return absent("Aucun événement de participation ne concerne les quartiers du périmètre.")
    grouped = data.groupby(["quartier", "nom"], sort=True).agg(
        evenements=("evenements", "sum"),
        participants=("participants", lambda s: s.sum(min_count=1)),
    )
    last = frames[-1].set_index("quartier")["population"]
    grouped = grouped.reset_index()
    grouped["population"] = grouped["quartier"].map(last)
    grouped["taux"] = grouped["participants"] / grouped["population"] * 1000 / len(years)
    src = sheets_source(obs)
    table = pd.DataFrame(
        {
            "Quartier": [f"{n} ({c})" for n, c in zip(grouped["nom"], grouped["quartier"], strict=True)],
            "Événements": [format_number(v) for v in grouped["evenements"]],
            "Participants": [masked_count(v, seuil) for v in grouped["participants"]],
            "Pour 1 000 habitants par an": [
                _rate(pp, r, seuil) for pp, r in zip(grouped["participants"], grouped["taux"], strict=True)
            ],
        }
    )  # fmt: skip
    out: Blocks = [
        blocks.texte(
            f"{format_number(grouped['evenements'].sum())} participations d'un quartier à un "
            f"événement entre {years[0]} et {years[-1]} (un événement partagé compte dans chaque "
            "quartier concerné).",
            display=False,
        ),
        blocks.tableau(
            table, legende=f"Participation par quartier, {years[0]}–{years[-1]}", source=src,
            display=False,
        ),
    ]  # fmt: skip
    device = pd.concat([api.par_dispositif(annee=y) for y in years], ignore_index=True)
    if len(device):
        dg = device.groupby("dispositif", sort=True).agg(
            evenements=("evenements", "sum"),
            participants=("participants", lambda s: s.sum(min_count=1)),
        )
        frame = pd.DataFrame(
            {
                "Dispositif": dg.index.astype(str),
                "Événements": [format_number(v) for v in dg["evenements"]],
                "Participants": [masked_count(v, seuil) for v in dg["participants"]],
            }
        )
        out.append(
            blocks.tableau(frame, legende="Participation par dispositif", source=src, display=False)
        )
    out.append(
        blocks.figure(api.figure_tendance("trimestre"), source=_years_source(obs), display=False)
    )
    return out
