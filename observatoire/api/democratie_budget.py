"""Méthodes de ``obs.democratie`` : budget participatif (votants, âge, projets, euros).

Mêlées à :class:`observatoire.api.democratie.DemocratieAPI` (sommaire en tête de ce
module-là). Les votants sont des personnes : chaque ventilation (par quartier, par
tranche d'âge, moins de 25 ans) passe par le secret des petits effectifs de
:mod:`observatoire.masking` (« < 5 » ; « masqué » quand un effectif se retrouverait
par différence avec le total de l'édition) ; un effectif masqué est NA, avec ses parts
et taux, et la colonne ``affichage`` dit pourquoi.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatoire.analysis import budget_participatif as bp
from observatoire.api.democratie_suivi import citing
from observatoire.masking import mask_series


class BudgetMixin:
    """Budget participatif (voir :class:`DemocratieAPI`)."""

    def _mask_long(
        self, frame: pd.DataFrame, by: str, group: str, count: str, derived: list[str]
    ) -> pd.DataFrame:
        """Secret d'une ventilation longue : par valeur de ``by``, les effectifs ``count`` des
        groupes ``group`` et leur total (celui de ``obs.participation._protect``)."""
        out = frame.reset_index(drop=True).copy()
        out["affichage"] = ""
        for _key, rows in out.groupby(by, sort=False):
            counts = rows.set_index(group)[count].astype(float).fillna(0).round().astype(int)
            counts.index = counts.index.astype(str)
            masked = mask_series(counts.rename(count), self.seuil)
            status, shown = masked.status.iloc[0], masked.display.iloc[0]
            whole = status["Total"] != ""
            for idx, name in zip(rows.index, counts.index, strict=True):
                if status[name] or whole:
                    out.loc[idx, "affichage"] = shown[name] if status[name] else shown["Total"]
        hidden = out["affichage"] != ""
        for col in [count, *derived]:
            out[col] = out[col].astype("Float64").mask(hidden)
        return out

    def _votes(self, annee: int | None, quartier: str | None) -> pd.DataFrame:
        votes = self.obs.table("votes_bp")
        code = self._quartier(quartier, votes["quartier"])
        if annee is not None:
            votes = votes[votes["edition"] == int(annee)]
        if code is not None:
            votes = citing(votes, "quartier", code)
        return votes.reset_index(drop=True)

    def votants(self, annee: int | None = None, quartier: str | None = None) -> pd.DataFrame:
        """Par édition (``annee``) et quartier : votants, population, votants pour 1 000
        habitants (petits effectifs masqués, ``affichage``).

        >>> obs.democratie.votants(annee=2025)[["nom", "votants_pour_1000"]]  # doctest: +SKIP
        """
        out = bp.votants_pour_1000(self._votes(annee, None), self.obs.valeurs)
        out = self._mask_long(out, "edition", "quartier", "votants", ["votants_pour_1000"])
        if quartier is not None:
            code = self._quartier(quartier, out["quartier"])
            out = out[out["quartier"] == code].reset_index(drop=True)
        return self._names(out)

    def votants_par_age(
        self, annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Votants par tranche d'âge et part (parmi les votants d'âge connu), par édition.

        >>> obs.democratie.votants_par_age(annee=2025)  # doctest: +SKIP
        """
        out = bp.structure_age(self._votes(annee, quartier))
        return self._mask_long(out, "edition", "tranche_age", "votants", ["part"])

    def moins_25(self, annee: int | None = None, quartier: str | None = None) -> pd.DataFrame:
        """Part des moins de 25 ans parmi les votants contre leur part dans la population
        (``remarque`` : tranches qui ne se recoupent pas, population incomplète).

        >>> obs.democratie.moins_25(annee=2025)[["part_moins_25_votants",
        ...                                       "part_moins_25_population"]]  # doctest: +SKIP
        """
        votes = self._votes(annee, quartier)
        code = self._quartier(quartier, votes["quartier"])
        out = bp.moins_25(votes, self.obs.valeurs, [code] if code else None)
        out["affichage"] = ""
        small = f"< {self.seuil}"
        for i, row in out.iterrows():
            for col in ("votants", "votants_age_connu"):  # totaux de personnes
                if 0 < row[col] < self.seuil:
                    out.loc[i, "affichage"] = small
            if pd.isna(row["votants_moins_25"]):
                continue
            young = int(row["votants_moins_25"])
            counts = pd.Series({"moins de 25 ans": young,
                                "25 ans et plus": int(row["votants_age_connu"]) - young})  # fmt: skip
            masked = mask_series(counts.rename("votants"), self.seuil)
            if (masked.status.iloc[0] != "").any() and not out.loc[i, "affichage"]:
                cell = masked.status.iloc[0]["moins de 25 ans"]
                out.loc[i, "affichage"] = masked.display.iloc[0]["moins de 25 ans"] if cell else (
                    "masqué")  # fmt: skip
        hidden = out["affichage"] != ""
        out["votants_moins_25"] = out["votants_moins_25"].astype("Float64").mask(hidden)
        out["part_moins_25_votants"] = (
            out["part_moins_25_votants"].astype(float).where(~hidden, np.nan)
        )
        for col in ("votants", "votants_age_connu"):
            values = out[col].astype("Float64")
            out[col] = values.mask((values > 0) & (values < self.seuil))
        return out

    def _projets(self, annee: int | None, quartier: str | None) -> pd.DataFrame:
        table = self.obs.table("projets_bp")
        code = self._quartier(quartier, table["quartier"])
        if annee is not None:
            table = table[table["edition"] == int(annee)]
        if code is not None:
            table = citing(table, "quartier", code)
        return table.reset_index(drop=True), code

    def projets(self, annee: int | None = None, quartier: str | None = None) -> pd.DataFrame:
        """Projets, lauréats, réalisés et euros (``Decimal``) par édition et quartier ; un
        projet de plusieurs quartiers y est réparti à parts égales au centime près.

        >>> obs.democratie.projets(annee=2025)[["nom", "projets", "montant"]]  # doctest: +SKIP
        """
        table, code = self._projets(annee, quartier)
        out = bp.projets_par_quartier(table)
        if code is not None:
            out = out[out["quartier"] == code].reset_index(drop=True)
        return self._names(out)

    def realisation(self, annee: int | None = None, quartier: str | None = None) -> pd.DataFrame:
        """Par édition : lauréats, réalisés, part réalisée, volet jeunes (projets, lauréats,
        euros en ``Decimal``).

        >>> obs.democratie.realisation(annee=2025)["part_realisee"]  # doctest: +SKIP
        """
        return bp.realisation(self._projets(annee, quartier)[0])
