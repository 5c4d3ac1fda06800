"""Méthodes de ``obs.democratie`` : pétitions, remontées des usagers, instances et avis.

Mêlées à :class:`observatoire.api.democratie.DemocratieAPI` (sommaire et exemples en tête
de ce module-là). Les effectifs rendus ici comptent des signatures, des remontées, des
avis ou des participants de séances (totaux, sans ventilation par caractéristique des
personnes) : ils ne sont pas masqués, comme les participants des événements de
``obs.participation``.
"""

from __future__ import annotations

import pandas as pd

from observatoire.analysis import instances as ins
from observatoire.analysis import petitions as pe
from observatoire.analysis import remontees as rm
from observatoire.analysis.concertations import split_list


def _year(frame: pd.DataFrame, column: str, annee: int | None) -> pd.DataFrame:
    return frame if annee is None else frame[frame[column].dt.year == int(annee)]


def citing(frame: pd.DataFrame, column: str, code: str | None) -> pd.DataFrame:
    """Lignes dont ``column`` cite ``code`` (``""`` : lignes sans quartier)."""
    if code is None:
        return frame
    listed = frame[column].map(split_list)
    keep = listed.map(lambda c: c == [] if code == "" else code in c)
    return frame.loc[keep.astype(bool)]  # booléen même vide (sinon : sélection de colonnes)


class SuiviMixin:
    """Pétitions, remontées, instances (voir :class:`DemocratieAPI`)."""

    # ------------------------------------------------------------------ pétitions
    def petitions(self, annee: int | None = None, quartier: str | None = None) -> pd.DataFrame:
        """Par pétition (année du dépôt, quartier cité) : signatures, seuil atteint, date
        et délai d'atteinte, délais de réponse ; ``noms_quartiers`` lisibles.

        >>> obs.democratie.petitions(annee=2025)[["titre", "seuil_atteint"]]  # doctest: +SKIP
        """
        table = self.obs.table("petitions")
        code = self._quartier(quartier, table["quartiers"])
        table = citing(_year(table, "depot", annee), "quartiers", code)
        out = pe.atteinte_seuil(table, self.obs.table("signatures"))
        out.insert(4, "noms_quartiers", out["quartiers"].map(self.noms_quartiers))
        return out

    def synthese_petitions(
        self, annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Pétitions, recevables à seuil connu, part qui atteint le seuil, délais médians.

        >>> obs.democratie.synthese_petitions(annee=2025)["part_seuil_atteint"]  # doctest: +SKIP
        """
        return pe.synthese(self.petitions(annee, quartier))

    def courbe_signatures(self, petition: str | None = None) -> pd.DataFrame:
        """Signatures cumulées par date contre le seuil (toutes les pétitions, ou une).

        >>> obs.democratie.courbe_signatures("P-2025-03")  # doctest: +SKIP
        """
        return pe.courbe_signatures(
            self.obs.table("petitions"), self.obs.table("signatures"), petition
        )

    # ------------------------------------------------------------------ remontées
    def _remontees(self, annee: int | None, quartier: str | None) -> pd.DataFrame:
        table = self.obs.table("remontees")
        code = self._quartier(quartier, table["quartier"])
        return citing(_year(table, "date", annee), "quartier", code).reset_index(drop=True)

    def date_reference_remontees(self) -> pd.Timestamp | None:
        """Date de référence des remontées : dernière date du fichier (``None`` sans donnée).

        >>> obs.democratie.date_reference_remontees()  # doctest: +SKIP
        """
        return rm.date_reference(self.obs.table("remontees"))

    def remontees_volumes(
        self, par: str = "canal", annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Remontées par canal, quartier, thème, service ou statut (et part).

        >>> obs.democratie.remontees_volumes("canal", annee=2025)  # doctest: +SKIP
        """
        out = rm.volumes(self._remontees(annee, quartier), par)
        return self._names(out) if par == "quartier" else out

    def remontees_delais(
        self, annee: int | None = None, quartier: str | None = None, par: str | None = None
    ) -> pd.DataFrame:
        """Délai de traitement (médiane, 90e centile, en jours) des remontées traitées.

        >>> obs.democratie.remontees_delais(annee=2025, par="canal")  # doctest: +SKIP
        """
        out = rm.delai_traitement(self._remontees(annee, quartier), (par,) if par else ())
        return self._names(out) if par == "quartier" else out

    def remontees_stock(
        self, annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Stock de remontées ouvertes à la fin de chaque mois (dernier mois : à la date de
        référence) ; ``annee`` : les mois de cette année (stock calculé sur tout l'historique).

        >>> obs.democratie.remontees_stock(annee=2025)[["mois", "stock"]]  # doctest: +SKIP
        """
        out = rm.stock_mensuel(self._remontees(None, quartier), self.date_reference_remontees())
        if annee is not None:
            out = out[out["mois"].str.startswith(f"{int(annee)}-")].reset_index(drop=True)
        return out

    def remontees_dans_delai(
        self, annee: int | None = None, quartier: str | None = None, par: str | None = None
    ) -> pd.DataFrame:
        """Part traitée dans ``[rapports.democratie] delai_traitement_jours`` (30 par défaut) ;
        les non traitées dont le délai est dépassé à la date de référence comptent hors délai.

        >>> obs.democratie.remontees_dans_delai(annee=2025)["part_dans_delai"]  # doctest: +SKIP
        """
        out = rm.dans_delai(
            self._remontees(annee, quartier), self.delai_traitement,
            self.date_reference_remontees(), (par,) if par else (),
        )  # fmt: skip
        return self._names(out) if par == "quartier" else out

    # ------------------------------------------------------------------ instances
    def _avis(self, annee: int | None, instance: str | None) -> pd.DataFrame:
        table = _year(self.obs.table("avis"), "date", annee)
        if instance is not None:
            table = table[table["instance"] == instance]
        return table.reset_index(drop=True)

    def avis(self, annee: int | None = None, instance: str | None = None) -> pd.DataFrame:
        """Avis émis (année de l'avis) avec délai de réponse et sort au regard du délai
        ``[rapports.democratie] delai_reponse_jours`` (60 par défaut) : colonne ``suivi``
        (« répondu dans le délai », « répondu hors délai », « sans réponse, délai dépassé »,
        « sans réponse, délai en cours »).

        >>> obs.democratie.avis(annee=2025)[["instance", "objet", "suivi"]]  # doctest: +SKIP
        """
        table = self._avis(annee, instance)
        columns = ["id", "instance", "seance", "date", "objet", "date_reponse", "reponse"]
        out = table[columns].copy()
        out["delai_reponse_jours"] = ins.delais_reponse(table)
        reference = ins.date_reference(self.obs.table("avis"))
        if reference is None:  # aucun avis : table vide, avec ses colonnes
            return out.assign(delai_reponse_jours=out["delai_reponse_jours"], suivi="")
        age = (reference - out["date"]).dt.days
        answered = out["delai_reponse_jours"].notna()
        late = (out["delai_reponse_jours"] > self.delai_reponse).fillna(False)
        out["suivi"] = [
            ("répondu hors délai" if lt else "répondu dans le délai") if a
            else ("sans réponse, délai dépassé" if g > self.delai_reponse
                  else "sans réponse, délai en cours")
            for a, lt, g in zip(answered, late, age, strict=True)
        ]  # fmt: skip
        return out

    def suivi_avis(
        self, annee: int | None = None, instance: str | None = None, par: str | None = "instance"
    ) -> pd.DataFrame:
        """Avis émis, répondus, délai médian, part répondue dans ``delai_reponse_jours``.

        >>> obs.democratie.suivi_avis(annee=2025)  # doctest: +SKIP
        """
        return ins.suivi_avis(
            self._avis(annee, instance), self.delai_reponse,
            ins.date_reference(self.obs.table("avis")), (par,) if par else (),
        )  # fmt: skip

    def seances(
        self, annee: int | None = None, quartier: str | None = None, par: str | None = "instance"
    ) -> pd.DataFrame:
        """Séances, participants (effectifs connus), par séance, taux de présence (membres).

        >>> obs.democratie.seances(annee=2025)  # doctest: +SKIP
        """
        table = self.obs.table("seances")
        code = self._quartier(quartier, table["quartier"])
        table = citing(_year(table, "date", annee), "quartier", code)
        if par == "quartier":
            table = table.assign(quartier=table["quartier"].fillna(""))
        out = ins.participation_seances(table, (par,) if par else ())
        return self._names(out) if par == "quartier" else out
