"""Diaporama d'un quartier : les sections du tableau de bord, une idée par diapositive.

Exemple ::

    deck = quartier_deck(obs, "QN00001A")
"""

from __future__ import annotations

from typing import Any

from observatoire.errors import ConfigError
from observatoire.exports.slides import (
    Deck,
    Slide,
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
from observatoire.publish.sections import catalogue_index, contrat, participation, quartier
from observatoire.publish.sections.groupe import GroupView, comparaison
from observatoire.views.format import format_value

N_POSITION = 4  # indicateurs dont le rang est donné


def check_quartier(obs: Any, code: str) -> str:
    """Code d'un quartier de la génération en vigueur, sinon ``ConfigError`` (code 2)."""
    api = obs.indicateurs
    api.verifier_quartier(code)  # inconnu : message avec les codes proches
    if code not in set(api.codes):
        gen = obs.config.territoire.generation
        raise ConfigError(
            f"Quartier « {code} » hors de la géographie en vigueur ({gen}) : les diaporamas "
            f"portent sur les quartiers {gen} (liste : observatoire valider --config FICHIER)."
        )
    return code


def quartier_deck(obs: Any, code: str, release: bool = True) -> Deck:
    """Diaporama du quartier ``code`` (dernier millésime) ; sections sans données écartées.

    ``release=False`` : les figures partagées restent en cache (lot de diaporamas), à
    libérer ensuite par :func:`~observatoire.exports.slides.release_figures`."""
    q = quartier.contexte(obs, check_quartier(obs, code), None)
    lieu = obs.departements_du_quartier(q.code)
    deck = Deck(
        nom_fichier=q.code,
        titre=q.nom,
        sous_titre=(
            f"Quartier prioritaire {q.code} — {narrative.enumeration(q.communes_noms)}"
            + (f" ({lieu})" if lieu else "")
        ),
        territoire=obs.config.territoire.nom,
        millesime=q.millesime,
        fictif=bool(obs.fictif),
        credit=credits.territory_credit(obs.config),
        source_titre="",
    )
    for build in (_chiffres, _ecarts, _evolution, _participation, _contrat, _carte):
        build(obs, q, deck)
    deck.source_titre = _title_source(obs, q, deck)
    deck.absents_source = config_source(obs, q.millesime)
    deck.number()
    if release:
        release_figures(obs)
    return deck


def _title_source(obs: Any, q: Any, deck: Deck) -> str:
    values = quartier.latest_values(obs, q.code, q.millesime)
    pairs = [(i, int(values.loc[i, "annee"])) for i in quartier.KEY_INDICATORS if i in values.index]
    return indicators_source(obs, pairs) if pairs else config_source(obs, q.millesime)


def _chiffres(obs: Any, q: Any, deck: Deck) -> None:
    items = run_section(obs, quartier.portrait, q)
    tiles = of_type(items, "chiffres")
    if not tiles:
        deck.absents.append(absent_message(items) or "Aucun indicateur n'est disponible.")
        return
    values = quartier.latest_values(obs, q.code, q.millesime)
    pairs = [(i, int(values.loc[i, "annee"])) for i in quartier.KEY_INDICATORS if i in values.index]
    slide = Slide("chiffres", "Chiffres clés", indicators_source(obs, pairs))
    slide.chiffres = [tuple(pair) for pair in tiles[0].data["items"]]
    texts = paragraphs(items)
    slide.paragraphes = texts[:1]  # identité du quartier ; les écarts ont leur diapositive
    slide.notes = texts
    for block in of_type(items, "figure"):
        if (visual := visual_of(block)) is not None:
            slide.visuels.append(visual)
            slide.source = join_sources(slide.source, visual.source)
    deck.slides.append(slide)


DISTRIBUTION = "quartiers du plus bas au plus élevé"  # texte alternatif du graphique de position


def _ecarts(obs: Any, q: Any, deck: Deck) -> None:
    """Écarts aux références (graphiques de la section) puis position parmi les quartiers."""
    items = run_section(obs, quartier.ecarts, q, 2)
    if (msg := absent_message(items)) is not None:
        deck.absents.append(msg)
        return
    visuals = [v for b in of_type(items, "figure") if (v := visual_of(b)) is not None]
    gap_visuals = [v for v in visuals if DISTRIBUTION not in v.alt]
    syn = obs.indicateurs.synthese(q.code, n=None)
    slide = Slide("ecarts", "Écarts aux territoires de référence", "")
    slide.visuels = gap_visuals[:2]
    slide.paragraphes = [f"{p}." for p in syn["phrase"].head(3)] if len(syn) else []
    slide.notes = list(slide.paragraphes)
    pairs = [(r.indicateur, int(r.annee)) for r in syn.head(3).itertuples(index=False)]
    slide.source = join_sources(*(v.source for v in slide.visuels)) or (
        indicators_source(obs, pairs) if pairs else config_source(obs, q.millesime)
    )
    if slide.visuels or slide.paragraphes:
        deck.slides.append(slide)
    _position(obs, q, deck, syn, [v for v in visuals if DISTRIBUTION in v.alt])


def _position(obs: Any, q: Any, deck: Deck, syn: Any, visuals: list) -> None:
    """Rang du quartier, médiane et ensemble des quartiers (``obs.indicateurs.position`` :
    rangs et agrégat pondéré calculés une fois pour tout le territoire) sur les indicateurs
    où il s'éloigne le plus de ses références."""
    import pandas as pd

    cat = catalogue_index(obs)
    chosen = list(dict.fromkeys(syn["indicateur"]))[:N_POSITION] if len(syn) else []
    table = obs.indicateurs.position(q.code, q.millesime, chosen) if chosen else None
    rows = {r.indicateur: r for r in table.itertuples(index=False)} if table is not None else {}
    lines, pairs = [], []
    for ind in (i for i in chosen if i in rows):
        row, unite = rows[ind], cat["unite"].get(ind)
        head = f"{cat['libelle'].get(ind, ind)} ({int(row.annee)}) : "
        if pd.isna(row.rang):
            lines.append(head + f"{format_value(row.valeur, unite, row.statut)}, non classé")
        else:
            tie = " (ex æquo)" if bool(row.ex_aequo) else ""
            lines.append(
                head + f"{format_value(row.valeur, unite)}, {narrative.ordinal(int(row.rang))} "
                f"rang{tie} sur {int(row.n_classes)} quartiers (médiane "
                f"{format_value(row.mediane, unite)}, ensemble des quartiers "
                f"{format_value(row.agregat, unite)})"
            )
        pairs.append((ind, int(row.annee)))
    if not lines and not visuals:
        deck.absents.append(
            "Le rang du quartier parmi les quartiers du territoire n'est pas calculable "
            "(aucun indicateur publié comparable)."
        )
        return
    slide = Slide("position", "Position parmi les quartiers", "")
    slide.visuels = list(visuals[:1])
    if lines:
        slide.paragraphes = [*lines, "1er rang : la situation la plus défavorable."]
    slide.source = join_sources(
        *(v.source for v in slide.visuels), indicators_source(obs, pairs) if pairs else ""
    )
    deck.slides.append(slide)


def _evolution(obs: Any, q: Any, deck: Deck) -> None:
    items = run_section(obs, quartier.evolution, q)
    if (msg := absent_message(items)) is not None:
        deck.absents.append(msg)
        return
    visuals = [v for b in of_type(items, "figure") if (v := visual_of(b)) is not None]
    if not visuals:  # rien de mesurable : la phrase de la section va sur « À savoir »
        deck.absents += paragraphs(items)
        return
    slide = Slide("evolution", "Évolution", "")
    slide.paragraphes = paragraphs(items)
    slide.visuels = visuals
    slide.source = join_sources(*(v.source for v in slide.visuels)) or config_source(
        obs, q.millesime
    )
    deck.slides.append(slide)


def _participation(obs: Any, q: Any, deck: Deck) -> None:
    items = run_section(obs, participation.quartier_participation, q)
    if (msg := absent_message(items)) is not None and not of_type(items, "tableau"):
        deck.absents.append(msg)
        return
    src = participation.sheets_source(obs)
    texts = of_type(items, "texte")
    tables = of_type(items, "tableau")
    years = tables[0].data if tables else None
    span = (
        f", années {years['lignes'][0][0]}–{years['lignes'][-1][0]}"
        if years and years["lignes"]
        else ""
    )
    first = Slide("participation", "Participation des habitants", with_span(src, span))
    first.paragraphes = texts[0].data["paragraphes"] if texts else []
    first.tableau = years
    deck.slides.append(first)
    figures = [v for b in of_type(items, "figure") if (v := visual_of(b)) is not None]
    if not figures:  # représentativité non calculable : la phrase reste sur la diapositive
        first.paragraphes = [
            *first.paragraphes,
            *(b.data["message"] for b in of_type(items, "absent")),
        ]
        return
    who = Slide(
        "qui-manque", "Qui participe, qui manque", join_sources(*(v.source for v in figures))
    )
    who.visuels = figures[:1]
    who.paragraphes = texts[-1].data["paragraphes"] if len(texts) > 1 else []
    deck.slides.append(who)


def _contrat(obs: Any, q: Any, deck: Deck) -> None:
    items = run_section(obs, contrat.quartier_contrat, q)
    if (msg := absent_message(items)) is not None:
        deck.absents.append(msg)
        return
    slide = Slide("contrat", "Contrat de ville : les moyens", "")
    slide.paragraphes = paragraphs(items)
    tables = of_type(items, "tableau")
    slide.tableau = tables[0].data if tables else None  # par pilier
    slide.visuels = [v for b in of_type(items, "figure") if (v := visual_of(b)) is not None][:1]
    years = obs.contrat.annees
    span = f", programmation {years[0]}–{years[-1]}" if years else ""
    base = with_span(tables[0].data["source"], span) if tables else ""
    slide.source = join_sources(base, *(v.source for v in slide.visuels))
    deck.slides.append(slide)


def _carte(obs: Any, q: Any, deck: Deck) -> None:
    """Carte statique du quartier dans sa commune, comme celle du tableau de bord (PDF)."""
    if obs.contours.empty:
        deck.absents.append("Aucun contour de quartier n'est déclaré : carte indisponible.")
        return
    chosen = carte_section._map_indicator(obs, q, "taux_pauvrete")
    if chosen is None:
        deck.absents.append("Aucun indicateur n'a de valeur pour colorer la carte des quartiers.")
        return
    indicateur, annee = chosen
    groupe = comparaison(obs, q)
    n_all = len(obs.indicateurs.codes)
    maps = (
        obs.indicateurs.restricted(GroupView(obs, groupe.codes))
        if len(groupe.codes) < n_all
        else obs.indicateurs
    )
    fig = maps.carte_statique(indicateur, annee=annee, surligner=q.code, voisinage=q.code)
    from observatoire.exports.slides import Visual
    from observatoire.views.charts import alt_text

    communes = narrative.enumeration(q.communes_noms)
    alt = (
        f"Carte du quartier {q.nom}, mis en évidence (contour épais), dans sa commune "
        f"({communes}), avec les quartiers proches parmi les {groupe.libelle}. {alt_text(fig)}"
    )
    source = credits.figure_source(obs, indicateur, annee)
    titre = " ".join(str(fig.get_suptitle()).split())
    slide = Slide("carte", "Carte", source)
    slide.visuels = [Visual(fig, titre, alt, source)]
    slide.paragraphes = [
        f"{q.nom} et les quartiers proches : {quartier.cat_label(obs, indicateur)}."
    ]
    deck.slides.append(slide)
