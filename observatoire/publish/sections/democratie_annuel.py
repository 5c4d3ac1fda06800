"""Rapport annuel de la participation citoyenne : contexte (année), en-tête, introduction,
sources ; ce que partagent les sections ``democratie_annuel_*``.

Les chiffres viennent de ``obs.democratie`` et de ``obs.panel`` (et de ``obs.participation``
pour les publics éloignés) ; les sections ne calculent rien, elles mettent en forme et
décident d'après les données ce qu'elles peuvent dire : une section sans donnée ne renvoie
rien (son titre, marqué ``hide_if_empty`` dans le notebook, n'est pas publié) et
l'introduction dit une fois, en une phrase, ce que les fichiers ne décrivent pas.

Exemple ::

    a = contexte(obs, None)            # année du rapport : paramètre, configuration, ou la dernière
    show(entete(obs, a))
    show(introduction(obs, a))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from observatoire.errors import ConfigError
from observatoire.publish import blocks, credits, narrative
from observatoire.publish.sections import Blocks, fictif_suffix
from observatoire.views.format import format_number, format_percent

# volet du rapport → (tables qui le nourrissent, libellé pour « ce que les fichiers décrivent »)
VOLETS: dict[str, tuple[tuple[str, ...], str]] = {
    "concertations": (("concertations", "contributions"), "les démarches de concertation"),
    "petitions": (("petitions", "signatures"), "les pétitions"),
    "panel": (("vivier",), "le vivier d'un panel tiré au sort"),
    "remontees": (("remontees",), "les remontées des usagers"),
    "instances": (("seances", "avis"), "les séances et avis des instances"),
    "budget": (("projets_bp", "votes_bp"), "le budget participatif"),
    "participation": (("evenements",), "la fréquentation des événements de participation"),
}
TABLE_LABELS = {
    "concertations": "démarches de concertation",
    "contributions": "contributions",
    "petitions": "pétitions",
    "signatures": "signatures",
    "vivier": "vivier du panel",
    "remontees": "remontées des usagers",
    "seances": "séances des instances",
    "avis": "avis des instances",
    "projets_bp": "projets du budget participatif",
    "votes_bp": "votes du budget participatif",
    "evenements": "événements de participation",
}


@dataclass(frozen=True)
class Annuel:
    """Année du rapport et volets pour lesquels les fichiers décrivent quelque chose."""

    annee: int
    annees: tuple[int, ...]  # années présentes dans les tables de la démocratie participative
    volets: tuple[str, ...]  # volets dont au moins une table a des lignes

    @property
    def texte(self) -> str:
        return str(self.annee)

    def a(self, volet: str) -> bool:
        """Vrai si les fichiers décrivent ce volet (au moins une ligne, toutes années)."""
        return volet in self.volets


def table(obs: Any, name: str) -> pd.DataFrame:
    """Table canonique (vide avec ses colonnes si aucune source ne la fournit)."""
    return obs.table(name)


def contexte(obs: Any, annee: int | None) -> Annuel:
    """Année du rapport : ``annee``, sinon ``obs.democratie.annee()`` (``[rapports.democratie]
    annee``, sinon la dernière année présente), à défaut la dernière année des événements de
    participation. Une année sans aucune donnée est refusée en français."""
    present = [v for v, (tables, _l) in VOLETS.items() if any(len(table(obs, t)) for t in tables)]
    d = obs.democratie
    years = d.annees() or sorted({int(y) for y in obs.evenements["annee"].dropna()})
    wanted = annee if annee is not None else d.annee()
    if wanted is None:
        if not years:
            raise ConfigError(
                "Rapport de la participation citoyenne impossible : aucune source de la "
                "configuration ne décrit de concertation, de pétition, de remontée, d'instance, "
                "de budget participatif ni d'événement de participation."
            )
        wanted = years[-1]
    try:
        wanted = int(wanted)
    except (TypeError, ValueError):
        raise ConfigError(
            f"Année du rapport invalide : « {wanted} » (attendu : une année, ex. 2025)"
        ) from None
    if years and wanted not in years:
        raise ConfigError(
            f"Aucune donnée de participation citoyenne en {wanted} : les fichiers chargés "
            f"couvrent {narrative.enumeration([str(y) for y in years])}."
        )
    return Annuel(wanted, tuple(years), tuple(present))


def entete(obs: Any, a: Annuel) -> Blocks:
    """Bloc méta du rapport annuel."""
    nom = obs.config.territoire.nom
    return [
        blocks.meta(
            f"Rapport de la participation citoyenne {a.texte}",
            entete=f"Participation citoyenne — {a.texte}",
            sous_titre=nom,
            territoire=nom,
            fictif=bool(obs.fictif),
            annee=a.annee,
            display=False,
        )
    ]


def introduction(obs: Any, a: Annuel) -> Blocks:
    """Ce que le rapport couvre, et ce que les fichiers ne décrivent pas (une phrase)."""
    covered = [VOLETS[v][1] for v in VOLETS if a.a(v)]
    missing = [VOLETS[v][1] for v in VOLETS if not a.a(v) and v != "participation"]
    sentences = [
        f"Ce rapport rend compte de la participation citoyenne sur le territoire « "
        f"{obs.config.territoire.nom} » en {a.annee} : "
        + (narrative.enumeration(covered) if covered else "aucun volet")
        + "."
    ]
    if missing:
        sentences.append(
            "Les fichiers déclarés dans la configuration ne décrivent "
            + (f"pas {missing[0]}" if len(missing) == 1 else ", ".join(f"ni {m}" for m in missing))
            + " : "
            + ("ce volet ne figure" if len(missing) == 1 else "ces volets ne figurent")
            + " pas dans le rapport."
        )
    if obs.fictif:
        sentences.append(
            "Toutes les données de ce rapport sont fictives (territoire de démonstration)."
        )
    return [blocks.texte(*sentences, display=False)]


def source(
    obs: Any, *tables: str, annee: int | None = None, mention: bool = True, population: bool = False
) -> str:
    """Ligne de source d'une figure ou d'un tableau : « Pétitions (sources déclarées : producteur,
    sinon nom), 2025 ; traitement : … ; population : INSEE — Données fictives ».

    ``mention=False`` : sans « Données fictives » (un graphique l'ajoute lui-même) ;
    ``population`` : la population du recensement entre dans le calcul."""
    names: list[str] = []
    for name in tables:
        frame = table(obs, name)
        if "source" in frame:
            names += [str(s) for s in frame["source"].dropna().unique() if str(s) not in names]
    label = credits.named_sources(obs.config, sorted(names)) or "fichiers de la configuration"
    kind = TABLE_LABELS.get(tables[0], tables[0]) if tables else "participation citoyenne"
    when = f", {annee}" if annee is not None else ""
    pop = " ; population : INSEE (recensement)" if population else ""
    tail = fictif_suffix(obs) if mention else ""
    return f"{kind[:1].upper()}{kind[1:]} ({label}){when}{credits.treatment(obs.config)}{pop}{tail}"


def seuil(obs: Any) -> int:
    """Seuil des petits effectifs de la configuration."""
    return int(obs.config.territoire.seuil_petits_effectifs)


def masked(value: object, limit: int) -> str:
    """Effectif de personnes publié : « < 5 » sous le seuil, « n.d. » s'il est inconnu."""
    from observatoire.publish.sections.participation import masked_count

    return masked_count(value, limit)


def share(value: object, decimals: int = 0) -> str:
    """Part (0–1) en pourcentage français ; « n.d. » si inconnue."""
    if value is None or pd.isna(value):
        return "n.d."
    return format_percent(100 * float(value), decimals)


def count(value: object) -> str:
    """Nombre entier à la française ; « n.d. » s'il est inconnu."""
    if value is None or pd.isna(value):
        return "n.d."
    return format_number(round(float(value)))


def days(value: object) -> str:
    """Délai en jours (« 12 jours ») ; « n.d. » s'il est inconnu."""
    if value is None or pd.isna(value):
        return "n.d."
    v = float(value)
    return f"{format_number(v, 0 if v.is_integer() else 1)} jour{'s' if v >= 2 else ''}"


def plural(n: int, singular: str, pluriel: str | None = None) -> str:
    """« 1 pétition », « 3 pétitions »."""
    return f"{format_number(n)} {singular if n == 1 else (pluriel or singular + 's')}"


def sources(obs: Any, a: Annuel) -> Blocks:
    """Fichiers utilisés (un par ligne) et bloc de provenance."""
    rows = []
    for name in obs.config.sources:
        used = [t for v in a.volets for t in VOLETS[v][0]
                if len(table(obs, t)) and name in set(table(obs, t).get("source", pd.Series()).dropna())]  # fmt: skip
        if used:
            rows.append([str(name), credits.source_producer(obs.config, name) or "non précisé",
                         ", ".join(dict.fromkeys(TABLE_LABELS[t] for t in used))])  # fmt: skip
    out: Blocks = []
    if rows:
        out.append(blocks.texte(
            "Les textes libres (contributions, descriptions des remontées, réponses) ne sont "
            "jamais repris et toute donnée personnelle y est refusée ou retirée à la "
            f"lecture. Les effectifs de personnes inférieurs à {seuil(obs)} sont masqués.",
            display=False))  # fmt: skip
        frame = pd.DataFrame(rows, columns=["Source (configuration)", "Producteur", "Contenu"])
        out.append(blocks.tableau(frame, legende="Fichiers utilisés",
                                  source=obs.config.path.name + fictif_suffix(obs), display=False))  # fmt: skip
    out.append(blocks.provenance(obs, display=False, annee=a.annee))
    return out
