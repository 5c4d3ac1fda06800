"""Ce que partagent les sections « contrat de ville » : période, périmètre, sources, libellés.

Exemple ::

    p = periode(obs, None, None, None)      # années de programmation (sinon de participation)
    p.libelle                               # « 2025 » ou « 2024–2025 »
    api = contrat_api(obs, p)               # obs.contrat, ou restreint au périmètre communal
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from observatoire.errors import ObservatoireError
from observatoire.publish import credits
from observatoire.publish.sections import fictif_suffix
from observatoire.views.format import format_euros, format_number

STATUS_LABELS = {
    "depose": "déposé",
    "instruit": "instruit",
    "accorde": "accordé",
    "refuse": "refusé",
    "solde": "soldé",
    "abandonne": "abandonné",
}
NOT_GRANTED = {"refuse", "abandonne"}  # dossiers sans montant accordé par nature

NO_PROGRAMME = (
    "Aucune programmation du contrat de ville n'est déclarée dans la configuration "
    "(ni classeur de programmation, ni subventions publiées au format SCDL)"
)


def span(years: list[int] | tuple[int, ...]) -> str:
    """Années en clair : ``2025`` ou ``2024–2025`` (années triées).

    >>> span([2025]), span([2024, 2025, 2026])
    ('2025', '2024–2026')
    """
    ys = sorted(int(y) for y in years)
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


@dataclass(frozen=True)
class Periode:
    """Années et périmètre du rapport d'évaluation."""

    debut: int
    fin: int
    perimetre: str | None
    perimetre_nom: str | None

    @property
    def annees(self) -> list[int]:
        return list(range(self.debut, self.fin + 1))

    @property
    def texte(self) -> str:
        """« 2025 » ou « 2024–2025 »."""
        return span([self.debut, self.fin])

    @property
    def libelle(self) -> str:
        where = f" — {self.perimetre_nom}" if self.perimetre_nom else ""
        return f"{self.texte}{where}"

    @property
    def entre(self) -> str:
        """« en 2025 » ou « entre 2024 et 2025 »."""
        if self.debut == self.fin:
            return f"en {self.debut}"
        return f"entre {self.debut} et {self.fin}"


class PerimetreView:
    """Le territoire restreint aux quartiers d'une commune (mêmes attributs que ``obs``)."""

    def __init__(self, obs: Any, commune: str) -> None:
        from observatoire.analysis.gaps import split_communes

        self._obs = obs
        quartiers = obs.quartiers
        keep = quartiers["communes"].map(lambda t: commune in split_communes(t))
        self.quartiers = quartiers[keep].reset_index(drop=True)
        codes = set(self.quartiers["code"])
        self.cibles = obs.cibles[obs.cibles["quartier"].isin(codes)]
        self.actions = obs.actions[obs.actions["id"].isin(self.cibles["action"])]
        self.financements = obs.financements[obs.financements["action"].isin(self.actions["id"])]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obs, name)


def contrat_api(obs: Any, p: Periode | None = None) -> Any:
    """``obs.contrat``, ou la même API sur le périmètre communal de ``p``."""
    if p is None or not p.perimetre:
        return obs.contrat
    from observatoire.api.contrat import ContratAPI

    return ContratAPI(PerimetreView(obs, p.perimetre))


def data_years(obs: Any) -> list[int]:
    """Années de programmation ; à défaut, années des événements de participation."""
    if len(obs.actions):
        return list(obs.contrat.annees)
    ev = obs.evenements
    if len(ev) and "annee" in ev:
        return sorted(int(y) for y in ev["annee"].dropna().unique())
    return []


def periode(obs: Any, debut: int | None, fin: int | None, perimetre: str | None) -> Periode:
    """Valide la période (années présentes dans les données par défaut) et le périmètre."""
    years = data_years(obs)
    today = date.today().year
    debut = int(debut) if debut is not None else (min(years) if years else today)
    fin = int(fin) if fin is not None else (max(years) if years else today)
    if debut > fin:
        raise ObservatoireError(f"Période invalide : début {debut} postérieur à la fin {fin}")
    nom = None
    if perimetre:
        t = obs.territoires
        row = t[(t["niveau"] == "commune") & (t["code"] == str(perimetre))]
        if row.empty:
            raise ObservatoireError(
                f"Périmètre inconnu : commune « {perimetre} » absente des territoires"
            )
        nom = obs.nom("commune", str(perimetre))
    return Periode(debut, fin, str(perimetre) if perimetre else None, nom)


def source(api: Any, obs: Any) -> str:
    """« Programmation du contrat de ville (producteurs ou sources) » des tableaux."""
    names = sorted(set(api.obs.actions["source"].dropna())) if len(api.obs.actions) else []
    label = credits.named_sources(obs.config, names)  # producteurs déclarés, sinon noms
    return "Programmation du contrat de ville (" + label + ")" + fictif_suffix(obs)


def years_source(api: Any, obs: Any, years: list[int]) -> str:
    """Source d'une figure : fichiers de programmation et années couvertes."""
    present = sorted(set(years) & set(api.annees)) or sorted(years)
    return (
        source(api, obs).replace(fictif_suffix(obs), "")
        + f", programmation {span(present)}"
        + fictif_suffix(obs)
    )


def amounts(frame: pd.DataFrame, label: str, header: str) -> pd.DataFrame:
    """Tableau publié des montants ; une colonne sans aucun montant renseigné est omise."""
    out = pd.DataFrame({header: frame[label].fillna("non renseigné").astype(str)})
    if "actions" in frame:
        out["Actions"] = [format_number(v) for v in frame["actions"]]
    for col, name in (("demande", "Demandé"), ("accorde", "Accordé"), ("verse", "Versé")):
        if col in frame and frame[col].notna().any():
            out[name] = [format_euros(v) for v in frame[col]]
    return out


def ordinal(n: int) -> str:
    """Ordinal abrégé français : ``1er``, ``2e``.

    >>> ordinal(1), ordinal(2)
    ('1er', '2e')
    """
    return "1er" if n == 1 else f"{n}e"
