"""Graphiques et cartes de ``obs.indicateurs`` (méthodes de :class:`IndicatorsAPI`).

Séparés de :mod:`observatoire.api.indicateurs` (analyses) ; ils s'appuient sur les
mêmes index (valeurs par indicateur, par code, écarts par quartier).

Exemple ::

    fig = obs.indicateurs.figure_ecarts("QN00001A", "taux_pauvrete")
    obs.indicateurs.carte("taux_pauvrete", surligner="QN00001A")   # folium, hors ligne
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from observatoire.analysis import evolution, gaps
from observatoire.errors import ConfigError
from observatoire.views import charts
from observatoire.views.palette import classify

PYRAMID_BANDS = ("0_14", "15_29", "30_44", "45_59", "60_74", "75_plus")


class FiguresMixin:
    """Graphiques et cartes (mélangés à :class:`~observatoire.api.indicateurs.IndicatorsAPI`)."""

    # ------------------------------------------------------------------ graphiques
    def figure_ecarts(self, quartier: str, indicateur: str, annee: int | None = None):
        """Barres : le quartier face à ses références pour un indicateur et un millésime."""
        libelle, unite = self._info(indicateur)
        annee = self.annee_valide(indicateur, annee)
        t = self.ecarts(quartier, annee, [indicateur])
        if t.empty:
            raise ConfigError(f"Pas de valeur de « {indicateur} » en {annee} pour {quartier}.")
        first = t.iloc[0]
        rows = [
            {"territoire": self.nom(quartier), "valeur": first["valeur"], "statut": first["statut"]}
        ]
        for r in t.itertuples(index=False):
            label = gaps.REFERENCE_LABELS.get(r.reference, r.reference)
            name = (
                r.reference_nom if r.reference in ("commune", "epci") and r.reference_nom else label
            )
            rows.append(
                {"territoire": name, "valeur": r.reference_valeur, "statut": r.reference_statut}
            )
        return charts.gap_chart(
            pd.DataFrame(rows), titre=f"{libelle} : {self.nom(quartier)} et ses références",
            unite=unite, source=self.source(indicateur), annee=annee, fictif=self.obs.fictif,
        )  # fmt: skip

    def figure_evolution(
        self, quartier: str, indicateur: str, references: Sequence[str] = ("commune", "france")
    ):
        """Courbes : le quartier (millésimes 2015 marqués) et ses références."""
        libelle, unite = self._info(indicateur)
        s = self.serie(quartier, indicateur)
        dropped = s.loc[~s["comparable"], "relation"].dropna().unique().tolist()
        s = s[s["comparable"]]
        lines = [
            s.assign(territoire=self.nom(quartier))[
                ["territoire", "annee", "valeur", "statut", "traverse_geographie"]
            ]
        ]
        t = self.ecarts(quartier, indicateurs=[indicateur])
        for ref in references:
            part = t[t["reference"] == ref]
            if part.empty:
                continue
            label = part["reference_nom"].iloc[0] or gaps.REFERENCE_LABELS.get(ref, ref)
            lines.append(pd.DataFrame({
                "territoire": label, "annee": part["annee"], "valeur": part["reference_valeur"],
                "statut": part["reference_statut"], "traverse_geographie": False,
            }))  # fmt: skip
        notes = []
        if dropped:
            notes.append(
                "Millésimes de la géographie précédente non repris : quartier non comparable "
                f"(relation : {', '.join(dropped)})."
            )
        if indicateur in evolution.INCOME_INDICATORS:
            notes.append(
                "Évolutions locales de revenus et de pauvreté : à interpréter avec prudence (INSEE)."
            )
        note = " ".join(notes) or None
        return charts.evolution_chart(
            pd.concat(lines, ignore_index=True), titre=f"{libelle} : évolution, {self.nom(quartier)}",
            unite=unite, source=self.source(indicateur), fictif=self.obs.fictif, note=note,
        )  # fmt: skip

    def _pyramid_counts(self, codes: list[str], annee: int) -> pd.DataFrame:
        v = self.values_of(codes)  # lignes de ces codes, ordre de la table : mêmes sommes
        v = v[v["annee"] == annee]
        by_indicator = dict(iter(v.groupby("indicateur", sort=False)))
        rows = []
        for band in PYRAMID_BANDS:
            row = {"tranche": charts.AGE_LABELS[band]}
            for sex in ("hommes", "femmes"):
                sel = by_indicator.get(f"pop_{sex}_{band}", v.iloc[:0])
                ok = sel["statut"].eq("ok")
                complete = len(sel) == len(codes) and ok.all()
                row[sex] = float(sel["valeur"].sum()) if complete else float("nan")
            rows.append(row)
        return pd.DataFrame(rows)

    def pyramide(self, quartier: str, annee: int | None = None, reference: str | None = "commune"):
        """Pyramide des âges du quartier (en %), contour de sa ou ses communes."""
        quartier = self.verifier_quartier(quartier)
        annee = self.annee_valide("pop_hommes_0_14", annee)
        p = self._pyramid_counts([quartier], annee)
        ref, ref_name = None, None
        if reference == "commune":
            q = self.obs.territoires
            communes = gaps.split_communes(q.loc[q["code"] == quartier, "communes"].iloc[0])
            if communes:
                ref = self._pyramid_counts(communes, annee)
                ref_name = " et ".join(self.nom(c) for c in communes)
        return charts.age_pyramid(
            p, titre=f"Pyramide des âges : {self.nom(quartier)}", source=self.source("pop_hommes_0_14"),
            annee=annee, fictif=self.obs.fictif, reference=ref, reference_nom=ref_name,
        )  # fmt: skip

    def _map_data(self, indicateur: str, annee: int) -> pd.DataFrame:
        v = self.indicator_values(indicateur)
        rows = v[(v["annee"] == annee) & (v["niveau"] == "qpv")]
        base = self.obs.quartiers[["code", "nom"]]
        data = base.merge(rows[["code", "valeur", "statut"]], on="code", how="left")
        data["statut"] = data["statut"].fillna("absent")
        return data

    def distribution(self, indicateur: str, annee: int | None = None, quartier: str | None = None):
        """Valeurs de tous les quartiers, triées, le quartier choisi mis en évidence."""
        libelle, unite = self._info(indicateur)
        annee = self.annee_valide(indicateur, annee)
        refs = {}
        t = self._gaps[(self._gaps["indicateur"] == indicateur) & (self._gaps["annee"] == annee)]
        for ref in ("france", "ensemble_qpv"):
            part = t[(t["reference"] == ref) & (t["reference_statut"] == "ok")]
            if len(part):
                refs[gaps.REFERENCE_LABELS[ref]] = float(part["reference_valeur"].iloc[0])
        return charts.distribution_chart(
            self._map_data(indicateur, annee), titre=f"{libelle} dans les quartiers ({annee})",
            unite=unite, selected=quartier, source=self.source(indicateur), annee=annee,
            fictif=self.obs.fictif, references=refs,
        )  # fmt: skip

    # ------------------------------------------------------------------ cartes
    def _map_inputs(self, indicateur: str, annee: int | None, classes: int, methode: str):
        libelle, unite = self._info(indicateur)
        annee = self.annee_valide(indicateur, annee)
        data = self._map_data(indicateur, annee)
        ok = data["statut"].eq("ok")
        cls = classify(data.loc[ok, "valeur"], classes, methode, unite)
        c = self.obs.contours
        gen = self.obs.config.territoire.generation
        contours = c[(c["generation"] == gen) | c["code"].isin(self.codes)]
        contours = contours[contours["code"].isin(self.codes)]
        return libelle, unite, annee, data, cls, contours

    def _neighbourhood(self, contours, quartier: str | None, data: pd.DataFrame, cls):
        """Cadrage d'un quartier : lui, sa ou ses communes, les quartiers proches.

        Renvoie ``(contours, communes, cadre, classes)`` ; les classes gardent les bornes du
        territoire (mêmes couleurs sur tous les tableaux de bord), leurs effectifs comptent
        les quartiers montrés. Sans ``quartier`` : tout le territoire, sans cadre."""
        from shapely.geometry import box

        from observatoire.views.maps_scale import focus_frame, grow, lambert

        communes = self.obs.communes_contours
        if quartier is None or contours.empty:
            return contours, communes, None, cls
        t = self.obs.territoires
        row = t.loc[t["code"] == quartier, "communes"]
        mine = gaps.split_communes(row.iloc[0]) if len(row) else []
        c93 = lambert(contours)
        com93 = lambert(communes) if communes is not None and len(communes) else None
        frame = focus_frame(c93, com93, quartier, mine)
        if frame is None:
            return contours, communes, None, cls
        near = c93.intersects(box(*grow(frame, 1.6))).to_numpy()
        contours = contours[near]
        if com93 is not None:
            shown = com93.intersects(box(*grow(frame, 1.2))) | com93["code"].isin(mine)
            communes = communes[shown.to_numpy()]
        kept = data[data["code"].isin(contours["code"]) & data["statut"].eq("ok")]
        idx = [cls.index_of(v) for v in kept["valeur"]]
        cls = replace(cls, counts=[idx.count(i) for i in range(cls.k)])
        return contours, communes, frame, cls

    def carte(
        self,
        indicateur: str,
        annee: int | None = None,
        classes: int = 5,
        methode: str = "jenks",
        surligner: str | None = None,
        tuiles: str | None = None,
        voisinage: str | None = None,
    ):
        """Carte interactive folium, autonome et hors ligne (``tuiles`` : fond en ligne optionnel).

        ``voisinage`` : code d'un quartier à cadrer avec sa ou ses communes et les quartiers
        proches (tableau de bord) ; sinon tout le territoire, avec des cercles aux centres
        des quartiers quand ils sont trop petits pour être vus (échelle régionale)."""
        from observatoire.views.maps_interactive import interactive_map

        libelle, unite, annee, data, cls, contours = self._map_inputs(
            indicateur, annee, classes, methode
        )
        contours, communes, cadre, cls = self._neighbourhood(contours, voisinage, data, cls)
        return interactive_map(
            contours, communes, data, cls, titre=f"{libelle} ({annee})",
            libelle=libelle, unite=unite, source=self.source(indicateur), annee=annee,
            fictif=self.obs.fictif, surligner=surligner, tuiles=tuiles, cadre=cadre,
        )  # fmt: skip

    def carte_statique(
        self,
        indicateur: str,
        annee: int | None = None,
        classes: int = 5,
        methode: str = "jenks",
        surligner: str | None = None,
        etiquettes: bool = True,
        voisinage: str | None = None,
    ):
        """Carte matplotlib pour les présentations (à enregistrer avec ``charts.save_figure``).

        ``voisinage`` : comme pour :meth:`carte`."""
        from observatoire.views.maps_static import static_map

        libelle, unite, annee, data, cls, contours = self._map_inputs(
            indicateur, annee, classes, methode
        )
        contours, communes, cadre, cls = self._neighbourhood(contours, voisinage, data, cls)
        return static_map(
            contours, communes, data, cls, titre=f"{libelle} ({annee})",
            source=self.source(indicateur), annee=annee, fictif=self.obs.fictif,
            etiquettes=etiquettes, surligner=surligner, cadre=cadre,
        )  # fmt: skip

    @staticmethod
    def texte_alternatif(figure) -> str:
        """Texte alternatif RGAA d'une figure ou d'une carte produite par cette API."""
        if hasattr(figure, "obs_description"):
            return str(figure.obs_description)
        return charts.alt_text(figure)
