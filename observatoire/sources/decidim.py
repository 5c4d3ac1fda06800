"""Export des rencontres Decidim (« meetings ») → table ``evenements``.

Format réel : CSV séparé par ``;``, champs imbriqués aplatis par ``/`` : ``id``,
``category/id``, ``category/name`` (ou ``category/name/fr``), ``scope/id``,
``scope/name`` (ou ``scope/name/fr``), ``participatory_space/id``, ``title/fr``,
``description/fr``, ``start_time``, ``end_time``, ``attendees``, ``contributions``,
``organizations``, ``address``, ``location/fr``, ``reference``, ``comments``,
``followers``, ``url``, ``published``.

Le quartier vient du périmètre (``scope/name``), traduit en code QPV par la table
``correspondance_scopes`` de la configuration. Seuls l'identifiant, la date, le
titre, le périmètre, la catégorie et ``attendees`` sont lus : l'adresse du lieu et
les descriptions n'entrent pas dans l'observatoire.

Exemple ::

    [sources.decidim]
    type = "decidim"
    fichier = "participation/decidim_meetings.csv"
    dispositif = "réunion publique"
    correspondance_scopes = { "Les Hauts de Brume" = "QN00001A", "Toute la ville" = "" }
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.schemas.participation import COLONNES_AGE
from observatoire.sources.participation_fields import (
    COUNT_EXPECTED,
    DispositifResolver,
    QuartierResolver,
    _option_table,
    event_frame,
    parse_count,
    warning,
)
from observatoire.sources.tabular import guess_column, normalise_label, read_raw_table
from observatoire.sources.values import DATE_EXPECTED, parse_bool_cell, parse_date_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext

DECIDIM_OPTIONS = {
    "correspondance_scopes": 'table périmètre Decidim (scope/name) → code QPV ("" : tout '
    "le territoire) ; obligatoire pour chaque périmètre présent",
    "dispositif": "dispositif des rencontres (défaut : « réunion publique »)",
    "correspondance_categories": "table catégorie Decidim (category/name) → dispositif",
    "dispositifs": "liste des dispositifs admis (comme pour le type evenements)",
    "langue": "langue des champs traduits (title/fr…) ; défaut fr",
    "prefixe_id": "préfixe des identifiants d'événements ; défaut « decidim- »",
    "inclure_non_publiees": "true : garde aussi les rencontres non publiées",
}
REQUIRED = ("id", "start_time", "attendees")


def _find(columns, base: str, langue: str) -> str | None:
    return guess_column(columns, [base, f"{base}/{langue}", f"{base}/fr"])


def load_decidim(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Lit l'export CSV des rencontres Decidim."""
    problems = ProblemCollector(source.label)
    if source.path is None:
        raise source.error("aucun fichier indiqué", "fichier", None, 'fichier = "…"')
    raw = read_raw_table(
        source.path,
        problems=problems,
        separator=source.get("separateur", ";"),
        encoding=source.get("encodage"),
        expected=[*REQUIRED, "scope/name", "title/fr"],
    )
    langue = str(source.get("langue", "fr"))
    columns = raw.frame.columns
    cols = {key: guess_column(columns, [key]) for key in REQUIRED}
    for key, real in cols.items():
        if real is None:
            problems.add(
                "colonne de l'export Decidim absente",
                column=key,
                expected="un export des rencontres Decidim (colonnes : id, start_time, attendees, "
                "scope/name…) séparé par « ; »",
            )
    problems.raise_if_any()
    scope_col = _find(columns, "scope/name", langue)
    category_col = _find(columns, "category/name", langue)
    title_col = _find(columns, "title", langue)
    published_col = guess_column(columns, ["published", "published_at"])
    scopes = {
        normalise_label(k): v for k, v in _option_table(source, "correspondance_scopes").items()
    }
    # les noms de périmètres non déclarés sont cherchés parmi les noms de quartiers
    quartiers = QuartierResolver(
        source, ctx.tables.get("territoires"), ctx.config.territoire.generation
    )
    quartiers.mapping.update(scopes)
    dispositifs = DispositifResolver(source)
    categories = {
        normalise_label(k): dispositifs.resolve(v)
        for k, v in _option_table(source, "correspondance_categories").items()
    }
    try:
        default = dispositifs.resolve(source.get("dispositif", "réunion publique"))
    except ValueError as exc:
        raise source.error(
            "dispositif inconnu", "dispositif", source.get("dispositif"), str(exc)
        ) from None
    prefix = str(source.get("prefixe_id", "decidim-"))
    keep_unpublished = bool(source.get("inclure_non_publiees", False))
    records = []
    for i in range(len(raw.frame)):
        row, line = raw.frame.iloc[i], raw.rows[i]
        if published_col and not keep_unpublished:
            try:
                if parse_bool_cell(row[published_col]) is False:
                    continue
            except ValueError:
                pass  # une date de publication : rencontre publiée
        ident = str(row[cols["id"]]).strip()
        if not ident:
            problems.add("identifiant vide", row=line, column=cols["id"], expected="l'id Decidim")
        text = str(row[cols["start_time"]]).strip()
        try:
            day = parse_date_cell(text)
            if day is None:
                raise ValueError(text)
        except ValueError:
            problems.add(
                "date de début invalide", row=line, column=cols["start_time"], found=text,
                expected=DATE_EXPECTED + " (éventuellement suivie de l'heure)",
            )  # fmt: skip
            day = None
        scope = str(row[scope_col]).strip() if scope_col else ""
        try:
            codes = quartiers.resolve_one(scope) if scope else []
        except ValueError:
            problems.add(
                "périmètre (scope) sans quartier correspondant", row=line, column=scope_col,
                found=scope, expected="un périmètre déclaré dans correspondance_scopes "
                "(ex. correspondance_scopes = { \"" + scope + "\" = \"QN…\" })",
            )  # fmt: skip
            codes = []
        try:
            attendees = parse_count(row[cols["attendees"]])
        except ValueError:
            problems.add(
                "nombre de participants invalide", row=line, column=cols["attendees"],
                found=row[cols["attendees"]], expected=COUNT_EXPECTED,
            )  # fmt: skip
            attendees = None
        if attendees is None:
            ctx.warnings.append(warning(source, line, cols["attendees"], "participants non saisis"))
        category = normalise_label(str(row[category_col])) if category_col else ""
        records.append(
            {
                "id": prefix + ident,
                "date": pd.Timestamp(day) if day else pd.NaT,
                "quartiers": ";".join(codes) or None,
                "dispositif": categories.get(category, default),
                "titre": str(row[title_col]).strip() or None if title_col else None,
                "lieu": None,
                "participants": attendees,
                **dict.fromkeys(["femmes", "hommes", "habitants_qpv"]),
                **dict.fromkeys(COLONNES_AGE.values()),
                "origine": "decidim",
                "ligne": line,
            }
        )
    problems.raise_if_any()
    ctx.warnings.extend(problems.warnings)
    return {"evenements": event_frame(records, source.name)}
