"""Sections « participation des habitants » du tableau de bord et du rapport d'évaluation.

Les chiffres viennent de ``obs.participation`` ; dans les tableaux publiés, tout
effectif de personnes inférieur au seuil ``[territoire] seuil_petits_effectifs``
s'affiche « < 5 » (et le taux correspondant n'est pas donné). Ce que les feuilles ne
disent pas (aucune source, pas de ventilation par âge ou par sexe, population inconnue)
est dit en une phrase, jamais montré comme une colonne ou un graphique vides.

Exemple ::

    show(quartier_habitants(obs, q))      # tableau de bord (+ démocratie participative)
    show(evaluation_participation(obs, p))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.analysis import participation as pa
from observatoire.publish import blocks, credits, narrative
from observatoire.publish.sections import Blocks, absent, cached, fictif_suffix
from observatoire.views import participation as views
from observatoire.views.format import format_number, format_percent

NO_SOURCE = (
    "Aucune donnée de participation des habitants n'est déclarée dans la configuration "
    "de ce territoire (ni feuille d'événements, ni présences, ni export Decidim)"
)
NO_DATA = NO_SOURCE + "."  # phrase complète (diaporamas)


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


def _years_source(obs: Any, code: str | None = None, years: list[int] | None = None) -> str:
    """Source d'une figure : feuilles de participation, années couvertes, recensement."""
    if years is None:
        ev = obs.participation.evenements(code)
        years = sorted(int(y) for y in ev["annee"].dropna().unique())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    base = sheets_source(obs).replace(fictif_suffix(obs), "")
    return f"{base}, événements {span} ; population : INSEE (pyramide des âges)" + fictif_suffix(
        obs
    )


def _span(first: int, last: int) -> str:
    return f"en {first}" if first == last else f"entre {first} et {last}"


def _label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def quartier_habitants(obs: Any, q: Any) -> Blocks:
    """Section « Participation des habitants » du tableau de bord : la fréquentation
    (:func:`quartier_participation`), puis les démarches, pétitions, remontées et budget
    participatif du quartier s'il y en a (rien de plus sinon)."""
    from observatoire.publish.sections.democratie_quartier import quartier_democratie

    more = quartier_democratie(obs, q)
    if obs.evenements.empty and more:
        return absent("Aucune feuille d'événements de participation n'est déclarée : la "
                      "fréquentation des rencontres dans ce quartier n'est pas connue.") + more  # fmt: skip
    return quartier_participation(obs, q) + more


def quartier_participation(obs: Any, q: Any) -> Blocks:
    """Événements, taux pour 1 000 habitants, représentativité et publics éloignés du quartier."""
    if obs.evenements.empty:
        return absent(NO_SOURCE + " : la participation dans ce quartier n'est pas connue.")
    api = obs.participation
    seuil = api.seuil
    events = api.evenements(q.code)
    if events.empty:
        years = obs.evenements["annee"].dropna().astype(int)
        where = _span(int(years.min()), int(years.max())) if len(years) else ""
        if len(obs.evenements) == 1:
            return absent(f"Le seul événement de participation enregistré ({where}) ne "
                          "concerne pas ce quartier.")  # fmt: skip
        return absent(
            f"Aucun des {format_number(len(obs.evenements))} événements de participation "
            f"enregistrés {where} ne concerne ce quartier."
        )
    src = sheets_source(obs)
    out: Blocks = []
    rates = api.taux_pour_1000(q.code)
    years = rates.sort_values("annee")
    frame = pd.DataFrame(
        {
            "Année": years["annee"].astype(str),
            "Événements": [format_number(v) for v in years["evenements"]],
            "Participants": [masked_count(v, seuil) for v in years["participants"]],
        }
    )
    shown_rates = [
        _rate(p, r, seuil)
        for p, r in zip(years["participants"], years["taux_pour_1000"], strict=True)
    ]
    if any(v != "n.d." for v in shown_rates):
        frame["Pour 1 000 habitants"] = shown_rates
    total = len(events)
    first, last = int(events["annee"].min()), int(events["annee"].max())
    sentences = [
        f"{format_number(total)} événement{'s' if total > 1 else ''} de participation "
        f"{'ont' if total > 1 else 'a'} concerné le quartier {_span(first, last)} (un événement "
        "partagé avec d'autres quartiers compte dans chacun, ses participants sont répartis "
        "entre eux)."
    ]
    if "Pour 1 000 habitants" not in frame:
        sentences.append(
            "Participants pour 1 000 habitants non calculables : population du quartier ou "
            "nombre de participants inconnus."
        )
    out.append(blocks.texte(*sentences, display=False))
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
    out += _representativeness(obs, api, q.code)
    return out


def _unknown_dimensions(dims: list[str]) -> str:
    return " ni ".join(views.DIMENSION_NAMES[d] for d in dims)


def _representativeness(obs: Any, api: Any, code: str | None, years: str = "") -> Blocks:
    """Qui participe ? (``code`` : un quartier, ou ``None`` : l'ensemble des quartiers)."""
    rep = api.representativite(code)
    rep = rep[rep["part_population"].notna()] if len(rep) else rep
    where = "pour ce quartier" if code else "sur le territoire"
    if rep.empty:
        return absent(
            f"La représentativité des participants n'est pas calculable {where} : la "
            "population par âge et par sexe (pyramide des âges) n'est pas connue."
        )
    known, masked, missing = views.dimensions_renseignees(rep)
    if not known:
        if missing and not masked:
            return absent(
                "Les feuilles de participation ne ventilent les participants ni par âge, ni par "
                "sexe (et aucune feuille de présences ne les décrit) : la représentativité des "
                "participants n'est pas mesurable."
            )
        return absent(
            f"La représentativité des participants n'est pas publiable {where} : trop peu de "
            "participants sont décrits par leur âge ou leur sexe (petits effectifs masqués)."
        )
    shown = rep[rep["dimension"].isin(known + masked)]
    title = (
        None if code else "Qui participe ? Ensemble des quartiers" + (f", {years}" if years else "")
    )
    fig = (
        api.figure_representativite(code)
        if code
        else views.representativeness_chart(shown, title, obs.fictif)
    )
    out: Blocks = [blocks.figure(fig, source=_years_source(obs, code), display=False)]
    rows = pd.DataFrame(
        {
            "Groupe": shown["libelle"].astype(str),
            "Part parmi les participants": [
                shown_as or format_percent(100 * v) if pd.notna(v) or shown_as else "n.d."
                for v, shown_as in zip(shown["part_participants"], shown["affichage"], strict=True)
            ],
            "Part dans la population": [format_percent(100 * v) for v in shown["part_population"]],
            "Rapport": [
                "masqué" if shown_as else ("n.d." if pd.isna(v) else format_number(v, 2))
                for v, shown_as in zip(shown["rapport"], shown["affichage"], strict=True)
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
    sentences = []
    if missing:
        sentences.append(
            f"Les feuilles ne disent pas {_unknown_dimensions(missing)} des participants : "
            "cette dimension n'est pas analysée."
        )
    far = api.publics_eloignes(code)
    far = far[far["dimension"].isin(known)]
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
            "Aucun groupe renseigné n'est sous-représenté d'un facteur "
            f"{format_number(api.facteur, 1)} ou plus parmi les participants."
        )
    d = api.dissimilarite(code).set_index("dimension")
    if "ensemble" in d.index and pd.notna(d.loc["ensemble", "indice"]):
        sentences.append(
            "Indice de dissimilarité (âge et sexe) : "
            f"{format_number(d.loc['ensemble', 'indice'], 2)} (0 : même répartition que la "
            "population ; 1 : aucun recouvrement)."
        )
    out.append(blocks.texte(*sentences, display=False))
    return out


def _perimeter_codes(obs: Any, p: Any) -> list[str]:
    if p.perimetre:
        from observatoire.publish.sections.contrat_common import PerimetreView

        return list(PerimetreView(obs, p.perimetre).quartiers["code"])
    return list(obs.quartiers["code"])


def evaluation_participation(obs: Any, p: Any) -> Blocks:
    """Événements et participants par quartier et par dispositif sur la période, tendance et
    représentativité ; ce qui manque (source, années, quartiers sans événement) en une phrase."""
    if obs.evenements.empty:
        return absent(NO_SOURCE + " : la participation des habitants n'est pas évaluée.")
    api = obs.participation
    seuil = api.seuil
    loaded = sorted(set(obs.evenements["annee"].dropna().astype(int)))
    years = [y for y in p.annees if y in loaded]
    if not years:
        return absent(
            f"Aucun événement de participation {p.entre} : les feuilles chargées couvrent "
            + _label(loaded[0], loaded[-1])
            + "."
        )
    codes = _perimeter_codes(obs, p)
    frames = [api.par_quartier(annee=y) for y in years]
    data = pd.concat(frames, ignore_index=True)
    data = data[data["quartier"].isin(codes)]
    if data.empty:
        return absent(
            f"Aucun événement de participation {_span(years[0], years[-1])} ne concerne les "
            "quartiers du périmètre."
        )
    grouped = data.groupby(["quartier", "nom"], sort=True).agg(
        evenements=("evenements", "sum"),
        participants=("participants", lambda s: s.sum(min_count=1)),
    )
    grouped = grouped.reset_index()
    # population : la plus récente connue parmi les années de la période (un quartier sans
    # événement la dernière année garde celle de l'année où il en a eu)
    population = data.dropna(subset=["population"]).drop_duplicates("quartier", keep="last")
    grouped["population"] = grouped["quartier"].map(population.set_index("quartier")["population"])
    grouped["taux"] = grouped["participants"] / grouped["population"] * 1000 / len(years)
    src = sheets_source(obs)
    table = pd.DataFrame(
        {
            "Quartier": [f"{n} ({c})" for n, c in zip(grouped["nom"], grouped["quartier"], strict=True)],
            "Événements": [format_number(v) for v in grouped["evenements"]],
            "Participants": [masked_count(v, seuil) for v in grouped["participants"]],
        }
    )  # fmt: skip
    rates = [_rate(pp, r, seuil) for pp, r in zip(grouped["participants"], grouped["taux"], strict=True)]  # fmt: skip
    if any(v != "n.d." for v in rates):
        table["Pour 1 000 habitants par an"] = rates
    when = _span(years[0], years[-1])
    sentences = [
        f"{format_number(grouped['evenements'].sum())} participations d'un quartier à un "
        f"événement {when} (un événement partagé compte dans chaque quartier concerné)."
    ]
    names = dict(zip(obs.quartiers["code"], obs.quartiers["nom"], strict=False))
    silent = [str(names.get(c) or c) for c in codes if c not in set(grouped["quartier"])]
    if silent:
        who = silent[0] if len(silent) == 1 else narrative.enumeration(silent)
        sentences.append(f"Aucun événement de participation {when} ne concerne {who}.")
    if "Pour 1 000 habitants par an" not in table:
        sentences.append("Participants pour 1 000 habitants non calculables : population des "
                         "quartiers inconnue.")  # fmt: skip
    missing_years = [y for y in p.annees if y not in years]
    if missing_years:
        sentences.append(
            "Aucun événement enregistré en "
            + narrative.enumeration([str(y) for y in missing_years])
            + "."
        )
    out: Blocks = [
        blocks.texte(*sentences, display=False),
        blocks.tableau(
            table, legende=f"Participation par quartier, {_label(years[0], years[-1])}",
            source=src, display=False,
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
    out += _trend(obs, years, codes, p)
    if not p.perimetre:
        out += _representativeness(obs, api, None, _label(loaded[0], loaded[-1]))
        if loaded != years and out[-1].data["type"] != "absent":
            out.append(blocks.texte(
                f"La représentativité porte sur tous les événements enregistrés "
                f"({_label(loaded[0], loaded[-1])}), pas seulement sur ceux de la période.",
                display=False))  # fmt: skip
    return out


def _trend(obs: Any, years: list[int], codes: list[str], p: Any) -> Blocks:
    """Participants par trimestre (par année au-delà de trois ans) sur la période."""
    ev = obs.evenements[obs.evenements["annee"].isin(years)]
    if p.perimetre:
        keep = set(codes)
        ev = ev[ev["quartiers"].fillna("").map(lambda t: bool(keep & set(str(t).split(";"))))]
    if ev.empty:
        return []
    periode = "trimestre" if years[-1] - years[0] < 3 else "annee"
    tend = pa.tendance(ev, periode=periode)
    titre = f"Participants par {'trimestre' if periode == 'trimestre' else 'année'}"
    fig = views.trend_chart(tend, titre, obs.fictif)
    return [blocks.figure(fig, source=_years_source(obs, years=years), display=False)]
