"""Contenu des diaporamas et des figures exportées : diapositives tirées des sections.

Une diapositive reprend les blocs des sections du tableau de bord
(:mod:`observatoire.publish.sections`) ou les analyses de l'API (rangs, écarts,
agrégats) : mêmes chiffres, mêmes phrases, mêmes masquages que les rapports. Les
figures sont gardées en matplotlib (:func:`observatoire.publish.blocks.figures_gardees`)
pour être dessinées en PNG (diaporama, export) et en SVG (export).

Une section sans données ne donne pas de diapositive : sa phrase va dans
:attr:`Deck.absents` (diapositive « À savoir »).

Exemple ::

    deck = quartier_deck(obs, "QN00001A")
    [s.titre for s in deck.slides]      # ['Chiffres clés', 'Écarts aux références', …]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from observatoire.publish import blocks, credits
from observatoire.views.format import format_date


@dataclass
class Visual:
    """Une figure d'une diapositive : figure matplotlib, titre, alternative, source."""

    figure: Any
    titre: str
    alt: str
    source: str  # sans « Source : »
    nom: str = ""  # nom de fichier stable (sans extension), posé par :meth:`Deck.number`


@dataclass
class Slide:
    """Une diapositive : titre, textes, chiffres clés, tableau, figures, pied de source."""

    cle: str  # identifiant stable (noms de fichiers) : « chiffres », « ecarts »…
    titre: str
    source: str  # pied de page, sans « Source : » (millésime compris)
    paragraphes: list[str] = field(default_factory=list)
    chiffres: list[tuple[str, str]] = field(default_factory=list)
    tableau: dict[str, Any] | None = None  # bloc tableau (colonnes, lignes, légende)
    visuels: list[Visual] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # notes de l'orateur


@dataclass
class Deck:
    """Un diaporama : page de titre, diapositives, phrases des sections sans données."""

    nom_fichier: str  # « QN00001A », « territoire »
    titre: str
    sous_titre: str
    territoire: str
    millesime: int | None
    fictif: bool
    credit: str  # « producteur — mention » déclarés
    source_titre: str  # pied de la page de titre
    slides: list[Slide] = field(default_factory=list)
    absents: list[str] = field(default_factory=list)
    absents_source: str = ""  # pied de la diapositive « À savoir »
    date: date = field(default_factory=date.today)

    @property
    def date_texte(self) -> str:
        return format_date(self.date)

    def number(self) -> None:
        """Nomme les figures : ``<NN>-<diapositive>-<titre de la figure>`` (stable, lisible)."""
        seen: set[str] = set()
        n = 0
        for slide in self.slides:
            for visual in slide.visuels:
                n += 1
                stem = f"{n:02d}-{slide.cle}-{slug(visual.titre)}".rstrip("-")
                while stem in seen:
                    stem += "-bis"
                seen.add(stem)
                visual.nom = stem

    def visuals(self) -> list[Visual]:
        return [v for s in self.slides for v in s.visuels]


def slug(text: str, limit: int = 50) -> str:
    """« Taux de pauvreté : Les Hauts » → « taux-de-pauvrete-les-hauts » (ASCII, ≤ limit)."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or "figure"


def visual_of(block: Any) -> Visual | None:
    """Visuel d'un bloc ``figure`` créé sous :func:`blocks.figures_gardees` (sinon ``None``)."""
    if block is None or block.data.get("type") != "figure" or "figure" not in block.data:
        return None
    fig = block.data["figure"]
    titre = " ".join(str(fig.get_suptitle() or "").split()) or "Figure"
    return Visual(fig, titre, block.data["alt"], block.data["source"])


def of_type(items: list[Any], kind: str) -> list[Any]:
    """Blocs d'un type donné (``texte``, ``tableau``, ``chiffres``, ``figure``, ``absent``)."""
    return [b for b in items if b is not None and b.data.get("type") == kind]


def absent_message(items: list[Any]) -> str | None:
    """Phrase d'une section sans données (un seul bloc ``absent``), sinon ``None``."""
    found = of_type(items, "absent")
    return found[0].data["message"] if found and len(of_type(items, "figure")) == 0 else None


def paragraphs(items: list[Any]) -> list[str]:
    return [p for b in of_type(items, "texte") for p in b.data["paragraphes"]]


def run_section(obs: Any, function: Any, *args: Any) -> list[Any]:
    """Appelle une section en gardant ses figures matplotlib (voir :func:`release_figures`).

    Une figure déjà mise en cache en SVG par un rapport (ou par le précalcul des lots) est
    d'abord retirée du cache : la section la redessine, gardée en matplotlib."""
    _drop_cached_figures(obs, keep_matplotlib=True)
    with blocks.figures_gardees():
        return list(function(obs, *args))


def _drop_cached_figures(obs: Any, keep_matplotlib: bool) -> None:
    from observatoire.publish import sections

    store = sections._CACHE.get(obs, {})
    for key in [k for k, v in store.items() if isinstance(v, blocks.Block)]:
        data = store[key].data
        if data.get("type") == "figure" and ("figure" in data) != keep_matplotlib:
            del store[key]


def release_figures(obs: Any) -> None:
    """Retire du cache partagé des sections les blocs dont la figure est restée matplotlib.

    Une figure mise en cache par une section (ex. euros par habitant, commune à tous les
    tableaux de bord) sert à tous les diaporamas d'un lot ; ensuite, un rapport produit
    avec le même territoire doit recalculer son SVG.
    """
    _drop_cached_figures(obs, keep_matplotlib=False)


def join_sources(*texts: str) -> str:
    """Sources distinctes, dans l'ordre : « A ; B » (mention fictive une seule fois, à la fin)."""
    tail = f" — {credits.FICTIF}"
    fictif = any(t.endswith(tail) for t in texts if t)
    parts: list[str] = []
    for text in texts:
        core = text[: -len(tail)] if text and text.endswith(tail) else text
        if core and core not in parts:
            parts.append(core)
    return " ; ".join(parts) + (tail if fictif else "")


def with_span(src: str, span: str) -> str:
    """Ajoute ``span`` (« , années 2023–2025 ») avant la mention « Données fictives »."""
    tail = f" — {credits.FICTIF}"
    return src[: -len(tail)] + span + tail if src.endswith(tail) else src + span


def indicators_source(obs: Any, pairs: list[tuple[str, int]]) -> str:
    """Pied d'une diapositive de chiffres : producteur(s) et millésime(s) de chaque indicateur."""
    years: dict[str, set[int]] = {}
    for ind, year in pairs:
        years.setdefault(credits.indicator_source(obs, ind, year), set()).add(int(year))
    parts = []
    for producer, ys in years.items():
        ordered = sorted(ys)
        if len(ordered) > 1:
            parts.append(f"{producer}, millésimes {', '.join(map(str, ordered))}")
        else:
            parts.append(f"{producer}, millésime {ordered[0]}")
    text = " ; ".join(parts) or "sources déclarées dans la configuration"
    text += credits.treatment(obs.config)
    return text + (f" — {credits.FICTIF}" if obs.fictif else "")


def config_source(obs: Any, millesime: int | None) -> str:
    """Pied d'une diapositive qui ne cite que la configuration (« À savoir »)."""
    year = f", millésime {millesime}" if millesime else ", millésime non disponible"
    text = f"sources déclarées dans {obs.config.path.name}{year}" + credits.treatment(obs.config)
    return text + (f" — {credits.FICTIF}" if obs.fictif else "")
