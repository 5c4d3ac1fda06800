"""``obs.indicateurs`` : analyses, graphiques et cartes des indicateurs pour les notebooks.

Exemple ::

    obs = observatoire.open("data/demo/observatoire.toml")
    api = obs.indicateurs
    api.ecarts("QN00001A", annee=2021)            # table longue des écarts
    api.synthese("QN00001A", n=3)["phrase"]
    fig = api.figure_ecarts("QN00001A", "taux_pauvrete"); api.texte_alternatif(fig)
    api.carte("taux_pauvrete", surligner="QN00001A")   # folium, hors ligne
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from observatoire.analysis import aggregates, evolution, gaps, inequality, ranks, synthese
from observatoire.api.indicateurs_figures import PYRAMID_BANDS, FiguresMixin  # noqa: F401
from observatoire.errors import ConfigError

POSITION_AGGREGATE = (
    "methode", "n_inclus", "n_territoires", "exclus_secret", "exclus_absent",
    "exclus_sans_poids", "population_exclue", "part_population_exclue",
)  # fmt: skip


class IndicatorsAPI(FiguresMixin):
    """Accès aux analyses des indicateurs d'un :class:`~observatoire.territory.Observatoire`
    (graphiques et cartes : :class:`~observatoire.api.indicateurs_figures.FiguresMixin`)."""

    def __init__(self, obs) -> None:
        self.obs = obs
        # tables immuables après chargement : ce qui en dérive est calculé une fois
        self._dispersions: dict[tuple, pd.Series] = {}
        self._years_by_indicator: dict[str, list[int]] = {}

    SHARED = ("_by_indicator", "_code_positions", "_names", "_known_quartiers")

    def restricted(self, view) -> IndicatorsAPI:
        """La même API sur une vue du territoire restreinte à des quartiers (``GroupView``).

        La vue garde les mêmes tables (valeurs, territoires) : les index qui n'en dépendent
        que sont repris tels quels au lieu d'être recalculés.

        >>> obs.indicateurs.restricted(GroupView(obs, ["QN00001A"])).codes  # doctest: +SKIP
        ['QN00001A']
        """
        api = IndicatorsAPI(view)
        same = view.valeurs is self.obs.valeurs and view.territoires is self.obs.territoires
        for name in self.SHARED if same else ():
            if name in self.__dict__:  # cached_property déjà calculée
                api.__dict__[name] = self.__dict__[name]
        return api

    @cached_property
    def _codes(self) -> tuple[list[str], frozenset[str]]:
        codes = self.obs.quartiers["code"].tolist()
        return codes, frozenset(codes)

    @cached_property
    def _known_quartiers(self) -> frozenset[str]:
        t = self.obs.territoires
        return frozenset(t.loc[t["niveau"] == "qpv", "code"])

    @cached_property
    def _names(self) -> dict[str, str]:
        t = self.obs.territoires
        named = t[t["nom"].notna()].drop_duplicates("code")
        return dict(zip(named["code"], named["nom"].astype(str), strict=True))

    @cached_property
    def _by_indicator(self) -> dict[str, pd.DataFrame]:
        """Lignes de ``valeurs`` par indicateur (ordre de la table conservé)."""
        return dict(iter(self.obs.valeurs.groupby("indicateur", sort=False)))

    def indicator_values(self, indicateur: str) -> pd.DataFrame:
        """Lignes de ``obs.valeurs`` d'un indicateur (mêmes lignes, même ordre, même index
        que ``valeurs[valeurs["indicateur"] == indicateur]``, sans refiltrer la table)."""
        found = self._by_indicator.get(indicateur)
        return found if found is not None else self.obs.valeurs.iloc[:0]

    @cached_property
    def _code_positions(self) -> dict[str, np.ndarray]:
        return self.obs.valeurs.groupby("code", sort=False).indices

    def code_values(self, code: str) -> pd.DataFrame:
        """Lignes de ``obs.valeurs`` d'un territoire (comme ``valeurs[valeurs["code"] == code]``)."""
        positions = self._code_positions.get(code)
        v = self.obs.valeurs
        return v.iloc[:0] if positions is None else v.take(positions)

    def values_of(self, codes: Iterable[str]) -> pd.DataFrame:
        """Lignes de ``obs.valeurs`` de ces territoires, dans l'ordre de la table (comme
        ``valeurs[valeurs["code"].isin(codes)]``, lues par positions)."""
        index = self._code_positions
        found = [index[c] for c in dict.fromkeys(codes) if c in index]
        positions = np.sort(np.concatenate(found)) if found else np.array([], dtype=np.intp)
        return self.obs.valeurs.take(positions)

    def _years_of(self, indicateur: str) -> list[int]:
        """Millésimes où ``indicateur`` a une ligne pour un quartier en vigueur (une fois)."""
        years = self._years_by_indicator.get(indicateur)
        if years is None:
            v = self.indicator_values(indicateur)
            years = sorted(set(v.loc[v["code"].isin(self._codes[0]), "annee"]))
            self._years_by_indicator[indicateur] = years
        return years

    @cached_property
    def _years(self) -> dict[str, list[int]]:
        """Millésimes où chaque indicateur a une ligne pour un quartier en vigueur."""
        return {ind: years for ind in self._by_indicator if (years := self._years_of(ind))}

    # ------------------------------------------------------------------ outils
    @property
    def codes(self) -> list[str]:
        """Codes des quartiers de la génération en vigueur."""
        return list(self._codes[0])

    def nom(self, code: str) -> str:
        """Nom d'un territoire (le code s'il est inconnu)."""
        return self._names.get(code, code)

    def verifier_indicateur(self, indicateur: str) -> dict:
        """Ligne du catalogue ; ``ConfigError`` (code 2) listant les ids proches sinon."""
        cat = self.obs.catalogue
        if indicateur not in set(cat["id"]):  # nom de colonne source : son identifiant est cité
            from observatoire.indicator_ids import unknown_indicator_message

            config = getattr(self.obs, "config", None)
            raise ConfigError(unknown_indicator_message(cat, config, indicateur))
        return aggregates.catalogue_row(cat, indicateur)

    def verifier_quartier(self, code: str) -> str:
        """Code normalisé (``qn00001a`` → ``QN00001A``) d'un quartier connu (un quartier de
        l'autre génération reste accepté, ex. pour ses écarts) ; ``ConfigError`` sinon, avec
        les codes proches de la génération en vigueur seulement."""
        from observatoire.api.quartiers import check_quartier

        return check_quartier(self.obs, code, self._known_quartiers)

    def derniere_annee(self, indicateur: str) -> int:
        """Dernier millésime où ``indicateur`` a une valeur pour un quartier en vigueur."""
        years = self._years_of(indicateur)
        if not years:
            raise ConfigError(
                f"Aucune valeur de « {indicateur} » pour les quartiers du territoire."
            )
        return int(max(years))

    def annee_valide(self, indicateur: str, annee: int | None) -> int:
        """``annee`` si des quartiers ont une ligne ce millésime, sinon ``ConfigError`` (code 2).

        Sans ``annee`` : le dernier millésime disponible.
        """
        if annee is None:
            return self.derniere_annee(indicateur)
        years = self._years_of(indicateur)
        if annee not in years:
            listed = ", ".join(str(y) for y in years) or "aucun"
            raise ConfigError(
                f"Aucune valeur de « {indicateur} » en {annee} pour les quartiers du territoire "
                f"(millésimes disponibles : {listed})."
            )
        return int(annee)

    def source(self, indicateur: str) -> str:
        """Producteur de l'indicateur (déclaré par ses sources, sinon catalogue) : « Source : … »."""
        from observatoire.publish.credits import indicator_source

        return indicator_source(self.obs, indicateur)

    def _info(self, indicateur: str) -> tuple[str, str | None]:
        row = self.verifier_indicateur(indicateur)
        return str(row.get("libelle") or indicateur), row.get("unite")

    @property
    def references(self) -> list[str]:
        return list(self.obs.config.territoire.references)

    # ------------------------------------------------------------------ analyses
    @cached_property
    def _gaps(self) -> pd.DataFrame:
        return gaps.gaps(
            self.obs.valeurs,
            self.obs.territoires,
            self.obs.catalogue,
            codes=self.codes,
            references=self.references,
        )

    @cached_property
    def _gap_positions(self) -> dict[str, np.ndarray]:
        """Positions des lignes de chaque quartier dans la table des écarts."""
        return self._gaps.groupby("code", sort=False).indices

    def annees_ecarts(self) -> list[int]:
        """Millésimes présents dans la table des écarts de tous les quartiers (une fois)."""
        if "_gap_years" not in self.__dict__:
            self.__dict__["_gap_years"] = sorted(set(self._gaps["annee"]))
        return list(self.__dict__["_gap_years"])

    def _quartier_gaps(self, quartier: str) -> pd.DataFrame:
        positions = self._gap_positions.get(quartier)
        return self._gaps.iloc[:0] if positions is None else self._gaps.take(positions)

    def ecarts(
        self,
        quartier: str | None = None,
        annee: int | None = None,
        indicateurs: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Écarts aux références (table longue, voir :func:`observatoire.analysis.gaps.gaps`)."""
        t = self._gaps
        quartier = self.verifier_quartier(quartier) if quartier is not None else None
        if quartier is not None and quartier not in self._codes[1]:
            t = gaps.gaps(  # quartier de l'autre génération : calculé à la demande
                self.obs.valeurs, self.obs.territoires, self.obs.catalogue,
                codes=[quartier], references=self.references,
            )  # fmt: skip
            t = t[t["code"] == quartier]
        elif quartier is not None:
            t = self._quartier_gaps(quartier)  # lignes indexées une fois : pas de filtre
        if annee is not None:
            t = t[t["annee"] == annee]
        if indicateurs is not None:
            t = t[t["indicateur"].isin(list(indicateurs))]
        return t.reset_index(drop=True)

    def ecarts_large(self, quartier: str | None = None, annee: int | None = None) -> pd.DataFrame:
        """Écarts en vue large : une colonne de valeur et une d'écart par référence."""
        return gaps.gaps_wide(self.ecarts(quartier, annee))

    def agregat(
        self, indicateur: str, annee: int | None = None, codes: Sequence[str] | None = None
    ) -> dict:
        """Agrégat pondéré sur les quartiers (secret exclu et compté) ; voir ``weighted_aggregate``."""
        self.verifier_indicateur(indicateur)
        annee = annee or self.derniere_annee(indicateur)
        return aggregates.weighted_aggregate(
            self.obs.valeurs, self.obs.catalogue, list(codes or self.codes), indicateur, annee
        )

    def agregats(
        self, indicateurs: Iterable[str] | None = None, annees: Iterable[int] | None = None,
        codes: Sequence[str] | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Table des agrégats pondérés de l'ensemble des quartiers du territoire."""
        return aggregates.aggregate_table(
            self.obs.valeurs, self.obs.catalogue, list(codes or self.codes), indicateurs, annees
        )

    def rangs(
        self,
        quartier: str | None = None,
        indicateurs: Iterable[str] | None = None,
        annee: int | None = None,
    ) -> pd.DataFrame:
        """Rangs parmi les quartiers du territoire (1 = le plus défavorable), ex-aequo « min »."""
        r = ranks.ranks(
            self.obs.valeurs, self.obs.catalogue, self.codes, indicateurs,
            [annee] if annee is not None else None, self.obs.territoires,
        )  # fmt: skip
        if quartier is not None:  # classement de la génération en vigueur seulement
            from observatoire.api.quartiers import check_quartier

            r = r[r["code"] == check_quartier(self.obs, quartier, self._codes[1])]
        return r.reset_index(drop=True)

    @cached_property
    def _rank_table(self) -> pd.DataFrame:
        """Rangs de tous les quartiers du territoire, tous indicateurs et millésimes (une fois)."""
        return ranks.ranks(
            self.obs.valeurs, self.obs.catalogue, self.codes, None, None, self.obs.territoires
        )

    @cached_property
    def _rank_positions(self) -> dict[str, np.ndarray]:
        return self._rank_table.groupby("code", sort=False).indices

    @cached_property
    def _medians(self) -> pd.Series:
        """Médiane des valeurs publiées (``ok``) des quartiers, par indicateur × millésime."""
        r = self._rank_table
        return r[r["statut"] == "ok"].groupby(["indicateur", "annee"])["valeur"].median()

    @cached_property
    def _aggregate_index(self) -> aggregates.AggregateIndex:
        return aggregates.AggregateIndex(self.values_of(self.codes), self.obs.catalogue)

    def position(
        self, quartier: str, annee: int | None = None, indicateurs: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Position du quartier parmi ceux du territoire, sans territoire de référence.

        Une ligne par indicateur, au dernier millésime du quartier (au plus tard ``annee``) :
        valeur et statut, rang (1 = le plus défavorable, voir :meth:`rangs`) parmi
        ``n_classes`` quartiers classés sur ``n_quartiers``, médiane des quartiers, et
        agrégat pondéré de l'ensemble des quartiers (:meth:`agregat` : ``agregat``,
        ``methode``, ``n_inclus``, ``exclus_secret``, ``exclus_absent``,
        ``exclus_sans_poids``, ``population_exclue``, ``part_population_exclue``) et
        ``exclus_population_inconnue`` (quartiers exclus dont la population est inconnue).

        >>> obs.indicateurs.position("QN00001A", 2021).loc[0, ["rang", "n_classes"]]  # doctest: +SKIP
        """
        code = self.verifier_quartier(quartier)
        positions = self._rank_positions.get(code)
        r = self._rank_table
        r = r.iloc[:0] if positions is None else r.take(positions)
        if indicateurs is not None:
            r = r[r["indicateur"].isin(list(indicateurs))]
        if annee is not None:
            r = r[r["annee"] <= annee]
        r = r.sort_values("annee").drop_duplicates("indicateur", keep="last")
        keys = list(zip(r["indicateur"], r["annee"], strict=True))
        medians = self._medians
        records = []
        for ind, year in keys:
            index = self._aggregate_index
            agg = index.aggregate(self.codes, ind, int(year), note=False)
            pop = index.nearest(aggregates.DEFAULT_WEIGHT, int(year), agg["codes_exclus"])
            records.append({
                "mediane": medians.get((ind, year), np.nan), "agregat": agg["valeur"],
                **{k: agg[k] for k in POSITION_AGGREGATE},
                "exclus_population_inconnue": int(np.isnan(pop).sum()),
            })  # fmt: skip
        columns = ["mediane", "agregat", *POSITION_AGGREGATE, "exclus_population_inconnue"]
        extra = pd.DataFrame(records, columns=columns)
        extra.index = r.index
        out = pd.concat([r, extra], axis=1).assign(n_quartiers=len(self.codes))
        return out.sort_values("indicateur").reset_index(drop=True)

    def serie(self, quartier: str, indicateur: str) -> pd.DataFrame:
        """Série d'un quartier, millésimes de l'autre génération marqués (``traverse_geographie``)."""
        self.verifier_indicateur(indicateur)
        return evolution.series(
            self.obs.valeurs, self.obs.territoires, self.obs.correspondances,
            self.verifier_quartier(quartier), indicateur,
        )  # fmt: skip

    def evolution(
        self,
        quartier: str | None = None,
        indicateurs: Iterable[str] | None = None,
        annee_debut: int | None = None,
        annee_fin: int | None = None,
        traverser: bool = False,
    ) -> pd.DataFrame:
        """Évolutions (millésimes non consécutifs par défaut, avertissements INSEE)."""
        codes = [self.verifier_quartier(quartier)] if quartier else self.codes
        return evolution.evolution(
            self.obs.valeurs, self.obs.territoires, self.obs.correspondances, self.obs.catalogue,
            codes, indicateurs, annee_debut, annee_fin, traverser=traverser,
        )  # fmt: skip

    def inegalites(self, indicateur: str, annee: int | None = None) -> dict:
        """Dispersion, Theil (inter/intra communes) et D9/D1 entre les quartiers."""
        self.verifier_indicateur(indicateur)
        annee = self.annee_valide(indicateur, annee)
        return inequality.inequality_summary(
            self.obs.valeurs, self.obs.territoires, self.codes, indicateur, annee
        )

    def synthese(self, quartier: str, n: int | None = 5, annee: int | None = None) -> pd.DataFrame:
        """Indicateurs où le quartier s'éloigne le plus de ses références (triés)."""
        refs = [r for r in ("commune", "france") if r in self.references] or self.references[:1]
        code = self.verifier_quartier(quartier)
        return synthese.synthese(
            self._quartier_gaps(code), self.obs.catalogue, code, annee=annee, references=refs,
            n=n, dispersion=self.dispersion(annee, refs),
        )  # fmt: skip

    def dispersion(self, annee: int | None, references: Sequence[str]) -> pd.Series:
        """Écart-type entre quartiers par indicateur × millésime (mis en cache), voir
        :func:`observatoire.analysis.synthese.dispersion_table`."""
        key = (annee, tuple(references))
        if key not in self._dispersions:
            self._dispersions[key] = synthese.dispersion_table(
                self._gaps, annee=annee, references=references
            )
        return self._dispersions[key]
