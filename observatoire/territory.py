"""L'objet :class:`Observatoire` : un territoire configuré et ses tables canoniques.

Exemple ::

    import observatoire
    obs = observatoire.open("data/demo/observatoire.toml")
    obs.quartiers                 # les QPV de la génération en vigueur
    obs.valeurs.query("indicateur == 'taux_pauvrete'")
    obs.indicateurs.ecarts("QN99001A")    # analyses (voir observatoire.api)
"""

from __future__ import annotations

from dataclasses import asdict, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from observatoire import __version__
from observatoire.cache import TableCache, code_fingerprint, combine, file_fingerprint
from observatoire.checks import UNIQUE_KEYS
from observatoire.cog import display_name
from observatoire.config import Config, SourceConfig, load_config
from observatoire.errors import InputError, Problem
from observatoire.schemas import SCHEMAS, empty_table, validate_table
from observatoire.sources.registry import LoadContext, adapters
from observatoire.sources.workbook import sheet_context

if TYPE_CHECKING:
    import geopandas as gpd

TABLES = tuple(SCHEMAS)
__all__ = ["Observatoire", "display_name", "load"]


class Observatoire:
    """Un territoire configuré : tables canoniques validées, avertissements, empreintes."""

    def __init__(
        self,
        config: Config,
        tables: dict[str, pd.DataFrame],
        warnings: list[Problem],
        fingerprints: dict[str, str],
    ) -> None:
        self.config = config
        self.tables = tables
        self.warnings = warnings
        self.fingerprints = fingerprints

    # ------------------------------------------------------------------ ouverture
    @classmethod
    def from_config(cls, path: str | Path, *, use_cache: bool = True) -> Observatoire:
        """Charge toutes les sources déclarées ; lève :class:`InputError` si une est invalide."""
        config = load_config(path)
        return load(config, use_cache=use_cache)

    # ------------------------------------------------------------------ tables
    def table(self, name: str) -> pd.DataFrame:
        """Table canonique ``name`` (vide, avec ses colonnes, si aucune source ne la fournit)."""
        if name not in SCHEMAS:
            raise KeyError(f"table inconnue : {name} (tables : {', '.join(TABLES)})")
        if name not in self.tables:
            self.tables[name] = empty_table(name)
        return self.tables[name]

    @property
    def territoires(self) -> pd.DataFrame:
        return self.table("territoires")

    @property
    def correspondances(self) -> pd.DataFrame:
        return self.table("correspondances")

    @property
    def contours(self) -> gpd.GeoDataFrame:
        return self.table("contours")  # type: ignore[return-value]

    @property
    def communes_contours(self) -> gpd.GeoDataFrame:
        return self.table("communes_contours")  # type: ignore[return-value]

    @property
    def catalogue(self) -> pd.DataFrame:
        return self.table("catalogue")

    @property
    def valeurs(self) -> pd.DataFrame:
        return self.table("valeurs")

    @property
    def evenements(self) -> pd.DataFrame:
        return self.table("evenements")

    @property
    def presences(self) -> pd.DataFrame:
        return self.table("presences")

    @property
    def actions(self) -> pd.DataFrame:
        return self.table("actions")

    @property
    def financements(self) -> pd.DataFrame:
        return self.table("financements")

    @property
    def cibles(self) -> pd.DataFrame:
        return self.table("cibles")

    @property
    def quartiers(self) -> pd.DataFrame:
        """Les QPV de la génération en vigueur (``[territoire] generation``)."""
        t = self.territoires
        gen = self.config.territoire.generation
        return t[(t["niveau"] == "qpv") & (t["generation"] == gen)].reset_index(drop=True)

    def nom(self, niveau: str, code: str) -> str:
        """Nom à afficher d'un territoire, jamais ``None`` : celui des fichiers, du COG
        embarqué, sinon « département 65 » (exemple : ``obs.nom("departement", "65")``)."""
        t = self.territoires
        hit = t.loc[(t["code"] == code) & (t["niveau"] == niveau), "nom"]
        return display_name(niveau, code, hit.iloc[0] if len(hit) else None)

    def departements_du_quartier(self, code: str) -> str:
        """Département(s) d'un quartier à afficher, « Hautes-Pyrénées (65) » ; vide si inconnu."""
        t = self.territoires
        hit = t.loc[(t["code"] == code) & (t["niveau"] == "qpv"), "departement"]
        if not len(hit) or not isinstance(hit.iloc[0], str):
            return ""
        shown = []
        for dep in (d for d in hit.iloc[0].split(";") if d):
            nom = self.nom("departement", dep)
            shown.append(f"département {dep}" if nom in (dep, f"département {dep}") else
                         f"{nom} ({dep})")  # fmt: skip
        return ", ".join(shown)

    @property
    def fictif(self) -> bool:
        """Vrai pour le territoire de démonstration (mention « Données fictives »)."""
        return self.config.territoire.fictif

    @property
    def input_fingerprint(self) -> str:
        """Empreinte globale des entrées, de la configuration et de la version du paquet."""
        return combine(self.fingerprints, _config_fingerprint(self.config), __version__)

    def provenance(self) -> dict:
        """Bloc de provenance pour les rapports : version, config, fichiers et empreintes."""
        files = []
        for name, src in self.config.sources.items():
            files.append(
                {
                    "source": name,
                    "type": src.type,
                    "fichier": str(src.path.relative_to(self.config.root)) if src.path else None,
                    "empreinte": self.fingerprints.get(name),
                    "producteur": src.producteur,  # déclarés ; "" sinon
                    "millesime": src.millesime,
                }
            )
        return {
            "version": __version__,
            "configuration": str(self.config.path.name),
            "territoire": self.config.territoire.nom,
            "producteur": self.config.territoire.producteur or "",
            "mention": self.config.territoire.mention or "",
            "fictif": self.fictif,
            "non_publiable": self.config.territoire.non_publiable,  # dérogation au seuil
            "fichiers": files,
            "empreinte": self.input_fingerprint,
        }

    # ------------------------------------------------------------------ accès analyses
    @cached_property
    def indicateurs(self):
        """Analyses des indicateurs : écarts, rangs, évolutions, inégalités, cartes."""
        from observatoire.api.indicateurs import IndicatorsAPI

        return IndicatorsAPI(self)

    @cached_property
    def participation(self):
        """Analyses de la participation des habitants."""
        from observatoire.api.participation import ParticipationAPI

        return ParticipationAPI(self)

    @cached_property
    def contrat(self):
        """Analyses du contrat de ville (programmation, financements)."""
        from observatoire.api.contrat import ContratAPI

        return ContratAPI(self)

    @cached_property
    def democratie(self):
        """Analyses de la démocratie participative : concertations, pétitions, panels tirés
        au sort, remontées des usagers, avis des instances, budget participatif."""
        from observatoire.api.democratie import DemocratieAPI

        return DemocratieAPI(self)

    @cached_property
    def panel(self):
        """Panel citoyen tiré au sort dans le vivier : quotas, tirage reproductible, audit."""
        from observatoire.api.panel import PanelAPI

        return PanelAPI(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items() if len(v))
        return f"<Observatoire « {self.config.territoire.nom} » {counts}>"


# ---------------------------------------------------------------------- chargement


def _config_fingerprint(config: Config) -> str:
    return combine(
        asdict(config.territoire),
        config.catalogue,
        {k: v.options for k, v in config.sources.items()},
    )


def _stages(config: Config) -> list[list[SourceConfig]]:
    """Ordonne les sources : celles dont les tables sont requises par d'autres d'abord."""
    registry = adapters()
    remaining = list(config.sources.values())
    stages: list[list[SourceConfig]] = []
    produced_later = {t for s in remaining for t in registry[s.type].tables}
    done_tables: set[str] = set()
    while remaining:
        ready = [
            s
            for s in remaining
            if all(
                n in done_tables or n not in produced_later or _only_self(s, n, remaining)
                for n in registry[s.type].needs
            )
        ]
        if not ready:  # dépendances circulaires : on charge tout ce qui reste
            ready = remaining
        stages.append(ready)
        for s in ready:
            remaining.remove(s)
        produced_later = {t for s in remaining for t in registry[s.type].tables}
        done_tables |= {t for s in ready for t in registry[s.type].tables}
    return stages


def _only_self(source: SourceConfig, table: str, remaining: list[SourceConfig]) -> bool:
    registry = adapters()
    return all(s is source or table not in registry[s.type].tables for s in remaining)


def _concat(frames: list[pd.DataFrame], name: str) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f.columns)]
    if not frames:
        return empty_table(name)
    if name == "territoires":
        return _merge_territories(frames)
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    if name in ("contours", "communes_contours"):
        import geopandas as gpd

        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    return pd.concat(frames, ignore_index=True)


def _merge_territories(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Réunit les territoires ; une ligne déduite (``deduit``, ex. commune d'une liste de QPV)
    s'efface devant une ligne déclarée du même code et niveau, ou une déduite antérieure."""
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if "deduit" not in frame.columns:
        return frame.reset_index(drop=True)
    deduced = frame["deduit"].fillna(False).astype(bool)
    declared = frame[~deduced].copy()
    keys = set(zip(declared["code"], declared["niveau"], strict=True))
    # une ligne déclarée incomplète (sans nom, sans parent) est complétée par la déduite
    known = frame[deduced].drop_duplicates(["code", "niveau"]).set_index(["code", "niveau"])
    where = pd.MultiIndex.from_arrays([declared["code"], declared["niveau"]])
    for col in ("nom", "epci", "departement", "region"):
        if col in declared.columns and col in known.columns:
            fill = known[col].reindex(where).to_numpy(dtype=object)
            current = declared[col].to_numpy(dtype=object)
            missing = pd.isna(current) & ~pd.isna(fill)
            current[missing] = fill[missing]
            declared[col] = current
    extra = frame[deduced].drop_duplicates(["code", "niveau"])
    extra = extra[[(c, n) not in keys for c, n in zip(extra["code"], extra["niveau"], strict=True)]]
    return pd.concat([declared, extra], ignore_index=True)


def load(config: Config, *, use_cache: bool = True) -> Observatoire:
    """Charge, valide et met en cache toutes les sources d'une configuration."""
    from observatoire.catalogue import build_catalogue

    registry = adapters()
    cache = TableCache(config.cache_dir, enabled=use_cache)
    fingerprints: dict[str, str] = {}
    keys: dict[str, str] = {}
    collected: dict[str, list[pd.DataFrame]] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    pending: list[tuple[str, str, dict, list]] = []
    catalogue, cat_problems = build_catalogue(config)
    problems += cat_problems
    tables: dict[str, pd.DataFrame] = {"catalogue": catalogue}
    failed: dict[str, list[str]] = {}  # table → sources en erreur (causes des cascades)
    for stage in _stages(config):
        ctx = LoadContext(config, tables=tables, failed=failed)
        for source in stage:
            adapter = registry[source.type]
            fingerprints[source.name] = file_fingerprint(source.path) if source.path else "-"
            deps = sorted(
                keys[s.name]
                for s in config.sources.values()
                if s.name in keys and set(registry[s.type].tables) & set(adapter.needs)
            )
            extra = [  # fichiers annexes déclarés par l'adaptateur (ex. fichier_liens)
                file_fingerprint(config.root / str(source.options[k]))
                for k in adapter.file_options
                if k in source.options and (config.root / str(source.options[k])).is_file()
            ]
            key = combine(
                source.type,
                source.options,
                fingerprints[source.name],
                deps,
                __version__,
                code_fingerprint(),
                catalogue.to_dict("list") if "catalogue" in adapter.needs else None,
                *([extra] if extra else []),
            )
            keys[source.name] = key
            hit = cache.get(source.name, key)
            if hit is not None:
                produced, warn_dicts = hit
                warnings += [Problem(**w) for w in warn_dicts]
            else:
                ctx.warnings = []
                try:
                    produced = adapter.load(source, ctx)
                except InputError as exc:  # classeur : la feuille lue est nommée
                    problems += sheet_context(source.path, source.label, exc.problems)
                    for name in adapter.tables:
                        failed.setdefault(name, []).append(source.label)
                    continue
                warnings += ctx.warnings
                pending.append(
                    (source.name, key, produced, [_problem_dict(w) for w in ctx.warnings])
                )
            for name, frame in produced.items():
                collected.setdefault(name, []).append(frame)
        for name, frames in collected.items():
            tables[name] = _concat(frames, name)
    labels = {s.name: s.label for s in config.sources.values()}  # source → nom du fichier
    from observatoire.checks import cross_checks, duplicate_keys
    from observatoire.names import complete_contour_names, complete_territories

    named = tables.pop("noms", None)  # noms lus dans les fichiers d'indicateurs
    if "territoires" in tables:  # noms jamais vides : fichiers, puis COG embarqué, puis code
        tables["territoires"], name_warnings = complete_territories(
            tables["territoires"], {**tables, "noms": named}, labels
        )
        warnings += name_warnings
    for name, niveau in (("contours", "qpv"), ("communes_contours", "commune")):
        if name in tables:
            tables[name] = complete_contour_names(
                tables[name], tables.get("territoires", empty_table("territoires")), niveau
            )

    for name, frame in tables.items():
        if name in SCHEMAS and len(frame):
            duplicates = duplicate_keys(name, frame, labels)
            if duplicates:  # message clair citant les deux fichiers, pas celui du schéma
                problems += duplicates
                frame = frame.drop_duplicates(UNIQUE_KEYS[name])
            problems += [
                replace(p, file=labels.get(p.file, p.file)) for p in validate_table(name, frame)
            ]
    # contrôles croisés seulement si chaque source est lisible (sinon : erreurs en cascade)
    failed = any(p.severity == "erreur" for p in problems)
    cross_problems = [] if failed else cross_checks(config, tables)
    problems += [p for p in cross_problems if p.severity == "erreur"]
    warnings += [p for p in cross_problems if p.severity != "erreur"]
    errors = [p for p in problems if p.severity == "erreur"]
    if errors:
        raise InputError(problems)
    warnings += [p for p in problems if p.severity != "erreur"]
    for entry in pending:  # rien n'est écrit tant qu'une source est invalide
        cache.put(*entry)
    return Observatoire(config, tables, warnings, fingerprints)


def _problem_dict(p: Problem) -> dict:
    d = asdict(p)
    if d["found"] is not None:
        d["found"] = str(d["found"])
    return d
