"""``obs.participation`` : analyses de la participation des habitants pour les notebooks.

Passe les tables canoniques aux fonctions pures de :mod:`observatoire.analysis.participation`
et :mod:`observatoire.analysis.representativite`, applique le secret des petits
effectifs aux ventilations de personnes, et dessine avec
:mod:`observatoire.views.participation`.

Réglages (facultatifs) dans ``observatoire.toml`` ::

    [rapports.participation]
    facteur_sous_representation = 2     # « publics éloignés » : rapport ≤ 1/2
    tranches_age_exclues = ["0-14"]     # tranches retirées de la représentativité

Exemple ::

    p = obs.participation
    p.par_quartier(annee=2024)
    p.representativite("QN00001A")
    p.publics_eloignes("QN00001A")
    p.figure_tendance("trimestre")
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from observatoire.analysis import participation as pa
from observatoire.analysis import representativite as rp
from observatoire.api.quartiers import check_ventilation
from observatoire.masking import MaskedTable, mask_series, mask_small_cells
from observatoire.views import participation as views

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from observatoire.territory import Observatoire

TERRITOIRE = "tout le territoire"


class ParticipationAPI:
    """Analyses de la participation d'un territoire configuré (``obs.participation``)."""

    def __init__(self, obs: Observatoire) -> None:
        self.obs = obs
        settings = obs.config.section("rapports").get("participation", {})
        self.facteur = float(settings.get("facteur_sous_representation", 2.0))
        self.tranches_exclues = list(settings.get("tranches_age_exclues", ["0-14"]))
        self.seuil = int(obs.config.territoire.seuil_petits_effectifs)
        # tables immuables après chargement : résultats bruts mis en cache (copies rendues)
        self._raw: dict[tuple, pd.DataFrame] = {}
        self._protected: dict[tuple, pd.DataFrame] = {}

    @cached_property
    def _event_positions(self) -> dict[str, list[int]]:
        """Positions (croissantes) des événements qui concernent chaque code de quartier."""
        positions: dict[str, list[int]] = {}
        codes = self.obs.evenements["quartiers"].fillna("").astype(str).str.split(";")
        for i, listed in enumerate(codes):
            for code in dict.fromkeys(listed):
                positions.setdefault(code, []).append(i)
        return positions

    @cached_property
    def _territory_names(self) -> dict[str, str]:
        return dict(zip(self.obs.territoires["code"], self.obs.territoires["nom"], strict=True))

    # ------------------------------------------------------------------ sélection
    def evenements(
        self, quartier: str | None = None, dispositif: str | None = None, annee: int | None = None
    ) -> pd.DataFrame:
        """Événements filtrés (quartier : ceux qui le concernent, même partagés)."""
        ev = self.obs.evenements
        if quartier is not None:  # index calculé une fois (même sélection, même ordre)
            found = self._event_positions.get(self._quartier(quartier))
            ev = ev.iloc[found or []]
        if dispositif is not None:
            ev = ev.loc[ev["dispositif"] == dispositif]
        if annee is not None:
            ev = ev.loc[ev["annee"] == int(annee)]
        return ev.reset_index(drop=True)

    def _quartier(self, quartier: str | None) -> str | None:
        """Code normalisé (``qn00001a`` → ``QN00001A``) ; ``""`` = tout le territoire.

        Un code ni de la génération en vigueur ni cité par un événement est une
        ``ConfigError`` (codes proches de la génération en vigueur), jamais une table vide.
        """
        if quartier is None or quartier == "":
            return quartier
        from observatoire.api.quartiers import check_quartier, current_codes, normalise_code

        if isinstance(quartier, str) and normalise_code(quartier) in self._event_positions:
            return normalise_code(quartier)
        return check_quartier(self.obs, quartier, frozenset(current_codes(self.obs)))

    def _population_rows(self) -> pd.DataFrame:
        """Lignes ``population`` de ``obs.valeurs`` (index de ``obs.indicateurs`` : mêmes
        lignes, même ordre que le filtre sur toute la table)."""
        return self.obs.indicateurs.indicator_values("population")

    def _values_for(self, codes: list[str]) -> pd.DataFrame:
        """Lignes de ``obs.valeurs`` de ces quartiers et de leurs communes (ordre de la table) :
        celles que lit :func:`~observatoire.analysis.representativite.population_par_groupe`."""
        t = self.obs.territoires
        rows = t[t["code"].isin(codes) & (t["niveau"] == "qpv")]
        communes = {c for text in rows["communes"].dropna() for c in str(text).split(";") if c}
        return self.obs.indicateurs.values_of([*codes, *sorted(communes)])

    def _presences(self, **filters) -> pd.DataFrame:
        return pa.presences_enrichies(self.obs.presences, self.evenements(**filters))

    def _names(self, frame: pd.DataFrame, column: str = "quartier") -> pd.DataFrame:
        names = self._territory_names
        frame.insert(
            frame.columns.get_loc(column) + 1,
            "nom",
            frame[column].map(lambda c: names.get(c, TERRITOIRE if c == "" else c)),
        )
        return frame

    # ------------------------------------------------------------------ volumes
    def synthese(
        self, par: tuple[str, ...] = ("quartier", "dispositif"), periode: str | None = "annee",
        annee: int | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Événements et participants par quartier, dispositif et/ou période."""
        return pa.synthese(self.evenements(annee=annee), par=par, periode=periode)

    def par_quartier(self, annee: int | None = None, dispositif: str | None = None) -> pd.DataFrame:
        """Par quartier : événements, participants, population, participants pour 1 000 habitants."""
        synth = pa.synthese(
            self.evenements(dispositif=dispositif, annee=annee), ("quartier",), None
        )
        pop = pa.population_of(self.obs.valeurs, annee).set_index("code")
        synth["population"] = synth["quartier"].map(pop["population"]).astype("Float64")
        synth["annee_population"] = synth["quartier"].map(pop["annee_population"]).astype("Int64")
        synth["taux_pour_1000"] = synth["participants"] / synth["population"] * 1000
        return self._names(synth)

    def par_dispositif(self, annee: int | None = None, quartier: str | None = None) -> pd.DataFrame:
        """Par dispositif : événements, participants, participants par événement."""
        return pa.synthese(self.evenements(quartier, None, annee), ("dispositif",), None)

    def taux_pour_1000(self, quartier: str | None = None) -> pd.DataFrame:
        """Participants pour 1 000 habitants par quartier et par année."""
        quartier = self._quartier(quartier)
        synth = pa.synthese(self.evenements(quartier), ("quartier",), "annee")
        synth = synth[synth["quartier"] != ""]
        if quartier is not None:
            synth = synth[synth["quartier"] == quartier]
        rows = self._population_rows() if quartier is None else self._values_for([quartier])
        out = pa.taux_pour_1000(synth, rows)  # mêmes lignes de population pour ces quartiers
        out = out.rename(columns={"periode": "annee"}).reset_index(drop=True)
        out["annee"] = out["annee"].astype(int)
        return self._names(out)

    def tendance(
        self, periode: str = "trimestre", quartier: str | None = None, dispositif: str | None = None
    ) -> pd.DataFrame:
        """Événements et participants par période (périodes sans événement comprises)."""
        return pa.tendance(self.evenements(quartier, dispositif), periode=periode)

    # ------------------------------------------------------------------ personnes
    def participants_uniques(
        self, par: tuple[str, ...] = ("annee",), quartier: str | None = None,
        dispositif: str | None = None, secret: bool = True,
    ) -> pd.DataFrame:  # fmt: skip
        """Personnes distinctes, présences par personne, part de retours (présences individuelles).

        ``secret`` : effectifs de personnes de 1 à 4 masqués (colonne ``secret``).
        """
        out = pa.participants_uniques(
            self._presences(quartier=quartier, dispositif=dispositif), par
        )
        if not secret:
            return out
        return self._secret(
            out, [(["personnes"], None), (["personnes_revenues"], None)],
            {"part_retours": ["personnes", "personnes_revenues"], "presences_par_personne": ["personnes"]},
        )  # fmt: skip

    def nouveaux_participants(
        self, periode: str = "annee", quartier: str | None = None, dispositif: str | None = None,
        secret: bool = True,
    ) -> pd.DataFrame:  # fmt: skip
        """Nouveaux participants et personnes déjà venues, par période (petits effectifs masqués)."""
        out = pa.nouveaux_participants(
            self._presences(quartier=quartier, dispositif=dispositif), periode
        )
        if not secret:
            return out
        return self._secret(
            out, [(["nouveaux", "deja_venus"], "personnes")], {"part_nouveaux": ["nouveaux"]}
        )

    def fidelisation(
        self, quartier: str | None = None, dispositif: str | None = None, secret: bool = True
    ) -> pd.DataFrame:
        """Part des participants d'une année revenus l'année suivante (petits effectifs masqués)."""
        out = pa.fidelisation(self._presences(quartier=quartier, dispositif=dispositif))
        if not secret:
            return out
        return self._secret(
            out, [(["participants"], None), (["revenus"], None)],
            {"taux_fidelisation": ["participants", "revenus"]},
        )  # fmt: skip

    def _secret(
        self, frame: pd.DataFrame, groups: list[tuple[list[str], str | None]],
        derived: dict[str, list[str]],
    ) -> pd.DataFrame:  # fmt: skip
        """Masque les effectifs de personnes (« < 5 », et « masqué » si une somme affichée
        permettrait de les retrouver) ; NA dans les colonnes, détail dans ``secret``."""
        out = frame.copy()
        notes: list[list[str]] = [[] for _ in range(len(out))]
        hidden: set[tuple[int, str]] = set()
        for parts, total in groups:
            table = out[parts].astype(float).fillna(0).reset_index(drop=True)
            masked = mask_small_cells(
                table, self.seuil, row_total=total is not None, col_total=False
            )
            shown = {c: c for c in parts} | ({total: "Total"} if total else {})
            for column, key in shown.items():
                for row in range(len(out)):
                    if masked.status.iloc[row][key]:
                        hidden.add((row, column))
                        notes[row].append(f"{column} : {masked.display.iloc[row][key]}")
        for row, column in hidden:
            out.iloc[row, out.columns.get_loc(column)] = np.nan
        for column, sources in derived.items():
            for row in range(len(out)):
                if any((row, s) in hidden for s in sources):
                    out.iloc[row, out.columns.get_loc(column)] = np.nan
        out["secret"] = [" ; ".join(n) for n in notes]
        return out

    # ------------------------------------------------------------------ représentativité
    def _reference_codes(self, quartier: str | None) -> list[str]:
        return [quartier] if quartier else list(self.obs.quartiers["code"])

    def representativite_brute(
        self, quartier: str | None = None, dispositif: str | None = None, annee: int | None = None
    ) -> pd.DataFrame:
        """Représentativité SANS secret des petits effectifs (analyse interne, ne pas publier)."""
        quartier = self._quartier(quartier)
        key = (quartier, dispositif, annee)
        if key not in self._raw:  # calculée une fois (figure, tableau, publics, indice)
            self._raw[key] = self._representativite_brute(quartier, dispositif, annee)
        return self._raw[key].copy()

    def _representativite_brute(
        self, quartier: str | None, dispositif: str | None, annee: int | None
    ) -> pd.DataFrame:
        ev = self.evenements(quartier, dispositif, annee)
        pres = self.obs.presences[self.obs.presences["evenement"].isin(ev["id"])]
        part = rp.participants_par_groupe(ev, pres, self.tranches_exclues)
        codes = self._reference_codes(quartier)
        valeurs = self._values_for(codes) if quartier else self.obs.valeurs
        pop = rp.population_par_groupe(
            valeurs, self.obs.territoires, codes, self.tranches_exclues
        )  # mêmes résultats : la fonction ne lit que les lignes de ces codes
        return rp.representativite(part, pop)

    def representativite(
        self, quartier: str | None = None, dispositif: str | None = None, annee: int | None = None
    ) -> pd.DataFrame:
        """Part de chaque groupe parmi les participants et dans la population, rapport.

        Secret : un groupe de moins de ``seuil`` personnes (et, si besoin, un second
        pour qu'il ne se déduise pas du total) n'a ni effectif, ni part, ni rapport ;
        la colonne ``affichage`` dit « < 5 » ou « masqué ».
        """
        quartier = self._quartier(quartier)
        key = (quartier, dispositif, annee)
        if key not in self._protected:  # secret calculé une fois (programmes linéaires)
            self._protected[key] = self._protect(self.representativite_brute(*key))
        return self._protected[key].copy()

    def _protect(self, rep: pd.DataFrame) -> pd.DataFrame:
        rep = rep.copy()
        rep["affichage"] = ""
        for _dim, rows in rep.groupby("dimension"):
            counts = rows.set_index("groupe")["participants"].round().astype(int)
            masked = mask_series(counts.rename("participants"), self.seuil)
            status, shown = masked.status.iloc[0], masked.display.iloc[0]
            whole = status["Total"] != ""
            for idx, group in zip(rows.index, rows["groupe"], strict=True):
                if status[group] or whole:
                    rep.loc[idx, "affichage"] = shown[group] if status[group] else shown["Total"]
        hidden = rep["affichage"] != ""
        for col in ("participants", "part_participants", "rapport", "ecart_points"):
            rep[col] = rep[col].astype(float).where(~hidden, np.nan)
        whole_dims = rep.groupby("dimension")["affichage"].transform(lambda s: (s != "").all())
        rep["participants_connus"] = rep["participants_connus"].astype(float).where(~whole_dims)
        return rep

    def dissimilarite(
        self, quartier: str | None = None, dispositif: str | None = None, annee: int | None = None
    ) -> pd.DataFrame:
        """Indice de dissimilarité de Duncan par dimension et ``ensemble`` (âge et sexe)."""
        rep = self.representativite_brute(quartier, dispositif, annee)
        out = rp.dissimilarite(rep)
        counts = rep.groupby("dimension")["participants"].sum()
        out["participants_connus"] = out["dimension"].map(counts)
        small = out["participants_connus"] < self.seuil
        out.loc[small, "indice"] = np.nan  # trop peu de personnes pour un indice
        core = out[out["dimension"].isin(rp.INDEX_DIMENSIONS)]["indice"]
        if core.isna().any():
            out.loc[out["dimension"] == "ensemble", "indice"] = np.nan
        return out

    def indices_dissimilarite(self, annee: int | None = None) -> pd.DataFrame:
        """Indice unique (âge et sexe) par quartier et par dispositif (une ligne par paire)."""
        ev = pa.explode_quartiers(self.evenements(annee=annee))
        rows = []
        for (code, dispositif), _ in ev[ev["quartier"] != ""].groupby(["quartier", "dispositif"]):
            d = self.dissimilarite(code, dispositif, annee).set_index("dimension")
            rows.append({"quartier": code, "dispositif": dispositif,
                         "indice": d.loc["ensemble", "indice"],
                         "indice_age": d.loc["age", "indice"] if "age" in d.index else np.nan,
                         "indice_sexe": d.loc["sexe", "indice"] if "sexe" in d.index else np.nan})  # fmt: skip
        frame = pd.DataFrame(
            rows, columns=["quartier", "dispositif", "indice", "indice_age", "indice_sexe"]
        )
        return self._names(frame)

    def publics_eloignes(
        self,
        quartier: str | None = None,
        dispositif: str | None = None,
        facteur: float | None = None,
    ) -> pd.DataFrame:
        """Groupes sous-représentés d'un facteur ≥ ``facteur`` (par défaut la config, 2)."""
        raw = self.representativite_brute(quartier, dispositif)
        return self.publics_proteges(raw, self.representativite(quartier, dispositif), facteur)

    def publics_proteges(
        self, raw: pd.DataFrame, protected: pd.DataFrame, facteur: float | None = None
    ) -> pd.DataFrame:
        """Publics éloignés de ``raw`` (représentativité brute), secret de ``protected``
        (la même, protégée) reporté ; sert aussi à ``obs.democratie`` par démarche."""
        far = rp.publics_eloignes(raw, facteur or self.facteur)
        shown = protected.set_index(["dimension", "groupe"])
        far = far.join(shown[["affichage"]], on=["dimension", "groupe"])
        hidden = far["affichage"] != ""
        for col in (
            "participants",
            "part_participants",
            "rapport",
            "ecart_points",
            "facteur_sous_representation",
        ):
            far[col] = far[col].astype(float).where(~hidden, np.nan)  # fmt: skip
        return far[["dimension", "groupe", "libelle", "part_population", "part_participants",
                    "rapport", "facteur_sous_representation", "affichage"]]  # fmt: skip

    def ventilation(
        self, dimension: str = "sexe", annee: int | None = None, dispositif: str | None = None
    ) -> MaskedTable:
        """Tableau quartier × groupe des participants, petits effectifs masqués (à publier).

        Dimension, dispositif ou année sans aucun événement : ``ConfigError`` (jamais une
        table de zéros par erreur de filtre)."""
        check_ventilation(self.obs, dimension, dispositif, annee)
        table = {}
        for code in self.obs.quartiers["code"]:
            ev = self.evenements(code, dispositif, annee)
            pres = self.obs.presences[self.obs.presences["evenement"].isin(ev["id"])]
            part = rp.participants_par_groupe(ev, pres, self.tranches_exclues)
            part = part[part["dimension"] == dimension].set_index("groupe")["participants"]
            table[code] = part
        frame = pd.DataFrame(table).T.fillna(0).round()
        frame.columns = [rp.GROUP_LABELS.get(c, c) for c in frame.columns]
        return mask_small_cells(frame, self.seuil)

    # ------------------------------------------------------------------ figures
    def figure_tendance(
        self, periode: str = "trimestre", quartier: str | None = None, dispositif: str | None = None
    ) -> Figure:
        """Graphique de tendance (texte alternatif : ``alt_text(fig)``)."""
        where = f" — {self._label(quartier)}" if quartier else ""
        titre = f"Participants par {periode.replace('annee', 'année')}{where}"
        return views.trend_chart(
            self.tendance(periode, quartier, dispositif), titre, self.obs.fictif
        )

    def figure_representativite(
        self, quartier: str | None = None, dispositif: str | None = None
    ) -> Figure:
        """Graphique de représentativité (petits effectifs masqués)."""
        where = self._label(quartier) if quartier else "ensemble des quartiers"
        what = f", {dispositif}" if dispositif else ""
        titre = f"Qui participe ? {where}{what}"
        return views.representativeness_chart(
            self.representativite(quartier, dispositif), titre, self.obs.fictif
        )

    def _label(self, code: str) -> str:
        return f"{self._territory_names.get(code, code)} ({code})"
