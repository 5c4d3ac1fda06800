"""Lecture des exports de Decidim tels que ses sérialiseurs les écrivent.

- CSV (``Decidim::Exporters::CSV``) : séparateur ``;``, objets imbriqués aplatis par
  ``/`` avec suffixe de langue pour les champs traduits (``title/fr``,
  ``category/name/fr``, ``scope/name/fr``, ``taxonomies/12/fr``) ; listes jointes par
  ``", "``. Jusqu'à 0.27 l'en-tête vient de la **première** rencontre seulement : si
  elle n'a pas de périmètre, la colonne s'appelle ``scope/name`` et reste vide partout.
  À partir de 0.28, Decidim préfixe d'une apostrophe les textes commençant par
  ``= + - @`` (protection des tableurs) : elle est retirée ici.
- JSON (``Decidim::Exporters::JSON``) : tableau d'objets, aplati ici de la même façon.
- Excel ``.xls`` (``Decidim::Exporters::Excel``, format binaire ancien) : refusé avec
  l'étape à suivre (aucune bibliothèque pour ce format dans l'atelier).

Les heures ``start_time``/``end_time`` sont en UTC : sans suffixe en 0.27
(``2024-03-12 17:00:00``), ``… UTC`` ou ``+0200`` ensuite, ISO 8601 en JSON.

Exemple ::

    raw = read_export(source, problems)            # RawTable aux colonnes aplaties
    local = parse_utc_time("2024-12-31 23:30:00", "Europe/Paris")  # 2025-01-01 00:30
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from observatoire.errors import InputError, Problem, ProblemCollector
from observatoire.sources.tabular import RawTable, detect_encoding, read_raw_table

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from observatoire.config import SourceConfig

XLS_STEP = (
    "un export CSV ou JSON de Decidim : dans l'administration de Decidim, menu « Exporter » "
    "du composant Rencontres, choisissez « CSV » ou « JSON » (le fichier arrive par "
    "courriel) ; à défaut, ouvrez ce .xls dans un tableur et enregistrez-le au format .xlsx"
)
TIME_EXPECTED = (
    "une date et heure Decidim (2024-03-12 17:00:00, 2024-03-12 17:00:00 UTC, "
    "2024-03-12 19:00:00 +0200 ou 2024-03-12T19:00:00.000+02:00)"
)
# colonnes structurées des exports de rencontres 0.27 à 0.30 (identifiants, dates, nombres,
# booléens, adresses web) : aucune ne contient d'identité, quel que soit son nom
STRUCTURED = frozenset({
    "id", "category/id", "scope/id", "participatory_space/id", "participatory_space/url",
    "component/id", "author/id", "author/url", "decidim_author_type", "taxonomies/ids",
    "start_time", "end_time", "attendees", "contributions", "comments", "followers",
    "attachments", "reference", "url", "related_proposals", "related_results", "published",
    "withdrawn", "withdrawn_at", "created_at", "updated_at", "latitude", "longitude",
    "follows_count", "private_meeting", "transparent", "registration_form_enabled",
    "comments/start_time", "comments/end_time", "comments/enabled", "comments/count",
    "online_meeting_url", "closing_visible", "registration_url", "video_url", "audio_url",
    "closed_at", "available_slots", "registrations_enabled", "customize_registration_email",
    "type_of_meeting", "iframe_access_level", "iframe_embed_type", "reserved_slots",
    "registration_type",
})  # fmt: skip
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*"
    r"(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$"
)


def flatten(value: object, key: str = "") -> dict[str, object]:
    """Aplatit comme ``Decidim::Exporters::CSV`` : ``{a: {b: 1}}`` → ``{"a/b": 1}``."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for sub, inner in value.items():
            out.update(flatten(inner, f"{key}/{sub}" if key else str(sub)))
        return out
    if isinstance(value, list):
        return {key: ", ".join(_text(v) for v in value if v is not None)}
    return {key: value}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_records(text: str, file: str) -> tuple[list[dict], list[int]]:
    decoder = json.JSONDecoder()
    start = text.find("[")
    if start < 0 or text[:start].strip():
        raise InputError(
            [Problem(file, "export JSON illisible", found=text[:40].strip(),
                     expected="un tableau JSON d'objets (export JSON des rencontres Decidim)")]
        )  # fmt: skip
    records, lines, i = [], [], start + 1
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text) or text[i] == "]":
            break
        line = text.count("\n", 0, i) + 1
        try:
            obj, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise InputError(
                [Problem(file, "export JSON illisible", row=exc.lineno, found=exc.msg,
                         expected="un tableau JSON d'objets valide")]
            ) from None  # fmt: skip
        if not isinstance(obj, dict):
            raise InputError(
                [Problem(file, "élément JSON inattendu", row=line, found=_text(obj)[:40],
                         expected="un objet par rencontre ({ \"id\": …, \"start_time\": … })")]
            )  # fmt: skip
        records.append(flatten(obj))
        lines.append(line)
    return records, lines


def read_export(
    source: SourceConfig, problems: ProblemCollector, expected: Sequence[str]
) -> RawTable:
    """Export Decidim (CSV ``;``, JSON, XLSX) → :class:`RawTable` aux colonnes aplaties."""
    if source.path is None:
        raise source.error("aucun fichier indiqué", "fichier", None, 'fichier = "…"')
    path, file = source.path, source.label
    head = path.read_bytes()[:8].lstrip(b"\xef\xbb\xbf") if path.exists() else b""
    suffix = path.suffix.lower()
    if suffix == ".xls" or head.startswith(_OLE_MAGIC):
        raise InputError(
            [Problem(file, "export Excel (.xls) de Decidim non pris en charge", found=path.name,
                     expected=XLS_STEP)]
        )  # fmt: skip
    if suffix == ".json" or head.lstrip()[:1] == b"[":
        data = path.read_bytes()
        text, _ = detect_encoding(data, source.get("encodage"), file)
        records, lines = _json_records(text, file)
        columns: list[str] = []
        for record in records:
            columns += [k for k in record if k not in columns]
        frame = pd.DataFrame(
            [[_text(r.get(c)) for c in columns] for r in records], columns=columns, dtype=object
        )
        return RawTable(frame, lines, file)
    raw = read_raw_table(
        path,
        problems=problems,
        separator=source.get("separateur", ";") if suffix != ".xlsx" else None,
        encoding=source.get("encodage"),
        sheet=source.get("feuille"),
        expected=list(expected),
    )
    return raw


def unprotect(text: object) -> str:
    """Retire l'apostrophe que Decidim ≥ 0.28 ajoute devant ``= + - @``."""
    value = "" if text is None else str(text).strip()
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def zone(source: SourceConfig) -> ZoneInfo:
    """Fuseau horaire des rencontres (option ``fuseau``, défaut Europe/Paris)."""
    name = source.get("fuseau", "Europe/Paris")
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise source.error(
            "fuseau horaire inconnu", "fuseau", name,
            "un fuseau IANA : Europe/Paris, Indian/Reunion, America/Martinique…",
        ) from None  # fmt: skip


def parse_utc_time(text: object, tz: ZoneInfo) -> datetime | None:
    """Heure Decidim (UTC si sans suffixe) → heure locale ``tz`` ; vide → None."""
    value = unprotect(text)
    if not value:
        return None
    match = _TIME.match(value)
    if match is None:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=tz)
        raise ValueError(TIME_EXPECTED)
    day, clock, offset = match.groups()
    clock = clock if clock.count(":") == 2 else clock + ":00"
    moment = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S")
    if offset in (None, "UTC", "GMT", "Z"):
        moment = moment.replace(tzinfo=UTC)
    else:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    return moment.astimezone(tz)


def translated(columns: Iterable[str], base: str, langue: str) -> str | None:
    """Colonne d'un champ traduit : ``base/langue``, ``base/fr``, ``base``, ``base/xx``."""
    columns = list(columns)
    for name in (f"{base}/{langue}", f"{base}/fr", base):
        if name in columns:
            return name
    others = [c for c in columns if re.fullmatch(re.escape(base) + r"/[a-z]{2}(_[A-Z]{2})?", c)]
    return others[0] if others else None
