"""Quartier et dispositif d'une rencontre Decidim : périmètre, taxonomies, espace.

- Decidim ≤ 0.29 : périmètre ``scope/id`` + ``scope/name/fr`` (ou ``scope/name`` vide
  partout quand la première rencontre n'avait pas de périmètre) → table
  ``correspondance_scopes`` dont les clés sont des identifiants **ou** des noms ;
- Decidim ≥ 0.30 : ``taxonomies/ids`` (« 12, 15 ») + ``taxonomies/<ID>/fr`` →
  ``correspondance_taxonomies`` (identifiant ou nom → code QPV, "" si la taxonomie
  n'est pas un quartier). Toute taxonomie présente doit être déclarée (ou nommée comme
  un quartier du territoire, ou être une catégorie de ``correspondance_categories``) :
  rien n'est rangé en silence dans « tout le territoire ».
- dispositif : catégorie (``category/id``, ``category/name/fr`` ou taxonomie) →
  ``correspondance_categories`` ; sinon espace participatif (``participatory_space/id``
  ou son adresse ``participatory_space/url``) → ``correspondance_espaces`` ; sinon
  ``dispositif``.

Exemple ::

    places = Places(source, ctx, raw.frame.columns, "fr")
    codes = places.quartiers(row, line, problems)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from observatoire.sources.decidim_read import translated
from observatoire.sources.participation_fields import (
    DispositifResolver,
    QuartierResolver,
    _option_table,
    warning,
)
from observatoire.sources.tabular import normalise_label
from observatoire.sources.values import parse_code

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from observatoire.config import SourceConfig
    from observatoire.errors import ProblemCollector
    from observatoire.sources.registry import LoadContext


def _key(value: object) -> str:
    return normalise_label(str(value).strip())


def _table(source: SourceConfig, name: str) -> dict[str, str]:
    table = _option_table(source, name)
    for label, target in table.items():
        if not isinstance(target, str):
            raise source.error(
                f"valeur invalide pour « {label} »", name, target,
                'un texte entre guillemets (ex. "QN00001A", ou "" pour tout le territoire)',
            )  # fmt: skip
    return {_key(k): v for k, v in table.items()}


class Places:
    """Résout quartiers et dispositif d'une ligne d'export Decidim."""

    def __init__(
        self, source: SourceConfig, ctx: LoadContext, columns: Iterable[str], langue: str
    ) -> None:
        columns = list(columns)
        self.source = source
        self.resolver = QuartierResolver(
            source, ctx.tables.get("territoires"), ctx.config.territoire.generation
        )
        self.scopes = _table(source, "correspondance_scopes")
        self.taxonomies = _table(source, "correspondance_taxonomies")
        self.dispositifs = DispositifResolver(source)
        self.categories = {
            k: self._dispositif("correspondance_categories", k, v)
            for k, v in _table(source, "correspondance_categories").items()
        }
        self.spaces = {
            k: self._dispositif("correspondance_espaces", k, v)
            for k, v in _table(source, "correspondance_espaces").items()
        }
        try:
            self.default = self.dispositifs.resolve(source.get("dispositif", "réunion publique"))
        except ValueError as exc:
            raise source.error(
                "dispositif inconnu", "dispositif", source.get("dispositif"), str(exc)
            ) from None
        self.scope_id = "scope/id" if "scope/id" in columns else None
        self.scope_name = translated(columns, "scope/name", langue)
        self.category_id = "category/id" if "category/id" in columns else None
        self.category_name = translated(columns, "category/name", langue)
        self.space_id = next((c for c in columns if c == "participatory_space/id"), None)
        self.space_url = next((c for c in columns if c == "participatory_space/url"), None)
        self.tax_ids = next((c for c in ("taxonomies/ids", "taxonomies/id") if c in columns), None)
        self.tax_names: dict[str, str] = {}
        for col in columns:
            match = re.fullmatch(r"taxonomies/(\d+)/([a-z]{2}(?:_[A-Z]{2})?)", col)
            if match and (match.group(1) not in self.tax_names or match.group(2) == langue):
                self.tax_names[match.group(1)] = col
        self.unknown_taxonomies: dict[str, tuple[str, list[int]]] = {}

    def _dispositif(self, option: str, key: str, target: str) -> str:
        try:
            return self.dispositifs.resolve(target)
        except ValueError as exc:
            raise self.source.error(
                f"dispositif inconnu pour « {key} »", option, target, str(exc)
            ) from None

    # ------------------------------------------------------------------ contrôles
    def check(self, frame: pd.DataFrame, ctx: LoadContext) -> None:
        """Avertit quand une colonne de périmètre est présente mais vide partout."""
        for col in (self.scope_name, self.scope_id, self.category_name):
            if col and len(frame) and not frame[col].astype(str).str.strip().any():
                other = self.scope_id if col == self.scope_name else None
                filled = bool(other) and frame[other].astype(str).str.strip().any()
                ctx.warnings.append(
                    warning(self.source, None, col, "colonne présente mais vide sur toutes les "
                            "lignes (Decidim tire l'en-tête de la première rencontre)"
                            + (f" : quartiers lus par « {other} » et correspondance_scopes"
                               if filled else ""))
                )  # fmt: skip

    # ------------------------------------------------------------------ quartiers
    def quartiers(self, row: pd.Series, line: int, problems: ProblemCollector) -> list[str]:
        """Codes QPV de la rencontre (vide : tout le territoire)."""
        codes = self._scope(row, line, problems)
        for code in self._taxonomy_codes(row, line):
            if code not in codes:
                codes.append(code)
        return codes

    def _targets(self, target: str) -> list[str]:
        return [parse_code(t) for t in re.split(r"\s*[;,]\s*", target) if t.strip()]

    def _scope(self, row: pd.Series, line: int, problems: ProblemCollector) -> list[str]:
        sid = str(row[self.scope_id]).strip() if self.scope_id else ""
        name = str(row[self.scope_name]).strip() if self.scope_name else ""
        if not sid and not name:
            return []
        for key in (sid, name):
            if key and _key(key) in self.scopes:
                return self._targets(self.scopes[_key(key)])
        if name:
            try:
                return self.resolver.resolve_one(name)
            except ValueError:
                pass
        label = f"{sid} « {name} »" if sid and name else sid or name
        problems.add(
            "périmètre (scope) sans quartier correspondant", row=line,
            column=self.scope_name if name else self.scope_id, found=name or sid,
            expected=f"un périmètre déclaré dans correspondance_scopes, par identifiant ou "
            f"par nom (ex. correspondance_scopes = {{ \"{sid or name}\" = \"QN…\" }} pour "
            f"{label} ; \"\" : tout le territoire)",
        )  # fmt: skip
        return []

    def _taxonomy_list(self, row: pd.Series) -> list[tuple[str, str]]:
        if not self.tax_ids:
            return []
        ids = [t for t in re.split(r"\s*,\s*", str(row[self.tax_ids]).strip()) if t]
        return [
            (t, str(row[self.tax_names[t]]).strip() if t in self.tax_names else "") for t in ids
        ]

    def _taxonomy_codes(self, row: pd.Series, line: int) -> list[str]:
        codes: list[str] = []
        for tid, name in self._taxonomy_list(row):
            keys = [_key(tid)] + ([_key(name)] if name else [])
            hit = next((k for k in keys if k in self.taxonomies), None)
            if hit is not None:
                codes += self._targets(self.taxonomies[hit])
                continue
            if any(k in self.categories for k in keys):
                continue  # taxonomie de thème servant de catégorie
            if name and _key(name) in self.resolver.names:
                codes.append(self.resolver.names[_key(name)])
                continue
            self.unknown_taxonomies.setdefault(tid, (name, []))[1].append(line)
        return codes

    def report_taxonomies(self, problems: ProblemCollector) -> None:
        """Une erreur par taxonomie non déclarée (première ligne, nombre de rencontres)."""
        for tid, (name, lines) in self.unknown_taxonomies.items():
            shown = f"{tid} « {name} »" if name else tid
            problems.add(
                f"taxonomie Decidim non déclarée ({len(lines)} rencontre(s))", row=lines[0],
                column=self.tax_ids, found=shown,
                expected=f"correspondance_taxonomies = {{ \"{tid}\" = \"QN…\" }} si c'est un "
                f"quartier, ou \"{tid}\" = \"\" si elle n'en est pas un (thème, ville entière)",
            )  # fmt: skip

    # ------------------------------------------------------------------ dispositif
    def dispositif(self, row: pd.Series) -> str:
        """Dispositif : catégorie, sinon espace participatif, sinon ``dispositif``."""
        keys = []
        if self.category_id:
            keys.append(str(row[self.category_id]))
        if self.category_name:
            keys.append(str(row[self.category_name]))
        for tid, name in self._taxonomy_list(row):
            keys += [tid, name]
        for key in keys:
            if key.strip() and _key(key) in self.categories:
                return self.categories[_key(key)]
        for col in (self.space_id, self.space_url):
            if col and _key(row[col]) in self.spaces:
                return self.spaces[_key(row[col])]
        return self.default
