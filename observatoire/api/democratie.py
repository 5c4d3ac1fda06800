"""``obs.democratie`` : analyses de la démocratie participative pour les rapports.

Passe les tables canoniques (:mod:`observatoire.schemas.democratie`) aux fonctions pures
de :mod:`observatoire.analysis.concertations`, ``petitions``, ``remontees``, ``instances``
et ``budget_participatif`` ; ajoute les noms lisibles des quartiers (colonne ``nom`` ou
``noms_quartiers`` ; « tout le territoire » pour un code vide) et applique le secret des
petits effectifs (``[territoire] seuil_petits_effectifs``) à ce qui compte des personnes
identifiées (participants uniques, votants du budget participatif) avec la logique de
``obs.participation`` : effectif masqué = NA, explication dans la colonne ``secret`` ou
``affichage`` (« < 5 », « masqué »). Une donnée absente rend un DataFrame vide avec ses
colonnes : c'est à la section de rapport de le dire.

Réglages (facultatifs) dans ``observatoire.toml`` ::

    [rapports.democratie]
    delai_traitement_jours = 30   # remontées
    delai_reponse_jours = 60      # avis des instances
    annee = 2025                  # année du rapport annuel (défaut : dernière présente)

Sommaire (méthode → colonnes rendues) :

Concertations
- ``demarches(annee, quartier, demarche)`` → id, objet, niveau, service, elu, quartiers,
  noms_quartiers, debut, fin, annee, statut, priorite, dispositifs, publics, date_bilan,
  lien_bilan, prochaines_etapes, delai_bilan_jours, evenements, evenements_effectif_connu,
  participants, participants_uniques, secret
- ``fiche(demarche)`` → une ligne de ``demarches`` (identifiant inconnu : ``ConfigError``)
- ``repartition(par, annee, quartier)`` → <par> [, nom], demarches, part
- ``bilans(annee, quartier, par)`` → [par,] demarches, terminees, avec_bilan,
  terminees_avec_bilan, part_bilan_publie, delai_bilan_connu, delai_bilan_median_jours
- ``evenements(demarche)`` → événements liés (colonnes de la table ``evenements``)
- ``participants(annee, quartier, demarche)`` → demarche, objet, evenements,
  evenements_effectif_connu, participants, presences_individuelles, participants_uniques, secret
- ``representativite(demarche)`` → dimension, groupe, libelle, participants, population,
  participants_connus, part_participants, part_population, rapport, ecart_points, affichage
- ``publics_eloignes(demarche, facteur)`` → dimension, groupe, libelle, part_population,
  part_participants, rapport, facteur_sous_representation, affichage
- ``contributions(demarche, annee, quartier)`` → table ``contributions`` filtrée
- ``contributions_par_theme(demarche, annee, quartier)`` → theme, contributions, part
- ``suites(demarche, annee, quartier)`` → suite, contributions, part
- ``prise_en_compte(demarche, annee, quartier, par)`` → [demarche, objet,] contributions,
  avec_suite, hors_sujet, base, retenues, partiellement, non_retenues, sans_suite,
  taux_prise_en_compte

Pétitions, remontées, instances (:mod:`observatoire.api.democratie_suivi`)
- ``petitions(annee, quartier)`` → id, titre, statut, quartiers, noms_quartiers, depot, seuil,
  signatures, seuil_atteint, date_seuil, origine_date_seuil, delai_seuil_jours,
  date_reponse, delai_reponse_jours, delai_reponse_apres_seuil_jours
- ``synthese_petitions(annee, quartier)`` → petitions, irrecevables, examinees,
  seuil_atteint, part_seuil_atteint, delai_seuil_median_jours, repondues,
  delai_reponse_median_jours
- ``courbe_signatures(petition)`` → petition, titre, date, cumul, seuil, atteint, part_du_seuil
- ``date_reference_remontees()`` → dernière date du fichier des remontées
- ``remontees_volumes(par, annee, quartier)`` → <par> [, nom], remontees, part
- ``remontees_delais(annee, quartier, par)`` → [par,] remontees, traitees,
  delai_median_jours, delai_p90_jours
- ``remontees_stock(annee, quartier)`` → mois, fin, entrees, traitees, stock, cloture_non_datee
- ``remontees_dans_delai(annee, quartier, par)`` → [par,] remontees, traitees_dans_delai,
  traitees_hors_delai, ouvertes_hors_delai, en_attente, cloture_non_datee, base,
  part_dans_delai, delai_jours
- ``avis(annee, instance)`` → id, instance, seance, date, objet, date_reponse, reponse,
  delai_reponse_jours, suivi
- ``suivi_avis(annee, instance, par)`` → [par,] avis, repondus, part_repondus,
  delai_reponse_median_jours, repondus_dans_delai, sans_reponse_hors_delai, en_attente,
  base, part_dans_delai, delai_jours
- ``seances(annee, quartier, par)`` → [par,] seances, seances_effectif_connu, participants,
  participants_par_seance, seances_membres_connus, membres, taux_presence

Budget participatif (:mod:`observatoire.api.democratie_budget` ; ``annee`` = édition)
- ``votants(annee, quartier)`` → edition, quartier, nom, votants, population,
  annee_population, votants_pour_1000, affichage
- ``votants_par_age(annee, quartier)`` → edition, tranche_age, age_min, age_max, votants,
  part, affichage
- ``moins_25(annee, quartier)`` → edition, votants, votants_age_connu, votants_moins_25,
  part_moins_25_votants, part_moins_25_population, annee_population,
  quartiers_population, remarque, affichage
- ``projets(annee, quartier)`` → edition, quartier, nom, projets, laureats, realises,
  montant, montant_laureats (``Decimal`` euros)
- ``realisation(annee, quartier)`` → edition, projets, laureats, realises, part_realisee,
  projets_jeunes_connu, projets_jeunes, part_jeunes_projets, laureats_jeunes,
  part_jeunes_laureats, part_jeunes_montant, montant_laureats, montant_laureats_jeunes

Années : ``annees()`` (années présentes dans les tables) et ``annee()`` (année du rapport :
``[rapports.democratie] annee``, sinon la dernière présente).

Parts en fraction (0 à 1), délais en jours.

Exemple ::

    d = obs.democratie
    d.repartition("niveau", annee=2025)
    d.participants(demarche="C-2025-01")
    d.prise_en_compte(demarche="C-2025-01")
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.analysis import concertations as ca
from observatoire.api.democratie_budget import BudgetMixin
from observatoire.api.democratie_suivi import SuiviMixin
from observatoire.errors import ConfigError

if TYPE_CHECKING:
    from observatoire.territory import Observatoire

TERRITOIRE = "tout le territoire"
_YEAR_COLUMNS = {"concertations": "annee", "petitions": "depot", "remontees": "date",
                 "seances": "date", "avis": "date", "projets_bp": "edition",
                 "votes_bp": "edition"}  # fmt: skip


def _setting(settings: dict, key: str, default: int | None, low: int, high: int) -> int | None:
    """Entier de ``[rapports.democratie]`` ; hors bornes ou non entier : ``ConfigError``."""
    value = settings.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(
            f"observatoire.toml, [rapports.democratie] {key} : valeur « {value} » ; attendu : "
            f"un nombre entier entre {low} et {high}."
        )
    return value


class DemocratieAPI(SuiviMixin, BudgetMixin):
    """Analyses de la démocratie participative d'un territoire configuré (``obs.democratie``)."""

    def __init__(self, obs: Observatoire) -> None:
        self.obs = obs
        settings = obs.config.section("rapports").get("democratie", {})
        self.delai_traitement = _setting(settings, "delai_traitement_jours", 30, 0, 3650)
        self.delai_reponse = _setting(settings, "delai_reponse_jours", 60, 0, 3650)
        self.annee_rapport = _setting(settings, "annee", None, 1990, 2100)
        self.seuil = int(obs.config.territoire.seuil_petits_effectifs)
        self._protected: dict[str, pd.DataFrame] = {}  # représentativité protégée par démarche

    # ------------------------------------------------------------------ années
    def annees(self) -> list[int]:
        """Années présentes dans les tables de la démocratie participative (croissantes).

        >>> obs.democratie.annees()  # doctest: +SKIP
        [2024, 2025]
        """
        years: set[int] = set()
        for name, column in _YEAR_COLUMNS.items():
            values = self.obs.table(name)[column].dropna()
            if column in ("annee", "edition"):
                years.update(int(v) for v in values)
            else:
                years.update(int(v) for v in values.dt.year)
        return sorted(years)

    def annee(self) -> int | None:
        """Année du rapport annuel : ``[rapports.democratie] annee``, sinon la dernière année
        présente ; ``None`` sans aucune donnée.

        >>> obs.democratie.annee()  # doctest: +SKIP
        2025
        """
        if self.annee_rapport is not None:
            return self.annee_rapport
        years = self.annees()
        return years[-1] if years else None

    # ------------------------------------------------------------------ outils
    @property
    def _participation(self):
        return self.obs.participation

    def _territory_names(self) -> dict[str, str]:
        t = self.obs.territoires
        return dict(zip(t["code"], t["nom"], strict=True))

    def nom_quartier(self, code: object) -> str:
        """Nom lisible d'un code (« tout le territoire » pour un code vide)."""
        if code is None or (not isinstance(code, str) and pd.isna(code)) or code == "":
            return TERRITOIRE
        return self._territory_names().get(str(code), str(code))

    def noms_quartiers(self, codes: object) -> str:
        """``"Q1;Q2"`` → « Les Hauts, La Lande » ; vide → « tout le territoire »."""
        listed = ca.split_list(codes)
        return ", ".join(self.nom_quartier(c) for c in listed) if listed else TERRITOIRE

    def _names(self, frame: pd.DataFrame, column: str = "quartier") -> pd.DataFrame:
        frame.insert(frame.columns.get_loc(column) + 1, "nom", frame[column].map(self.nom_quartier))
        return frame

    def _quartier(self, quartier: str | None, *cited: pd.Series) -> str | None:
        """Code normalisé ; un code ni en vigueur ni cité par ces colonnes : ``ConfigError``."""
        if quartier is None or quartier == "":
            return quartier
        from observatoire.api.quartiers import check_quartier, current_codes, normalise_code

        code = normalise_code(quartier)
        for column in cited:
            if any(code in ca.split_list(v) for v in column.dropna().unique()):
                return code
        return check_quartier(self.obs, quartier, frozenset(current_codes(self.obs)))

    def _secret(self, frame: pd.DataFrame, columns: list[str], derived: dict) -> pd.DataFrame:
        """Secret des petits effectifs de ``obs.participation`` (colonne ``secret``)."""
        if not len(frame):
            return frame.assign(secret=pd.Series(dtype=object))
        data = frame.copy()
        for col in columns:
            data[col] = data[col].astype("Float64").astype(float)
        out = self._participation._secret(data, [([c], None) for c in columns], derived)
        for col in columns:
            out[col] = out[col].astype("Float64")
        return out

    # ------------------------------------------------------------------ concertations
    @property
    def _concertations(self) -> pd.DataFrame:
        return self.obs.table("concertations")

    def _demarches(self, annee: int | None, quartier: str | None) -> pd.DataFrame:
        quartier = self._quartier(quartier, self._concertations["quartiers"])
        return ca.filtrer(self._concertations, annee, quartier)

    def _check_demarche(self, demarche: str) -> str:
        ids = [str(i) for i in self._concertations["id"]]
        if demarche in ids:
            return demarche
        close = difflib.get_close_matches(str(demarche), ids, n=5, cutoff=0.5)
        hint = (f" Identifiants proches : {', '.join(close)}." if close else
                f" Démarches connues : {', '.join(ids[:8]) or 'aucune'}"
                + ("…" if len(ids) > 8 else "") + ".")  # fmt: skip
        raise ConfigError(f"Démarche de concertation inconnue : « {demarche} ».{hint}")

    def demarches(
        self, annee: int | None = None, quartier: str | None = None, demarche: str | None = None
    ) -> pd.DataFrame:
        """Programme des démarches, avec délai fin → bilan et participants des événements liés.

        ``annee`` : année du début ; ``quartier`` : démarches qui citent ce code (``""`` :
        celles de tout le territoire). Participants uniques masqués sous le seuil.

        >>> obs.democratie.demarches(annee=2025)[["id", "objet", "niveau"]]  # doctest: +SKIP
        """
        table = self._demarches(annee, quartier)
        if demarche is not None:
            table = table[table["id"] == self._check_demarche(demarche)].reset_index(drop=True)
        columns = ["id", "objet", "niveau", "service", "elu", "quartiers", "debut", "fin",
                   "annee", "statut", "priorite", "dispositifs", "publics", "date_bilan",
                   "lien_bilan", "prochaines_etapes"]  # fmt: skip
        out = table[columns].copy()
        out.insert(6, "noms_quartiers", out["quartiers"].map(self.noms_quartiers))
        out["delai_bilan_jours"] = ca.delais_bilan(table)
        counts = self._participants_raw(table).drop(columns="presences_individuelles")
        out = out.merge(counts, left_on="id", right_on="demarche", how="left").drop(
            columns="demarche"
        )
        return self._secret(out, ["participants_uniques"], {})

    def fiche(self, demarche: str) -> pd.DataFrame:
        """Une démarche (ligne de :meth:`demarches`) ; identifiant inconnu : ``ConfigError``.

        >>> obs.democratie.fiche("C-2025-01").iloc[0]["objet"]  # doctest: +SKIP
        """
        return self.demarches(demarche=demarche)

    def repartition(
        self, par: str = "niveau", annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Démarches par niveau, dispositif, quartier, service, statut ou année (et part).

        >>> obs.democratie.repartition("dispositif", annee=2025)  # doctest: +SKIP
        """
        out = ca.repartition(self._demarches(annee, quartier), par)
        return self._names(out) if par == "quartier" else out

    def bilans(
        self, annee: int | None = None, quartier: str | None = None, par: str | None = None
    ) -> pd.DataFrame:
        """Part des démarches terminées dont le bilan est publié, délai fin → bilan (médiane).

        >>> obs.democratie.bilans(annee=2025)["part_bilan_publie"]  # doctest: +SKIP
        """
        return ca.bilans(self._demarches(annee, quartier), (par,) if par else ())

    def evenements(self, demarche: str) -> pd.DataFrame:
        """Événements de la table ``evenements`` liés à la démarche (colonne ``demarche``).

        >>> obs.democratie.evenements("C-2025-01")[["id", "date", "participants"]]  # doctest: +SKIP
        """
        return ca.evenements_lies(self.obs.evenements, self._check_demarche(demarche))

    def _participants_raw(self, table: pd.DataFrame) -> pd.DataFrame:
        return ca.participants(table, self.obs.evenements, self.obs.presences)

    def participants(
        self, annee: int | None = None, quartier: str | None = None, demarche: str | None = None
    ) -> pd.DataFrame:
        """Par démarche : événements liés, participants, participants uniques (masqués < seuil).

        >>> obs.democratie.participants(demarche="C-2025-01")  # doctest: +SKIP
        """
        table = self._demarches(annee, quartier)
        if demarche is not None:
            table = table[table["id"] == self._check_demarche(demarche)]
        out = self._participants_raw(table)
        out.insert(1, "objet", out["demarche"].map(dict(zip(table["id"], table["objet"],
                                                             strict=True))))  # fmt: skip
        return self._secret(out, ["participants_uniques"], {})

    def representativite_brute(self, demarche: str) -> pd.DataFrame:
        """Représentativité SANS secret des petits effectifs (analyse interne, ne pas publier)."""
        row = self._concertations[self._concertations["id"] == self._check_demarche(demarche)]
        listed = ca.split_list(row["quartiers"].iloc[0])
        codes = listed or list(self.obs.quartiers["code"])  # tout le territoire : tous
        valeurs = self._participation._values_for(codes) if listed else self.obs.valeurs
        return ca.representativite(
            ca.evenements_lies(self.obs.evenements, demarche), self.obs.presences, valeurs,
            self.obs.territoires, codes, self._participation.tranches_exclues,
        )  # fmt: skip

    def representativite(self, demarche: str) -> pd.DataFrame:
        """Qui est venu aux événements de la démarche contre la population de ses quartiers
        (tout le territoire : tous les quartiers), petits effectifs masqués (``affichage``).

        >>> obs.democratie.representativite("C-2025-01")[["libelle", "rapport"]]  # doctest: +SKIP
        """
        if demarche not in self._protected:  # secret calculé une fois (programmes linéaires)
            self._protected[demarche] = self._participation._protect(
                self.representativite_brute(demarche)
            )
        return self._protected[demarche].copy()

    def publics_eloignes(self, demarche: str, facteur: float | None = None) -> pd.DataFrame:
        """Groupes sous-représentés d'un facteur ≥ ``facteur`` (défaut de ``obs.participation``).

        >>> obs.democratie.publics_eloignes("C-2025-01")  # doctest: +SKIP
        """
        raw = self.representativite_brute(demarche)
        return self._participation.publics_proteges(raw, self.representativite(demarche), facteur)

    def contributions(
        self, demarche: str | None = None, annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Contributions filtrées : d'une démarche, des démarches d'une année (année du début),
        d'un quartier (quartier de la contribution, à défaut ceux de sa démarche).

        >>> obs.democratie.contributions(demarche="C-2025-01")  # doctest: +SKIP
        """
        contrib = self.obs.table("contributions")
        if demarche is not None:
            contrib = contrib[contrib["demarche"] == self._check_demarche(demarche)]
        if annee is not None:
            contrib = contrib[contrib["demarche"].isin(self._demarches(annee, None)["id"])]
        if quartier is not None:
            code = self._quartier(quartier, self._concertations["quartiers"], contrib["quartier"])
            cited = set(self._demarches(None, code)["id"])
            own = contrib["quartier"].fillna("").map(ca.split_list)
            keep = own.map(lambda c: code in c if code else False) | (
                contrib["quartier"].isna() & contrib["demarche"].isin(cited)
            )
            contrib = contrib[keep]
        return contrib.reset_index(drop=True)

    def contributions_par_theme(
        self, demarche: str | None = None, annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Ce qui a été dit : contributions par thème et part.

        >>> obs.democratie.contributions_par_theme("C-2025-01")  # doctest: +SKIP
        """
        return ca.par_theme(self.contributions(demarche, annee, quartier))

    def suites(
        self, demarche: str | None = None, annee: int | None = None, quartier: str | None = None
    ) -> pd.DataFrame:
        """Ce qui en a été fait : contributions par suite (« sans suite » compris) et part.

        >>> obs.democratie.suites("C-2025-01")  # doctest: +SKIP
        """
        return ca.suites(self.contributions(demarche, annee, quartier))

    def prise_en_compte(
        self, demarche: str | None = None, annee: int | None = None, quartier: str | None = None,
        par: str | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Taux de prise en compte = (retenues + partiellement) / contributions ayant une
        suite, hors sujet exclus ; ``par="demarche"`` : une ligne par démarche (avec objet).

        >>> obs.democratie.prise_en_compte(annee=2025, par="demarche")  # doctest: +SKIP
        """
        out = ca.prise_en_compte(self.contributions(demarche, annee, quartier),
                                 (par,) if par else ())  # fmt: skip
        if par == "demarche":
            objets = dict(zip(self._concertations["id"], self._concertations["objet"], strict=True))
            out.insert(1, "objet", out["demarche"].map(objets))
        return out
