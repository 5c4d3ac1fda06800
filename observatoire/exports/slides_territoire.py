"""Diaporama du territoire : ensemble des quartiers, participation, contrat de ville, carte.

Chiffres clés : agrégats pondérés de ``obs.indicateurs.agregat`` (secret exclu et
compté) ; les quartiers entre eux : ``obs.indicateurs.distribution`` et ``inegalites`` ;
évolution : ``obs.indicateurs.evolution`` de chaque quartier ; participation et contrat :
sections du rapport d'évaluation.

Exemple ::

    deck = territoire_deck(obs)
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd

from observatoire.exports.slides import (
    Deck,
    Slide,
    Visual,
    absent_message,
    config_source,
    indicators_source,
    join_sources,
    of_type,
    paragraphs,
    release_figures,
    run_section,
    visual_of,
    with_span,
)
from observatoire.publish import credits, narrative
from observatoire.publish.sections import carte as carte_section
from observatoire.publish.sections import catalogue_index, contrat, participation
from observatoire.publish.sections.evolution import EVOLUTION_INDICATORS
from observatoire.publish.sections.groupe import MAX_GROUP
from observatoire.publish.sections.quartier import KEY_INDICATORS
from observatoire.views.charts import alt_text
from observatoire.views.format import format_number, format_value

MAIN = ("taux_pauvrete", "revenu_median_uc", "taux_emploi")  # indicateur des graphiques


def territoire_deck(obs: Any, release: bool = True) -> Deck:
    """Diaporama de l'ensemble des quartiers du territoire (sections sans données écartées).

    ``release`` : comme pour :func:`~observatoire.exports.slides_quartier.quartier_deck`."""
    api = obs.indicateurs
    gen = obs.config.territoire.generation
    years = [y for i in KEY_INDICATORS for y in api._years.get(i, [])]
    deck = Deck(
        nom_fichier="territoire",
        titre=obs.config.territoire.nom,
        sous_titre=f"Les {format_number(len(api.codes))} quartiers prioritaires ({gen})",
        territoire=credits.territory_producer(obs.config),
        millesime=max(years) if years else None,
        fictif=bool(obs.fictif),
        credit=credits.territory_credit(obs.config),
        source_titre="",
    )
    for build in (_chiffres, _quartiers, _evolution, _participation, _contrat, _carte):
        build(obs, deck)
    deck.source_titre = (deck.slides[0].source if deck.slides else "") or config_source(
        obs, deck.millesime
    )
    deck.absents_source = config_source(obs, deck.millesime)
    deck.number()
    if release:
        release_figures(obs)
    return deck


def _main_indicator(obs: Any) -> str | None:
    years = obs.indicateurs._years
    return next((i for i in (*MAIN, *KEY_INDICATORS) if years.get(i)), None)


def _chiffres(obs: Any, deck: Deck) -> None:
    api, cat = obs.indicateurs, catalogue_index(obs)
    tiles = [("Quartiers prioritaires", format_number(len(api.codes)))]
    notes, pairs = [], []
    for ind in KEY_INDICATORS:
        if not api._years.get(ind):
            continue
        a = api.agregat(ind)
        if a["valeur"] is None or pd.isna(a["valeur"]):
            continue
        tiles.append((f"{cat['libelle'].get(ind, ind)} ({a['annee']})",
                      format_value(a["valeur"], cat["unite"].get(ind))))  # fmt: skip
        pairs.append((ind, int(a["annee"])))
        if a["n_exclus"]:
            notes.append(f"{cat['libelle'].get(ind, ind)} : {a['note']}")
    if not pairs:
        deck.absents.append("Aucun indicateur n'est disponible pour les quartiers du territoire.")
        return
    slide = Slide("chiffres", "Chiffres clés de l'ensemble des quartiers", "")
    slide.chiffres = tiles[:7]
    slide.paragraphes = [
        "Ensemble des quartiers : sommes pour les effectifs, taux recalculés ou moyennes "
        "pondérées par la population ; valeurs secrètes exclues et comptées.",
        *notes,
    ]
    slide.source = indicators_source(obs, pairs)
    deck.slides.append(slide)


def _quartiers(obs: Any, deck: Deck) -> None:
    """Les quartiers entre eux : distribution d'un indicateur, extrêmes, médiane."""
    api, cat = obs.indicateurs, catalogue_index(obs)
    ind = _main_indicator(obs)
    if ind is None or len(api.codes) < 2:
        deck.absents.append("Moins de deux quartiers ont des valeurs : pas de comparaison.")
        return
    annee = api.derniere_annee(ind)
    source = credits.figure_source(obs, ind, annee)
    slide = Slide("quartiers", "Les quartiers entre eux", source)
    if len(api.codes) <= MAX_GROUP:  # au-delà, un graphique d'autant de barres est illisible
        fig = api.distribution(ind)
        titre = " ".join(str(fig.get_suptitle()).split())
        slide.visuels = [Visual(fig, titre, alt_text(fig), source)]
    s = api.inegalites(ind, annee)
    unite = cat["unite"].get(ind)
    if s.get("n", 0) >= 2:
        slide.paragraphes = [
            f"{cat['libelle'].get(ind, ind)} ({annee}) : de {format_value(s['min'], unite)} "
            f"({api.nom(s['code_min'])}) à {format_value(s['max'], unite)} "
            f"({api.nom(s['code_max'])}) ; médiane des quartiers "
            f"{format_value(s['mediane'], unite)}.",
        ]
        if s.get("n_exclus"):
            slide.paragraphes.append(
                f"{format_number(s['n_exclus'])} quartier(s) sans valeur publiée (secret ou absent)."
            )
    deck.slides.append(slide)


def _evolution(obs: Any, deck: Deck) -> None:
    api, cat = obs.indicateurs, catalogue_index(obs)
    wanted = [i for i in EVOLUTION_INDICATORS if api._years.get(i)]
    table = api.evolution(None, wanted) if wanted else None
    usable = table[table["evolution"].notna()] if table is not None and len(table) else None
    if usable is None or usable.empty:
        deck.absents.append(
            "Aucune évolution n'est mesurable : il faut deux millésimes non consécutifs d'un "
            "même indicateur dans la même géographie."
        )
        return
    lines, pairs = [], []
    for ind, part in usable.groupby("indicateur", sort=False):
        up, down = int((part["evolution"] > 0).sum()), int((part["evolution"] < 0).sum())
        start, end = int(part["annee_debut"].min()), int(part["annee_fin"].max())
        lines.append(
            f"{cat['libelle'].get(ind, ind)} ({start}–{end}, {len(part)} quartiers comparables) : "
            f"en hausse dans {up}, en baisse dans {down}"
            + (f", stable dans {len(part) - up - down}" if len(part) - up - down else "")
            + "."
        )
        pairs += [(ind, start), (ind, end)]
    warnings = sorted({w for t in usable["avertissement"].fillna("") for w in t.split(" ; ") if w})
    if warnings:
        lines.append("Précautions : " + " ; ".join(warnings) + ".")
    slide = Slide("evolution", "Évolution dans les quartiers", indicators_source(obs, pairs))
    slide.paragraphes = lines
    deck.slides.append(slide)


def _participation(obs: Any, deck: Deck) -> None:
    if obs.evenements.empty:
        deck.absents.append(participation.NO_DATA)
        return
    years = sorted(int(y) for y in obs.evenements["annee"].dropna().unique())
    p = contrat.Periode(years[0], years[-1], None, None)
    items = run_section(obs, participation.evaluation_participation, p)
    if (msg := absent_message(items)) is not None:
        deck.absents.append(msg)
        return
    tables = of_type(items, "tableau")
    slide = Slide("participation", "Participation des habitants", "")
    slide.paragraphes = paragraphs(items)[:1]  # volumes ; qui manque : diapositive suivante
    devices = [t for t in tables if t.data["colonnes"][:1] == ["Dispositif"]]
    slide.tableau = devices[0].data if devices else None  # par dispositif
    slide.visuels = [v for b in of_type(items, "figure") if (v := visual_of(b)) is not None][:1]
    slide.source = join_sources(*(v.source for v in slide.visuels)) or participation.sheets_source(
        obs
    )
    deck.slides.append(slide)
    _who(obs, deck)


def _who(obs: Any, deck: Deck) -> None:
    """Qui participe, qui manque : représentativité de l'ensemble (petits effectifs masqués)."""
    api = obs.participation
    rep = api.representativite(None)
    if rep.empty or rep["part_population"].isna().all() or rep["participants_connus"].isna().all():
        deck.absents.append(
            "La représentativité des participants n'est pas calculable (ventilations par âge "
            "et par sexe absentes ou trop petites)."
        )
        return
    fig = api.figure_representativite(None)
    source = participation._years_source(obs)
    titre = " ".join(str(fig.get_suptitle()).split())
    slide = Slide("qui-manque", "Qui participe, qui manque", source)
    slide.visuels = [Visual(fig, titre, alt_text(fig), source)]
    far = api.publics_eloignes(None)
    parts = []
    for r in far.itertuples(index=False):
        if r.affichage:
            parts.append(f"{r.libelle} (effectif masqué)")
        elif pd.notna(r.facteur_sous_representation) and r.facteur_sous_representation != float(
            "inf"
        ):
            parts.append(
                f"{r.libelle} ({format_number(r.facteur_sous_representation, 1)} fois moins "
                "présents que dans la population)"
            )
        else:
            parts.append(f"{r.libelle} (aucun participant)")
    facteur = format_number(api.facteur, 1)
    slide.paragraphes = [
        f"Publics éloignés (sous-représentés d'un facteur {facteur} ou plus) : "
        f"{narrative.enumeration(parts)}."
        if parts
        else f"Aucun groupe n'est sous-représenté d'un facteur {facteur} ou plus."
    ]
    deck.slides.append(slide)


def _contrat(obs: Any, deck: Deck) -> None:
    if obs.actions.empty:
        deck.absents.append(
            "Aucune programmation du contrat de ville n'est déclarée dans la configuration."
        )
        return
    p = contrat.periode(obs, None, None, None)
    items = run_section(obs, contrat.programmation, p)
    if (msg := absent_message(items)) is not None:
        deck.absents.append(msg)
        return
    slide = Slide("contrat", "Contrat de ville : la programmation", "")
    tiles = of_type(items, "chiffres")
    slide.chiffres = [tuple(x) for x in tiles[0].data["items"]] if tiles else []
    slide.paragraphes = paragraphs(items)
    slide.visuels = [v for b in of_type(items, "figure") if (v := visual_of(b)) is not None][:1]
    span = f", programmation {p.debut}–{p.fin}"
    tables = [b.data["source"] for b in of_type(items, "tableau")] or [
        config_source(obs, deck.millesime)
    ]
    slide.source = join_sources(*(v.source for v in slide.visuels)) or with_span(tables[0], span)
    deck.slides.append(slide)
    items = run_section(obs, contrat.repartition, p)
    if absent_message(items) is None:
        share = Slide("repartition", "Contrat de ville : la répartition entre quartiers", "")
        share.paragraphes = paragraphs(items)
        share.visuels = [v for b in of_type(items, "figure") if (v := visual_of(b)) is not None]
        share.visuels = share.visuels[:1] if len(obs.indicateurs.codes) <= MAX_GROUP else []
        tables = [b.data["source"] for b in of_type(items, "tableau")] or [slide.source]
        share.source = join_sources(*(v.source for v in share.visuels)) or with_span(
            tables[0], span
        )
        deck.slides.append(share)


def _carte(obs: Any, deck: Deck) -> None:
    if obs.contours.empty:
        deck.absents.append("Aucun contour de quartier n'est déclaré : carte indisponible.")
        return
    chosen = carte_section._map_indicator(obs, SimpleNamespace(millesime=None), "taux_pauvrete")
    if chosen is None:
        deck.absents.append("Aucun indicateur n'a de valeur pour colorer la carte des quartiers.")
        return
    ind, annee = chosen
    many = len(obs.indicateurs.codes) > MAX_GROUP  # échelle nationale : pas d'étiquettes
    fig = obs.indicateurs.carte_statique(ind, annee=annee, etiquettes=not many)
    source = credits.figure_source(obs, ind, annee)
    titre = " ".join(str(fig.get_suptitle()).split())
    slide = Slide("carte", "Carte des quartiers", source)
    slide.visuels = [Visual(fig, titre, alt_text(fig), source)]
    deck.slides.append(slide)
