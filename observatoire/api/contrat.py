"""``obs.contrat`` : analyses du contrat de ville pour les notebooks.

Montants en ``Decimal`` euros (exacts), taux en points de pourcentage. Réglages
facultatifs dans ``observatoire.toml`` ::

    [rapports.contrat]
    besoin = { taux_pauvrete = 1 }     # ou un composite : { taux_pauvrete = 2, taux_chomage = 1 }
    seuil_sous_dotation = 1.0          # résidu standardisé en deçà duquel un quartier est signalé
    montant = "accorde"                # montant des euros par habitant : demande, accorde, verse

Exemple ::

    obs = observatoire.open("data/demo/observatoire.toml")
    obs.contrat.totaux(par="pilier", annee=2025)
    tableau, resume = obs.contrat.besoins_moyens(annee=2025)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from observatoire.analysis import contrat as fin
from observatoire.analysis import contrat_evaluation as ev
from observatoire.errors import ConfigError

Years = int | Sequence[int] | None
GROUPS = ("annee", "pilier", "thematique", "financeur", "statut", "quartier")


class ContratAPI:
    """Analyses du contrat de ville d'un :class:`~observatoire.territory.Observatoire`."""

    def __init__(self, obs: Any) -> None:
        self.obs = obs
        self.settings: dict = obs.config.section("rapports").get("contrat", {}) or {}
        self._population: dict[int | None, dict[str, float]] = {}  # tables immuables
        self._allocations: dict[object, tuple[pd.DataFrame, dict]] = {}
        self._per_inhabitant: dict[tuple, pd.DataFrame] = {}

    # ------------------------------------------------------------------ tables
    @property
    def annees(self) -> list[int]:
        """Années de programmation présentes."""
        return sorted(int(y) for y in self.obs.actions["annee"].dropna().unique())

    def _tables(self, annee: Years) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        a, f, c = self.obs.actions, self.obs.financements, self.obs.cibles
        if annee is not None:
            years = [annee] if isinstance(annee, int) else list(annee)
            a = a[a["annee"].isin(years)]
            f = f[f["action"].isin(a["id"])]
            c = c[c["action"].isin(a["id"])]
        return a, f, c

    def noms(self) -> dict[str, str]:
        """Code QPV → nom du quartier."""
        t = self.obs.territoires
        q = t[t["niveau"] == "qpv"]
        return dict(zip(q["code"], q["nom"].fillna(q["code"]), strict=True))

    def _named(self, frame: pd.DataFrame) -> pd.DataFrame:
        names = self.noms()
        out = frame.copy()
        out.insert(1, "nom", [names.get(q, q) for q in out["quartier"]])
        return out

    # ------------------------------------------------------------------ suivi financier
    def totaux(self, par: str | Sequence[str] = "annee", annee: Years = None) -> pd.DataFrame:
        """Demandé / accordé / versé (euros exacts) et actions par ``par`` (annee, pilier,
        thematique, financeur, statut, quartier)."""
        keys = [par] if isinstance(par, str) else list(par or [])
        bad = [k for k in keys if k not in GROUPS]
        if bad:
            raise ValueError(
                f"regroupement inconnu : {', '.join(bad)} (possibles : {', '.join(GROUPS)})"
            )
        a, f, c = self._tables(annee)
        out = fin.totals(a, f, c, by=par)
        return self._named(out) if par == "quartier" else out

    def taux_refus(self, par: str | None = "annee", annee: Years = None) -> pd.DataFrame:
        """Part des dossiers décidés qui sont refusés (en nombre et en montant demandé)."""
        a, f, _ = self._tables(annee)
        return fin.refusal_rate(a, f, by=par)

    def taux_execution(self, par: str | None = "annee", annee: Years = None) -> pd.DataFrame:
        """Versé / accordé sur les lignes dont le versement est connu."""
        a, f, _ = self._tables(annee)
        return fin.execution_rate(a, f, by=par)

    # ------------------------------------------------------------------ quartiers
    def population(self, annee: int | None = None) -> dict[str, float]:
        """Population de chaque quartier (dernier millésime ≤ ``annee``), calculée une fois
        par millésime (copie rendue)."""
        if annee not in self._population:
            v = self.obs.valeurs
            rows = v[v["indicateur"] == "population"]  # une passe : les autres n'y sont pas
            self._population[annee] = fin.latest_population(rows, "population", annee)
        return dict(self._population[annee])

    def euros_par_habitant(self, annee: Years = None, montant: str | None = None) -> pd.DataFrame:
        """Montants ventilés par quartier (poids des cibles) rapportés à la population.

        Tous les quartiers en vigueur figurent, 0 € compris (aucune action). Calculé une
        fois par sélection d'années et montant (copie rendue)."""
        montant = montant or self.settings.get("montant", "accorde")
        if montant not in fin.AMOUNTS:
            raise ConfigError(
                f"montant inconnu pour les euros par habitant : « {montant} » "
                f"(attendu : {', '.join(fin.AMOUNTS)} ; [rapports.contrat] montant)"
            )
        key = (annee if annee is None or isinstance(annee, int) else tuple(annee), montant)
        if key not in self._per_inhabitant:
            self._per_inhabitant[key] = self._euros_par_habitant(annee, montant)
        return self._per_inhabitant[key].copy()

    def _euros_par_habitant(self, annee: Years, montant: str) -> pd.DataFrame:
        a, f, c = self._tables(annee)
        allocated = fin.allocate_to_quartiers(a, f, c)
        last = annee if isinstance(annee, int) else (max(annee) if annee else None)
        out = fin.euros_per_inhabitant(
            allocated,
            self.population(last),
            montant,
            quartiers=list(self.obs.quartiers["code"]),
        )
        return self._named(out)

    def dispersion(self, annee: Years = None, montant: str | None = None) -> dict[str, float]:
        """Dispersion des euros par habitant entre quartiers (min, max, CV, rapport max/min…)."""
        return fin.spread(self.euros_par_habitant(annee, montant)["euros_par_habitant"])

    def actions_quartier(self, code: str, annee: Years = None) -> pd.DataFrame:
        """Actions qui ciblent le quartier ``code``, avec la part qui lui est attribuée."""
        a, f, c = self._tables(annee)
        mine = c[c["quartier"] == code][["action", "poids"]]
        allocated, positions = self._allocation(annee, a, f, c)
        rows = allocated.take(positions[code]) if code in positions else allocated.iloc[:0]
        part = rows.set_index("action")["accorde_centimes"]
        acts = a.merge(mine, left_on="id", right_on="action").drop(columns="action")
        acts["accorde_quartier_centimes"] = acts["id"].map(part).astype("Int64")
        cols = ["id", "annee", "intitule", "porteur", "pilier", "thematique", "statut", "poids"]
        return fin.euros(acts[cols + ["accorde_quartier_centimes"]], ["accorde_quartier"])

    def _allocation(
        self, annee: Years, a: pd.DataFrame, f: pd.DataFrame, c: pd.DataFrame
    ) -> tuple[pd.DataFrame, dict]:
        """Ventilation par quartier (``allocate_to_quartiers``) et positions des lignes de
        chaque quartier, calculées une fois par sélection d'années (tables immuables)."""
        key = annee if annee is None or isinstance(annee, int) else tuple(annee)
        if key not in self._allocations:
            allocated = fin.allocate_to_quartiers(a, f, c)
            self._allocations[key] = (allocated, allocated.groupby("quartier", sort=False).indices)
        return self._allocations[key]

    def non_relies(self) -> pd.DataFrame:
        """Actions sans quartier relié (ex. subventions SCDL sans correspondance)."""
        a = self.obs.actions
        return a[~a["id"].isin(self.obs.cibles["action"])].reset_index(drop=True)

    # ------------------------------------------------------------------ évaluation
    def effet_levier(self, par: str | None = "annee", annee: Years = None) -> pd.DataFrame:
        """Cofinancements accordés par euro de crédits État politique de la ville."""
        a, f, _ = self._tables(annee)
        return ev.leverage(a, f, by=par)

    def concentration(self, n: int = 10, par: str | None = "annee", annee: Years = None):
        """Part des ``n`` premiers porteurs et indice de Herfindahl (montants accordés)."""
        a, f, _ = self._tables(annee)
        return ev.concentration(a, f, n=n, by=par)

    def renouvellement(self) -> pd.DataFrame:
        """Actions reconduites de l'année précédente et nouveaux porteurs, par année."""
        return ev.renewal(self.obs.actions)

    def beneficiaires(self, par: str | None = "annee", annee: Years = None) -> pd.DataFrame:
        """Bénéficiaires réalisés face aux prévus ; part habitant un QPV si connue."""
        a, _, _ = self._tables(annee)
        return ev.beneficiaries(a, by=par)

    def indicateurs_besoin(self) -> dict[str, float]:
        """Indicateurs (et poids) du besoin : ``[rapports.contrat] besoin``, défaut pauvreté."""
        spec = self.settings.get("besoin", {"taux_pauvrete": 1.0})
        if isinstance(spec, str):
            spec = [spec]
        if isinstance(spec, list):
            spec = {k: 1.0 for k in spec}
        known = set(self.obs.catalogue["id"])
        unknown = [k for k in spec if k not in known]
        if unknown:
            raise ConfigError(
                f"[rapports.contrat] besoin : indicateur(s) inconnu(s) du catalogue : "
                f"{', '.join(map(str, unknown))} (voir `observatoire indicateurs`)"
            )
        return {str(k): float(v) for k, v in spec.items()}

    def besoins_moyens(
        self, annee: Years = None, seuil: float | None = None
    ) -> tuple[pd.DataFrame, dict]:
        """Euros par habitant face au besoin : corrélations et quartiers nettement sous-dotés.

        Renvoie (tableau par quartier, résumé : n, pearson, spearman, pente, sous_dotes…)."""
        inds = self.indicateurs_besoin()
        cat = self.obs.catalogue
        pol = dict(zip(cat["id"], cat["polarite"], strict=True)) if len(cat) else {}
        last = annee if isinstance(annee, int) else (max(annee) if annee else None)
        codes = list(self.obs.quartiers["code"])
        need = ev.need_score(self.obs.valeurs, inds, pol, codes, last)
        seuil = float(seuil if seuil is not None else self.settings.get("seuil_sous_dotation", 1.0))
        table, summary = ev.needs_and_means(self.euros_par_habitant(annee), need, seuil)
        summary["indicateurs"] = inds
        summary["noms_sous_dotes"] = [self.noms().get(q, q) for q in summary["sous_dotes"]]
        summary["noms_exclus"] = [self.noms().get(q, q) for q in summary["exclus"]]
        return self._named(table), summary

    def synthese(self, annee: Years = None) -> dict[str, Any]:
        """Chiffres clés : actions, montants, taux de refus et d'exécution, effet levier."""
        a, f, _ = self._tables(annee)
        tot = fin.totals(a, f, by=None)
        refus = fin.refusal_rate(a, f, by=None)
        execu = fin.execution_rate(a, f, by=None)
        lev = ev.leverage(a, f, by=None)

        def first(frame: pd.DataFrame, col: str) -> float | None:
            return float(frame[col].iloc[0]) if len(frame) and col in frame else None

        return {
            "annees": sorted(int(y) for y in a["annee"].dropna().unique()),
            "actions": int(len(a)),
            "porteurs": int(a["porteur"].nunique()),
            "demande": _dsum(tot["demande"]),
            "accorde": _dsum(tot["accorde"]),
            "verse": _dsum(tot["verse"]),
            "taux_refus": first(refus, "taux_refus"),
            "taux_execution": first(execu, "taux_execution"),
            "effet_levier": first(lev, "effet_levier"),
            "non_relies": int((~a["id"].isin(self.obs.cibles["action"])).sum()),
        }

    # ------------------------------------------------------------------ figures
    def _source(self) -> str:
        types = {s.type for s in self.obs.config.sources.values()}
        text = "programmation du contrat de ville"
        return text + (" et subventions publiées (SCDL)" if "subventions_scdl" in types else "")

    def figure_montants(self, par: str = "financeur", annee: Years = None) -> Figure:
        """Barres des montants demandé / accordé / versé par ``par``."""
        from observatoire.views.contrat import amounts_chart

        table = self.totaux(par, annee)
        label = "nom" if par == "quartier" else par
        what = {"financeur": "financeur", "pilier": "pilier", "annee": "année",
                "thematique": "thématique", "quartier": "quartier"}.get(par, par)  # fmt: skip
        titre = f"Montants par {what}" + (f" ({_years(annee)})" if annee else "")
        table[label] = table[label].fillna("non renseigné").astype(str)
        return amounts_chart(table, label=label, titre=titre, source=self._source(),
                             fictif=self.obs.fictif)  # fmt: skip

    def figure_euros_par_habitant(
        self, annee: Years = None, codes: tuple[str, ...] | None = None
    ) -> Figure:
        """Barres des euros accordés par habitant, par quartier (``codes`` : ces quartiers seuls)."""
        from observatoire.views.contrat import per_inhabitant_chart

        table = self.euros_par_habitant(annee)
        if codes is not None:
            table = table[table["quartier"].isin(codes)]
        titre = "Euros accordés par habitant" + (f" ({_years(annee)})" if annee else "")
        return per_inhabitant_chart(table, titre=titre,
                                    source=self._source(), fictif=self.obs.fictif)  # fmt: skip

    def figure_besoins_moyens(self, annee: Years = None) -> Figure:
        """Nuage besoin × euros par habitant avec les quartiers sous-dotés marqués."""
        from observatoire.views.contrat import needs_means_chart

        table, summary = self.besoins_moyens(annee)
        inds = summary["indicateurs"]
        cat = self.obs.catalogue.set_index("id")
        first = next(iter(inds))
        besoin = "indice composite de besoin (écarts-types)"
        if len(inds) == 1:
            known = first in cat.index
            unite = f" ({cat.loc[first, 'unite']})" if known else ""
            besoin = (cat.loc[first, "libelle"] if known else first) + unite
        titre = "Besoins et moyens" + (f" ({_years(annee)})" if annee else "")
        return needs_means_chart(table, summary, besoin=besoin, titre=titre,
                                 source=self._source(), fictif=self.obs.fictif)  # fmt: skip


def _years(annee: Years) -> str:
    """Années d'un titre : « 2025 », « 2024–2026 » (suite continue), « 2022, 2024 »."""
    if isinstance(annee, int):
        return str(annee)
    ys = sorted({int(y) for y in annee}) if annee else []
    if len(ys) > 1 and ys[-1] - ys[0] == len(ys) - 1:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def _dsum(values: pd.Series) -> Any:
    known = [v for v in values if v is not None and not pd.isna(v)]
    return sum(known) if known else None
