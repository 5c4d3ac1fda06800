"""Ce que le lot doit savoir du territoire : ses quartiers, les années du contrat.

Ces informations sont notées au manifeste avec l'empreinte des données : une
relance sans changement les relit sans ouvrir les données.

Exemple ::

    obs = open_territory(Path("observatoire.toml"))
    info = territory_summary(obs, obs.input_fingerprint)
    info["quartiers"][:2]      # ['QN00001A', 'QN00002A']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from observatoire.config import Config
from observatoire.errors import ConfigError


def open_territory(config: Path) -> Any:
    """Charge et valide les données (``InputError`` → code 2, rien d'écrit)."""
    import observatoire

    return observatoire.open(config)


def territory_summary(obs: Any, data_fp: str) -> dict[str, Any]:
    """Quartiers en vigueur, années couvertes par les actions du contrat de ville et par
    les événements de participation, démarches de concertation et années de la
    démocratie participative."""
    codes = [str(c) for c in obs.quartiers["code"].tolist()]
    years: list[int] | None = None
    actions = obs.actions
    if len(actions) and "annee" in actions.columns:
        values = actions["annee"].dropna()
        if len(values):
            years = [int(values.min()), int(values.max())]
    events: list[int] | None = None  # sans programmation, l'évaluation couvre la participation
    ev = obs.evenements
    if len(ev) and "annee" in ev.columns and len(ev["annee"].dropna()):
        events = [int(ev["annee"].min()), int(ev["annee"].max())]
    return {
        "empreinte": data_fp,
        "quartiers": codes,
        "annees_actions": years,
        "annees_participation": events,
        "demarches": [str(i) for i in obs.table("concertations")["id"].dropna().tolist()],
        "annees_democratie": democratie_years(obs),
    }


def democratie_years(obs: Any) -> list[int] | None:
    """Première et dernière années des données de la démocratie participative
    (``obs.democratie.annees()``), ``None`` sans aucune donnée datée."""
    years = obs.democratie.annees()
    return [int(years[0]), int(years[-1])] if years else None


def participation_year(annee: int | None, config: Config, info: dict[str, Any]) -> int:
    """Année du rapport de la participation citoyenne : ``--annee``, sinon
    ``[rapports.democratie] annee``, sinon la dernière année des données."""
    if annee is None:
        annee = config.section("rapports").get("democratie", {}).get("annee")
    if annee is None:
        years = info.get("annees_democratie")
        annee = years[1] if years else None
    if annee is None:
        raise ConfigError(
            "Année du rapport de la participation citoyenne inconnue : aucune donnée de "
            "démocratie participative (concertations, pétitions, remontées, instances, budget "
            "participatif) n'est datée. Indiquez --annee A ou [rapports.democratie] annee."
        )
    if not isinstance(annee, int) or isinstance(annee, bool) or not 1990 <= annee <= 2100:
        raise ConfigError(
            f"Année du rapport de la participation citoyenne invalide : {annee!r} "
            "(attendu : une année sur 4 chiffres, entre 1990 et 2100)."
        )
    return annee


def evaluation_years(
    debut: int | None, fin: int | None, config: Config, info: dict[str, Any]
) -> tuple[int, int]:
    """Période du rapport d'évaluation : options, sinon ``[rapports]``, sinon les années des
    actions, sinon (aucune programmation) celles des événements de participation."""
    section = config.section("rapports")
    years = info.get("annees_actions") or info.get("annees_participation") or [None, None]
    debut = debut if debut is not None else section.get("debut", years[0])
    fin = fin if fin is not None else section.get("fin", years[1])
    if debut is None or fin is None:
        raise ConfigError(
            "Période du rapport d'évaluation inconnue : aucune action du contrat de ville ni "
            "aucun événement de participation dans les données. Indiquez --debut et --fin "
            "(années)."
        )
    if not (isinstance(debut, int) and isinstance(fin, int)) or debut > fin:
        raise ConfigError(
            f"Période d'évaluation invalide : début {debut}, fin {fin} "
            "(attendu : deux années, début ≤ fin)."
        )
    return debut, fin
