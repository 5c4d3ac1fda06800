"""Exports Decidim de démonstration, aux formes réelles des sérialiseurs (tout est fictif).

- ``decidim_rencontres.csv`` : plateforme en 0.27 (rencontres 2023-2024). L'en-tête vient
  de la **première** rencontre, qui n'a pas de périmètre : la colonne ``scope/name`` est
  vide partout (le quartier se lit par ``scope/id``) ; heures UTC sans suffixe ;
  ``attendees`` à 0 tant que la rencontre n'est pas close.
- ``decidim_rencontres_2025.csv`` : même plateforme passée en 0.30 (rencontres 2025) :
  taxonomies (``taxonomies/ids`` ; ``taxonomies/<ID>/fr`` pour les seules taxonomies de
  la première rencontre, comme l'en-tête de Decidim), ``withdrawn``,
  ``closed_at``, heures « … UTC » ; export du 15/10/2025 (rencontres suivantes non closes).

Exemple ::

    rows_027, rows_030, toml = generate_decidim(rng, model)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from observatoire.demo.model import DemoModel

URL = "https://participer.valbrume.example"
PARIS, UTC = ZoneInfo("Europe/Paris"), ZoneInfo("UTC")
EXPORT_DAY = datetime(2025, 10, 15, tzinfo=PARIS)  # date de l'export 0.30
H027 = ["id", "category/id", "category/name/fr", "category/name/en", "scope/id", "scope/name",
        "participatory_space/id", "participatory_space/url", "component/id", "title/fr",
        "title/en", "description/fr", "description/en", "start_time", "end_time", "attendees",
        "contributions", "organizations", "address", "location/fr", "location/en", "reference",
        "comments", "attachments", "followers", "url", "related_proposals", "related_results",
        "published"]  # fmt: skip
H030_HEAD = ["id", "author/id", "author/name", "author/url", "participatory_space/id",
             "participatory_space/url"]  # fmt: skip
H030_TAIL = ["component/id", "title/fr", "title/en", "description/fr", "description/en",
             "start_time", "end_time", "attendees", "contributions", "organizations", "address",
             "location/fr", "location/en", "reference", "attachments", "url",
             "related_proposals", "related_results", "published", "withdrawn", "withdrawn_at",
             "location_hints/fr", "location_hints/en", "created_at", "updated_at", "latitude",
             "longitude", "follows_count", "private_meeting", "transparent",
             "registration_form_enabled", "comments/start_time", "comments/end_time",
             "comments/enabled", "comments/count", "online_meeting_url", "closing_visible",
             "closing_report/fr", "closing_report/en", "attending_organizations",
             "registration_url", "decidim_user_group_id", "decidim_author_type", "video_url",
             "audio_url", "closed_at",
             "registration_terms/fr", "registration_terms/en", "available_slots",
             "registrations_enabled", "customize_registration_email", "type_of_meeting",
             "iframe_access_level", "iframe_embed_type", "reserved_slots",
             "registration_type"]  # fmt: skip
# espaces participatifs : id → (adresse, dispositif)
SPACES = {4: ("processes/projets-de-quartier", ""), 5: ("processes/budget-participatif",
          "budget participatif"), 6: ("assemblies/conseils-citoyens", "conseil citoyen")}  # fmt: skip
THEMES = {60: "Mobilités", 61: "Cadre de vie"}  # taxonomies qui ne sont pas des quartiers


def _local(day: datetime, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _utc(moment: datetime, suffix: str = "") -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + suffix


def _day(rng: np.random.Generator, year: int) -> datetime:
    return datetime(year, 1, 1) + timedelta(days=int(rng.integers(10, 340)))


def _rows_027(rng: np.random.Generator, model: DemoModel) -> list[list[object]]:
    quartiers = model.quartiers[:8]
    rows: list[list[object]] = [H027]
    # première rencontre : sans périmètre, à 00:30 le 1er janvier (23:30 UTC la veille)
    plan = [(None, 4, _local(datetime(2024, 1, 1), 0, 30), "Veillée du Nouvel An")]
    for n in range(1, 32):
        year = 2023 if n <= 15 else 2024
        space = 5 if n % 7 == 0 else 6 if n % 4 == 0 else 4
        q = None if space == 5 else quartiers[n % len(quartiers)]
        plan.append((q, space, _local(_day(rng, year), 18), f"Rencontre n° {n}"))
    for i, (q, space, start, title) in enumerate(plan):
        ident = 1001 + i
        wide = q is None
        closed = i % 9 != 8  # une rencontre sur neuf n'a pas été close : attendees = 0
        attendees = int(rng.poisson(60 if space == 5 else 12 if space == 6 else 22))
        category = ("7", "Budget participatif") if space == 5 else ("3", "Concertation")
        rows.append([
            ident, *category, "", "" if wide else 21 + model.quartiers.index(q), "", space,
            f"{URL}/{SPACES[space][0]}", 10 + space, title, "",
            "<p>Présentation ; échanges en petits groupes (fictif)</p>", "", _utc(start),
            _utc(start + timedelta(hours=2)), attendees if closed else 0,
            int(rng.integers(0, 30)), "", f"{ident % 50} rue des Embruns, 00101 (adresse fictive)",
            "Maison de quartier", "", f"VB-MEET-{start.year}-{ident}", int(rng.integers(0, 9)), 0,
            int(rng.integers(0, 20)), f"{URL}/{SPACES[space][0]}/f/{10 + space}/meetings/{ident}",
            "", "", "false" if i % 23 == 22 else "true",
        ])  # fmt: skip
    return rows


def _rows_030(rng: np.random.Generator, model: DemoModel) -> list[list[object]]:
    quartiers = model.quartiers[:8]
    tax_names = {31 + k: f"Secteur {q.nom}" for k, q in enumerate(quartiers)} | THEMES
    meetings = []
    for n in range(1, 25):
        space = 5 if n % 6 == 0 else 6 if n % 4 == 0 else 4
        ids = [] if space == 5 else [31 + n % len(quartiers)]
        if n % 5 == 0:
            ids.append(60 + n % 2)  # thème en plus du quartier
        if n % 11 == 0:
            ids.append(31 + (n + 3) % len(quartiers))  # rencontre de deux quartiers
        meetings.append((1101 + n, ids, space, _local(_day(rng, 2025), 18), n))
    # Decidim tire l'en-tête de la première rencontre : seules ses taxonomies ont des
    # colonnes de nom, les autres ne sont que dans « taxonomies/ids »
    order = meetings[0][1]
    tax_cols = ["taxonomies/ids"] + [
        f"taxonomies/{t}/{lang}" for t in order for lang in ("fr", "en")
    ]
    rows: list[list[object]] = [H030_HEAD + tax_cols + H030_TAIL]
    for ident, ids, space, start, n in meetings:
        closed = start < EXPORT_DAY and n % 8 != 0
        withdrawn = n % 13 == 0
        attendees = int(rng.poisson(60 if space == 5 else 12 if space == 6 else 22))
        tax = [", ".join(map(str, ids))] + [
            tax_names[t] if t in ids and lang == "fr" else ""
            for t in order
            for lang in ("fr", "en")
        ]
        end = start + timedelta(hours=2)
        rows.append([
            ident, 77, "Service participation (fictif)", f"{URL}/profiles/service-participation",
            space, f"{URL}/{SPACES[space][0]}", *tax, 10 + space,
            f"Rencontre 2025 n° {n}" if n % 10 else "'+ de propreté dans le quartier", "",
            "<p>Rencontre fictive</p>", "", _utc(start, " UTC"), _utc(end, " UTC"),
            attendees if closed else 0, int(rng.integers(0, 30)), "",
            f"{ident % 50} rue des Embruns, 00101 (adresse fictive)", "Maison de quartier", "",
            f"VB-MEET-2025-{ident}", 0, f"{URL}/{SPACES[space][0]}/f/{10 + space}/meetings/{ident}",
            "", "", "true", "true" if withdrawn else "false",
            _utc(start - timedelta(days=3), " UTC") if withdrawn else "", "", "",
            _utc(start - timedelta(days=30), " UTC"), _utc(start, " UTC"), "", "", 0, "false", "",
            "false", "", "", "true", 0, "", "true", "<p>Compte rendu fictif</p>" if closed else "",
            "", "", "", "", "Decidim::UserBaseEntity", "", "",
            _utc(end + timedelta(hours=1), " UTC") if closed else "", "", "", 0, "false", "false",
            "in_person", "all", "none", 0, "registration_disabled",
        ])  # fmt: skip
    return rows


def generate_decidim(
    rng: np.random.Generator, model: DemoModel
) -> tuple[list[list[object]], list[list[object]], str]:
    """Lignes des exports 0.27 et 0.30 et fragment TOML de leurs sources."""
    rows_027 = _rows_027(rng, model)
    rows_030 = _rows_030(rng, model)
    quartiers = model.quartiers[:8]
    scopes = ", ".join(f'"{21 + k}" = "{q.code}"' for k, q in enumerate(quartiers))
    taxonomies = ", ".join(f'"{t}" = ""' for t in THEMES)
    spaces = ", ".join(f'"{k}" = "{v}"' for k, (_, v) in SPACES.items() if v)
    toml = f"""# Export des rencontres Decidim 0.27 (2023-2024), tel que Decidim l'écrit : « ; »,
# colonnes aplaties par « / » avec la langue (title/fr). La première rencontre n'a pas de
# périmètre, donc la colonne « scope/name » est vide partout : les quartiers se lisent par
# l'identifiant du périmètre (scope/id). Le dispositif vient de l'espace participatif.
[sources.decidim]
type = "decidim"
fichier = "participation/decidim_rencontres.csv"
correspondance_scopes = {{ {scopes} }}
correspondance_espaces = {{ {spaces} }}

# La même plateforme passée en Decidim 0.30 (2025) : les périmètres sont remplacés par des
# taxonomies. Celles nommées « Secteur … » sont des quartiers (noms des quartiers du
# territoire précédés de « Secteur ») ; les thèmes ne le sont pas ("").
[sources.decidim_2025]
type = "decidim"
fichier = "participation/decidim_rencontres_2025.csv"
correspondance_taxonomies = {{ {", ".join(f'"{31 + k}" = "{q.code}"' for k, q in enumerate(quartiers))}, {taxonomies} }}
correspondance_espaces = {{ {spaces} }}
"""
    return rows_027, rows_030, toml
