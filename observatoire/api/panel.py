"""``obs.panel`` : panel citoyen tiré au sort dans le vivier, quotas et audit du tirage.

Réglages dans ``observatoire.toml`` ::

    [panel]
    taille = 40                      # sièges du panel
    graine = 20260315                # graine publiée avant le tirage (entier non nul)
    criteres = ["sexe", "tranche_age", "qpv"]   # + "quartier", ou un critère du vivier
    minimum_moins_25 = 6             # sièges au moins pour les moins de 25 ans
    marge = 1                        # ± sièges autour de la part de la population
    algorithme = "maximin"           # ou "nash" ; "leximin" demande Gurobi (payant)
    territoire_reference = "200000099"   # code ; défaut : EPCI ou commune du territoire

Exemple ::

    p = obs.panel
    p.quotas()                     # quotas à afficher (libellés français)
    r = p.tirer()                  # tirage avec la graine publiée
    r.selectionnes, r.audit, r.probabilites, r.notes
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.analysis import panel as pn
from observatoire.analysis import panel_quotas as pq
from observatoire.errors import ConfigError, Problem
from observatoire.views.format import format_number, format_percent

if TYPE_CHECKING:
    from observatoire.territory import Observatoire

NO_POOL = ("Aucun vivier de panel n'est chargé (source de type « vivier_panel ») : pas de "
           "quotas ni de tirage.")  # fmt: skip
QUOTA_DISPLAY = ["Critère", "Valeur", "Base des quotas", "Sièges visés", "Quota minimum",
                 "Quota maximum", "Part dans la population", "Personnes dans le vivier",
                 "Part dans le vivier"]  # fmt: skip
AUDIT_DISPLAY = [*QUOTA_DISPLAY[:6], "Panel", "Quota tenu", "Part dans le panel",
                 *QUOTA_DISPLAY[6:]]  # fmt: skip
PROBA_DISPLAY = ["Statistique", "Valeur"]
BASES = {"population": "population (recensement)", "vivier": "répartition du vivier",
         "minimum": "minimum configuré"}  # fmt: skip
UNAVAILABLE = "non disponible"


@dataclass
class PanelResult:
    """Un tirage : panel, audit, probabilités (tables prêtes à afficher) et notes."""

    taille: int
    graine: int | None
    algorithme: str
    territoire: str
    fictif: bool
    selectionnes: pd.DataFrame
    audit: pd.DataFrame
    probabilites: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    phrase: str = ""  # dit pourquoi il n'y a pas de tirage (pas de vivier)
    audit_brut: pd.DataFrame | None = None
    probabilites_brutes: pd.Series | None = None

    @property
    def vide(self) -> bool:
        return bool(self.phrase)


class PanelAPI:
    """Panel citoyen d'un territoire configuré (``obs.panel``)."""

    def __init__(self, obs: Observatoire) -> None:
        self.obs = obs
        s = obs.config.section("panel")
        self.taille = s.get("taille")
        self.graine = s.get("graine")
        self.criteres = list(s.get("criteres", pq.DEFAULT_CRITERIA))
        self.minimum_moins_25 = int(s.get("minimum_moins_25", 0))
        self.marge = int(s.get("marge", 1))
        self.algorithme = str(s.get("algorithme", pn.DEFAULT_ALGORITHM))
        self.territoire_reference = s.get("territoire_reference") or None
        self._draws: dict[tuple[int, int], PanelResult] = {}  # tables immuables : un tirage

    # ------------------------------------------------------------------ entrées
    @property
    def vivier(self) -> pd.DataFrame:
        """Table canonique ``vivier`` (une ligne par personne pseudonyme)."""
        return self.obs.table("vivier")

    def _names(self) -> dict[str, str]:
        t = self.obs.territoires
        return {
            str(c): str(n) for c, n in zip(t["code"], t["nom"], strict=True) if isinstance(n, str)
        }

    def _size(self, taille: int | None) -> int:
        size = taille if taille is not None else self.taille
        if size is None:
            raise ConfigError(
                "Taille du panel absente : indiquez [panel] taille = N ou --taille N."
            )
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ConfigError(f"Taille du panel invalide (valeur trouvée : « {size} ») : "
                              "attendu un entier supérieur ou égal à 1.")  # fmt: skip
        if self.marge < 0:
            raise ConfigError(f"[panel] marge = {self.marge} : attendu un entier positif ou nul.")
        if not 0 <= self.minimum_moins_25 <= size:
            raise ConfigError(f"[panel] minimum_moins_25 = {self.minimum_moins_25} : attendu un "
                              f"entier entre 0 et la taille du panel ({size}).")  # fmt: skip
        return size

    def _check_criteria(self) -> None:
        cols = set(self.vivier.columns)
        bad = [c for c in self.criteres if c not in pq.BASE_CRITERIA
               and (c if c.startswith("critere_") else f"critere_{c}") not in cols]  # fmt: skip
        if bad:
            extra = sorted(c.removeprefix("critere_") for c in cols if c.startswith("critere_"))
            known = ", ".join([*pq.BASE_CRITERIA, *extra])
            raise ConfigError(f"[panel] criteres : critère inconnu « {bad[0]} » (ni critère "
                              f"de base ni colonne critere_{bad[0]} du vivier). Critères "
                              f"possibles : {known}.")  # fmt: skip
        if self.minimum_moins_25 and self.vivier["age"].isna().all():
            raise ConfigError(
                f"[panel] minimum_moins_25 = {self.minimum_moins_25} demande l'âge des "
                "personnes du vivier (colonne « Âge ») : le vivier chargé n'en donne aucun. "
                "Ajoutez l'âge au fichier du vivier ou retirez minimum_moins_25."
            )

    def _pool(self) -> tuple[pd.DataFrame, list[Problem]]:
        self._check_criteria()
        return pq.pool_features(self.vivier, self.criteres, self.minimum_moins_25)

    def reference(self) -> pq.Reference | None:
        """Population de référence (territoire, pyramide des âges, quartiers)."""
        codes = [str(c) for c in self.obs.quartiers["code"]]
        try:
            return pq.reference_population(self.obs.valeurs, self.obs.territoires, codes,
                                           self.territoire_reference, self._names())  # fmt: skip
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def avertissements(self) -> list[Problem]:
        """Personnes retirées du vivier du panel (critère non renseigné, moins de 15 ans)."""
        return [] if self.vivier.empty else self._pool()[1]

    def quotas_bruts(self, taille: int | None = None) -> pd.DataFrame:
        """Quotas (table tidy : critère, valeur, base, cible, min, max, parts)."""
        if self.vivier.empty:
            return pd.DataFrame(columns=pq.QUOTA_COLUMNS)
        pool, _ = self._pool()
        return pq.build_quotas(pool, self.reference(), self._size(taille), self.marge,
                               self.minimum_moins_25, self._names())  # fmt: skip

    def quotas(self, taille: int | None = None) -> pd.DataFrame:
        """Quotas à afficher (libellés français) ; vide avec ses colonnes sans vivier.

        Exemple : ``obs.panel.quotas(taille=30)``.
        """
        return _display(self.quotas_bruts(taille), QUOTA_DISPLAY)

    # ------------------------------------------------------------------ tirage
    def tirer(
        self,
        taille: int | None = None,
        graine: int | None = None,
        progression: Callable[[str], None] | None = None,
    ) -> PanelResult:
        """Tire le panel (graine publiée : ``[panel] graine`` ou ``graine``) et son audit.

        Lève :class:`~observatoire.analysis.panel.QuotasInfeasibleError` (explication
        française) si les quotas ne peuvent pas être tenus ; ``progression`` reçoit
        l'avancement des tirages longs. Exemple : ``obs.panel.tirer()``.
        """
        seed = graine if graine is not None else self.graine
        algo = pn.check_algorithm(self.algorithme)
        if self.vivier.empty:
            empty = pd.DataFrame(columns=["Identifiant"])
            return PanelResult(int(taille or self.taille or 0), seed, algo, "", self.obs.fictif,
                               empty, pd.DataFrame(columns=AUDIT_DISPLAY),
                               pd.DataFrame(columns=PROBA_DISPLAY), phrase=NO_POOL)  # fmt: skip
        size = self._size(taille)
        seed = pn.check_seed(seed)
        if (size, seed) not in self._draws:
            self._draws[(size, seed)] = self._draw(size, seed, algo, progression)
        return self._draws[(size, seed)]

    def _draw(self, size: int, seed: int, algo: str, progression=None) -> PanelResult:
        pool, warnings = self._pool()
        ref = self.reference()
        quotas = pq.build_quotas(pool, ref, size, self.marge, self.minimum_moins_25, self._names())
        draw = pn.draw_panel(pool, quotas, size, seed, algo, progression)
        audit = pn.panel_audit(quotas, pool, draw.selected)
        return PanelResult(
            size, seed, algo, ref.description if ref else "", self.obs.fictif,
            self._selected_table(pool, draw), _display(audit, AUDIT_DISPLAY),
            _probability_table(draw), self._notes(ref, quotas, warnings, draw),
            audit_brut=audit, probabilites_brutes=draw.probabilities,
        )  # fmt: skip

    def _selected_table(self, pool: pd.DataFrame, draw: pn.PanelDraw) -> pd.DataFrame:
        names = self._names()
        chosen = pool.loc[draw.selected]
        out = pd.DataFrame({"Identifiant": draw.selected})
        for f in chosen.columns:
            if f == "age_sexe":
                continue
            out[pq.criterion_label(f)] = [_short(f, v, names) for v in chosen[f]]
        out["Probabilité de sélection"] = [
            format_percent(draw.probabilities[i] * 100, 2) for i in draw.selected
        ]
        return out

    def _notes(self, ref, quotas, warnings, draw) -> list[str]:
        notes = []
        if self.obs.fictif:
            notes.append("Données fictives : territoire de démonstration.")
        if ref is not None:
            notes.append(f"Population de référence : {ref.description}.")
        else:
            notes.append("Aucune pyramide des âges chargée : tous les quotas suivent la "
                         "répartition du vivier.")  # fmt: skip
        for feature in quotas.loc[quotas["base"] == "vivier", "critere"].unique():
            notes.append(f"{pq.criterion_label(feature)} : population inconnue, quotas égaux "
                         "à la répartition du vivier.")  # fmt: skip
        if warnings:
            notes.append(f"{len(warnings)} personne(s) retirée(s) du vivier (critère non "
                         "renseigné ou moins de 15 ans) : voir les avertissements.")  # fmt: skip
        notes.append(f"Algorithme {draw.algorithm} (bibliothèque sortition-algorithms), graine "
                     f"{draw.seed} : {draw.committees} panel(s) possibles dans la distribution.")  # fmt: skip
        return notes


def _short(feature: str, value: str, names: dict[str, str]) -> str:
    if feature == "sexe":
        return {"F": "femme", "H": "homme"}.get(value, value)
    if feature == "tranche_age":
        return pq.band_label(value)
    if feature == "quartier":
        return pq.value_label(feature, value, names).removeprefix("quartier ")
    if feature.startswith("critere_"):
        return value
    return value  # oui / non


def _display(q: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Table aux libellés français (nombres et parts en texte : jamais « nan »)."""
    rows = []
    for r in q.to_dict("records"):
        row = {
            "Critère": r["libelle_critere"],
            "Valeur": r["libelle_valeur"][0].upper() + r["libelle_valeur"][1:],
            "Base des quotas": BASES[r["base"]],
            "Sièges visés": "sans objet" if pd.isna(r["cible"]) else format_number(r["cible"]),
            "Quota minimum": format_number(r["min"]),
            "Quota maximum": format_number(r["max"]),
            "Part dans la population": format_percent(_pct(r["part_population"]), missing=UNAVAILABLE),
            "Personnes dans le vivier": format_number(r["vivier"]),
            "Part dans le vivier": format_percent(_pct(r["part_vivier"]), missing=UNAVAILABLE),
        }  # fmt: skip
        if "panel" in r:
            row["Panel"] = format_number(r["panel"])
            row["Quota tenu"] = "oui" if r["tenu"] else "non"
            row["Part dans le panel"] = format_percent(_pct(r["part_panel"]))
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def _pct(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value) * 100  # type: ignore[arg-type]


def _probability_table(draw: pn.PanelDraw) -> pd.DataFrame:
    s = pn.probability_summary(draw.probabilities)
    rows = [
        ("Personnes dans le vivier", format_number(s["personnes"])),
        ("Probabilité de sélection minimale", format_percent(s["minimum"] * 100, 2)),
        ("Probabilité de sélection médiane", format_percent(s["mediane"] * 100, 2)),
        ("Probabilité de sélection maximale", format_percent(s["maximum"] * 100, 2)),
        ("Somme des probabilités (= taille du panel)", format_number(s["somme"], 2)),
        ("Personnes sans aucune chance d'être tirées", format_number(s["jamais"])),
        ("Panels possibles dans la distribution", format_number(draw.committees)),
    ]
    return pd.DataFrame(rows, columns=PROBA_DISPLAY)
