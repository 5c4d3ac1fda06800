"""Adaptateurs de la participation des habitants : ``evenements``, ``presences``, ``decidim``.

- ``evenements`` : feuille tenue à la main (CSV/XLSX), une ligne par réunion ;
- ``presences`` : une ligne par personne et par événement (feuille d'émargement
  transcrite comprise : noms, e-mails, téléphones y sont refusés, ou supprimés et
  remplacés par un pseudonyme avec ``pseudonymiser = true``) ;
- ``decidim`` : export des rencontres (« meetings ») de Decidim (``;``, colonnes
  aplaties par ``/``).

Exemple de configuration ::

    [sources.reunions]
    type = "evenements"
    fichier = "participation/reunions.xlsx"
    correspondance_quartiers = { "Les Hauts" = "QN00001A" }
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.schemas.participation import COLONNES_AGE
from observatoire.sources.decidim import DECIDIM_OPTIONS, load_decidim
from observatoire.sources.participation_fields import (
    COUNT_EXPECTED,
    DispositifResolver,
    QuartierResolver,
    event_frame,
    parse_count,
    warning,
)
from observatoire.sources.participation_privacy import (
    PLACE,
    TITLE,
    guarded,
    ignored_columns,
    screened_decidim,
)
from observatoire.sources.participation_read import (
    PRIVACY_OPTIONS,
    READ_OPTIONS,
    cell,
    clean_free_text,
    counts_ok,
    get,
    map_columns,
    read_sheet,
    screen,
)
from observatoire.sources.presences import load_presences
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.values import DATE_EXPECTED, parse_date_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig


EVENT_DEFAULTS: dict[str, list[str]] = {
    "id": ["id", "identifiant", "n°", "numéro", "référence", "reference"],
    "date": ["date", "date de la réunion", "date de l'événement", "date de la rencontre"],
    "quartier": ["quartier", "quartiers", "qpv", "code quartier", "code qpv", "quartier(s)"],
    "dispositif": ["dispositif", "type de rencontre", "instance", "type"],
    "participants": ["participants", "nombre de participants", "nb participants", "présents"],
    "titre": ["titre", "objet", "intitulé", "thème"],
    "lieu": ["lieu", "salle", "adresse du lieu"],
    "demarche": ["démarche", "n° démarche", "concertation"],
    "femmes": ["femmes", "dont femmes"],
    "hommes": ["hommes", "dont hommes"],
    "habitants_qpv": ["habitants qpv", "dont habitants qpv", "habitants du quartier"],
    **{col: [col, f"{band} ans", f"dont {band} ans"] for band, col in COLONNES_AGE.items()},
}
FREE_TEXT = {"titre": TITLE, "lieu": PLACE}

# ---------------------------------------------------------------------- événements


def load_evenements(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Feuille d'événements tenue à la main → table ``evenements``."""
    problems = ProblemCollector(source.label)
    raw = read_sheet(source, problems, ["date", "quartier", "dispositif", "participants"])
    cols = map_columns(raw, source, EVENT_DEFAULTS, problems)
    fixed_dispositif = source.get("dispositif")
    for key in ("date", "participants") + (() if fixed_dispositif else ("dispositif",)):
        if key not in cols:
            problems.add(
                f"colonne « {key} » introuvable",
                expected=f'colonnes.{key} = "…" dans [sources.{source.name}]'
                + (' ou dispositif = "…" pour tout le fichier' if key == "dispositif" else ""),
            )
    problems.raise_if_any()
    found = screen(source, raw, cols, free_text=FREE_TEXT, warnings=ctx.warnings)
    name_cols = {i.column for i in found if i.column in (cols.get("titre"), cols.get("lieu"))}
    ctx.warnings.extend(ignored_columns(source, found, name_cols))

    def text(key: str, i: int) -> str | None:
        value = cell(raw, cols, key, i).strip()
        if value and source.get("pseudonymiser", False):
            value = clean_free_text(value, FREE_TEXT[key], cols.get(key) in name_cols)
        return value or None

    quartiers = QuartierResolver(
        source, ctx.tables.get("territoires"), ctx.config.territoire.generation
    )
    dispositifs = DispositifResolver(source)
    if fixed_dispositif:
        try:
            fixed_dispositif = dispositifs.resolve(fixed_dispositif)
        except ValueError as exc:
            raise source.error(
                "dispositif inconnu", "dispositif", fixed_dispositif, str(exc)
            ) from None
    prefix = str(source.get("prefixe_id", ""))
    records, seen = [], {}
    for i in range(len(raw.frame)):
        line = raw.rows[i]
        ident = cell(raw, cols, "id", i).strip() or f"{source.name}-L{line}"
        if prefix + ident in seen:
            problems.add(
                "identifiant d'événement en double", row=line, column=cols.get("id"),
                found=ident, expected=f"un identifiant unique (déjà ligne {seen[prefix + ident]})",
            )  # fmt: skip
        seen[prefix + ident] = line
        day = None
        if cell(raw, cols, "date", i).strip():
            day = get(problems, raw, cols, "date", i, parse_date_cell, DATE_EXPECTED)
        else:
            problems.add("date manquante", row=line, column=cols["date"], expected=DATE_EXPECTED)
        codes = (
            get(problems, raw, cols, "quartier", i, quartiers.resolve) if "quartier" in cols else []
        )
        dispositif = fixed_dispositif or get(
            problems, raw, cols, "dispositif", i, dispositifs.resolve
        )
        counts = {
            key: get(problems, raw, cols, key, i, parse_count, COUNT_EXPECTED)
            if key in cols
            else None
            for key in ["participants", "femmes", "hommes", "habitants_qpv", *COLONNES_AGE.values()]
        }
        total = counts["participants"]
        for group in (("femmes", "hommes"), tuple(COLONNES_AGE.values()), ("habitants_qpv",)):
            parts = [counts[k] for k in group if counts[k] is not None]
            if total is not None and parts and sum(parts) > total:
                problems.add(
                    "la ventilation dépasse le nombre de participants", row=line,
                    column=" + ".join(cols[k] for k in group if counts[k] is not None),
                    found=sum(parts), expected=f"au plus {total} (colonne {cols['participants']})",
                )  # fmt: skip
        if total is None and counts_ok(problems, line):
            ctx.warnings.append(
                warning(source, line, cols["participants"], "nombre de participants inconnu : "
                        "l'événement est compté mais pas ses participants")
            )  # fmt: skip
        records.append(
            {
                "id": prefix + ident,
                "date": pd.Timestamp(day) if day else pd.NaT,
                "quartiers": ";".join(codes or []) or None,
                "dispositif": dispositif,
                "titre": text("titre", i),
                "lieu": text("lieu", i),
                "demarche": cell(raw, cols, "demarche", i).strip() or None,
                **counts,
                "origine": "feuille",
                "ligne": line,
            }
        )
    problems.raise_if_any()
    ctx.warnings.extend(problems.warnings)
    return {"evenements": event_frame(records, source.name)}


_COMMON = {
    "colonnes": "table clé canonique → nom de colonne du fichier",
    "correspondance_quartiers": 'table nom de quartier du fichier → code QPV ("" : tout le '
    "territoire)",
    **READ_OPTIONS,
}
ADAPTERS = [
    Adapter(
        type="evenements",
        tables=("evenements",),
        load=guarded(load_evenements),
        options={
            **_COMMON,
            "dispositifs": "liste des dispositifs admis (par défaut : conseil citoyen, réunion "
            "publique, atelier de concertation, CCSPL, permanence, balade urbaine, budget "
            "participatif)",
            "correspondance_dispositifs": "table libellé du fichier → dispositif de la liste",
            "dispositif": "dispositif unique pour tout le fichier (sans colonne dispositif)",
            "prefixe_id": "préfixe ajouté aux identifiants d'événements (unicité entre sources)",
            "pseudonymiser": "true : supprime les colonnes d'identité (ex. animateur) et "
            "remplace e-mails, téléphones et noms trouvés dans le titre ou le lieu par « [… "
            "retiré] » au lieu de refuser le fichier",
        },
        needs=("territoires",),
        description="Feuille d'événements de participation tenue à la main",
    ),
    Adapter(
        type="presences",
        tables=("presences",),
        load=guarded(load_presences),
        options={
            **_COMMON,
            **PRIVACY_OPTIONS,
            "evenement": "identifiant de l'événement pour tout le fichier (feuille d'émargement)",
            "tranches": "table libellé de tranche d'âge du fichier → tranche canonique (0-14…75+)",
        },
        needs=("territoires", "evenements"),
        description="Présences individuelles (une ligne par personne et par événement)",
    ),
    Adapter(
        type="decidim",
        tables=("evenements",),
        load=guarded(screened_decidim(load_decidim)),
        options={**DECIDIM_OPTIONS, "separateur": READ_OPTIONS["separateur"],
                 "encodage": READ_OPTIONS["encodage"],
                 "pseudonymiser": "true : e-mails, téléphones et noms trouvés dans les textes "
                 "(titre…) sont remplacés à la lecture au lieu de refuser le fichier"},
        needs=("territoires",),
        description="Export des rencontres Decidim (CSV « ; », colonnes aplaties par « / »)",
    ),
]  # fmt: skip
