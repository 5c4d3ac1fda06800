"""Rapport annuel : atteinte des publics éloignés, quartier par quartier.

Réutilise ``obs.participation`` (``par_quartier``, ``representativite``,
``publics_eloignes``, ``dissimilarite``) : aucun calcul ici. Petits effectifs masqués
comme dans le tableau de bord ; un quartier où l'âge et le sexe des participants ne sont
pas connus le dit dans sa ligne, jamais une case vide.

Exemple ::

    show(publics_eloignes(obs, a))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks, narrative
from observatoire.publish.render import slugify
from observatoire.publish.sections import Blocks, absent
from observatoire.publish.sections.democratie_annuel import Annuel, masked, plural
from observatoire.publish.sections.participation import sheets_source
from observatoire.views import participation as pviews
from observatoire.views.format import format_number


def _groups(api: Any, code: str) -> tuple[str, str]:
    """(publics sous-représentés, indice de dissimilarité) d'un quartier, en clair."""
    rep = api.representativite(code)
    rep = rep[rep["part_population"].notna()] if len(rep) else rep
    if rep.empty:
        return "non mesurable (population par âge et sexe inconnue)", "n.d."
    known, hidden, _missing = pviews.dimensions_renseignees(rep)
    if not known:
        if hidden:
            return "non publiable (petits effectifs masqués)", "n.d."
        return "non mesurable (âge et sexe des participants non renseignés)", "n.d."
    far = api.publics_eloignes(code)
    far = far[far["dimension"].isin(known)]
    parts = []
    for r in far.itertuples(index=False):
        if r.affichage:
            parts.append(f"{r.libelle} (effectif masqué)")
        elif pd.notna(r.facteur_sous_representation) and r.facteur_sous_representation != float(
            "inf"
        ):
            parts.append(f"{r.libelle} (× {format_number(r.facteur_sous_representation, 1)})")
        else:
            parts.append(f"{r.libelle} (aucun participant)")
    d = api.dissimilarite(code).set_index("dimension")
    index = "n.d."
    if "ensemble" in d.index and pd.notna(d.loc["ensemble", "indice"]):
        index = format_number(d.loc["ensemble", "indice"], 2)
    return (narrative.enumeration(parts) if parts else "aucun"), index


def publics_eloignes(obs: Any, a: Annuel) -> Blocks:
    """Par quartier : événements et participants de l'année, publics sous-représentés d'un
    facteur ≥ ``facteur_sous_representation`` et indice de dissimilarité (âge et sexe)."""
    if obs.evenements.empty:
        return []  # l'introduction dit déjà que la fréquentation n'est pas décrite
    api = obs.participation
    data = api.par_quartier(annee=a.annee)
    data = data[data["quartier"].astype(str) != ""] if len(data) else data
    if data.empty:
        return absent(f"Aucun événement de participation enregistré en {a.annee} ne concerne "
                      "un quartier prioritaire.")  # fmt: skip
    rows = []
    for r in data.sort_values("nom", key=lambda s: s.map(slugify)).itertuples(index=False):
        groups, index = _groups(api, str(r.quartier))
        rows.append([f"{r.nom} ({r.quartier})", format_number(r.evenements),
                     masked(r.participants, api.seuil), groups, index])  # fmt: skip
    frame = pd.DataFrame(rows, columns=[
        "Quartier", f"Événements {a.annee}", f"Participants {a.annee}",
        f"Publics sous-représentés (facteur {format_number(api.facteur, 1)} ou plus)",
        "Indice de dissimilarité (âge et sexe)",
    ])  # fmt: skip
    years = sorted(int(y) for y in obs.evenements["annee"].dropna().unique())
    span = str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
    names = set(data["quartier"].astype(str))
    silent = [f"{n} ({c})" for c, n in zip(obs.quartiers["code"], obs.quartiers["nom"], strict=False)
              if str(c) not in names]  # fmt: skip
    sentences = [
        f"{plural(len(frame), 'quartier')} {'ont' if len(frame) > 1 else 'a'} accueilli au moins "
        f"un événement de participation en {a.annee}. Un public est dit éloigné quand sa part "
        f"parmi les participants est au moins {format_number(api.facteur, 1)} fois plus faible "
        "que sa part dans la population du quartier (× : combien de fois moins présent).",
        f"La représentativité porte sur tous les événements enregistrés de chaque quartier "
        f"({span}), pas seulement sur ceux de {a.annee}.",
    ]
    if silent:
        sentences.append(f"Aucun événement en {a.annee} dans : {narrative.enumeration(silent)}.")
    return [
        blocks.texte(*sentences, display=False),
        blocks.tableau(frame, legende=f"Atteinte des publics éloignés par quartier, {a.annee}",
                       source=sheets_source(obs), display=False),
    ]  # fmt: skip
