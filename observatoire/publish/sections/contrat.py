"""Sections « contrat de ville » : celle du tableau de bord et celles du rapport d'évaluation.

Les montants viennent de ``obs.contrat`` (euros exacts) ; un périmètre communal
restreint le rapport aux actions qui ciblent au moins un quartier de la commune.

Exemple ::

    p = periode(obs, 2022, 2024, None)
    show(programmation(obs, p))
    show(quartier_contrat(obs, q))        # section du tableau de bord
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from observatoire.errors import ObservatoireError
from observatoire.publish import blocks, credits, narrative
from observatoire.publish.sections import Blocks, absent, cached, fictif_suffix, quartiers
from observatoire.publish.sections.groupe import comparaison
from observatoire.views.format import format_euros, format_number, format_percent

STATUS_LABELS = {
    "depose": "déposé",
    "instruit": "instruit",
    "accorde": "accordé",
    "refuse": "refusé",
    "solde": "soldé",
    "abandonne": "abandonné",
}
MAX_ROWS = 10  # actions listées dans le tableau de bord (les plus grosses parts)


@dataclass(frozen=True)
class Periode:
    """Années et périmètre du rapport d'évaluation."""

    debut: int
    fin: int
    perimetre: str | None
    perimetre_nom: str | None

    @property
    def annees(self) -> list[int]:
        return list(range(self.debut, self.fin + 1))

    @property
    def libelle(self) -> str:
        where = f" — {self.perimetre_nom}" if self.perimetre_nom else ""
        return f"{self.debut}–{self.fin}{where}"


class PerimetreView:
    """Le territoire restreint aux quartiers d'une commune (mêmes attributs que ``obs``)."""

    def __init__(self, obs: Any, commune: str) -> None:
        from observatoire.analysis.gaps import split_communes

        self._obs = obs
        quartiers = obs.quartiers
        keep = quartiers["communes"].map(lambda t: commune in split_communes(t))
        self.quartiers = quartiers[keep].reset_index(drop=True)
        codes = set(self.quartiers["code"])
        self.cibles = obs.cibles[obs.cibles["quartier"].isin(codes)]
        self.actions = obs.actions[obs.actions["id"].isin(self.cibles["action"])]
        self.financements = obs.financements[obs.financements["action"].isin(self.actions["id"])]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obs, name)


def contrat_api(obs: Any, p: Periode | None = None) -> Any:
    """``obs.contrat``, ou la même API sur le périmètre communal de ``p``."""
    if p is None or not p.perimetre:
        return obs.contrat
    from observatoire.api.contrat import ContratAPI

    return ContratAPI(PerimetreView(obs, p.perimetre))


def periode(obs: Any, debut: int | None, fin: int | None, perimetre: str | None) -> Periode:
    """Valide la période (années de programmation présentes par défaut) et le périmètre."""
    years = obs.contrat.annees if len(obs.actions) else []
    today = date.today().year
    debut = int(debut) if debut is not None else (min(years) if years else today)
    fin = int(fin) if fin is not None else (max(years) if years else today)
    if debut > fin:
        raise ObservatoireError(f"Période invalide : début {debut} postérieur à la fin {fin}")
    nom = None
    if perimetre:
        t = obs.territoires
        row = t[(t["niveau"] == "commune") & (t["code"] == str(perimetre))]
        if row.empty:
            raise ObservatoireError(
                f"Périmètre inconnu : commune « {perimetre} » absente des territoires"
            )
        nom = str(row["nom"].iloc[0])
    return Periode(debut, fin, str(perimetre) if perimetre else None, nom)


def entete(obs: Any, p: Periode) -> Blocks:
    """Bloc méta du rapport d'évaluation."""
    return [
        blocks.meta(
            f"Évaluation du contrat de ville {p.debut}–{p.fin}",
            entete=f"Contrat de ville — {p.libelle}",
            sous_titre=obs.config.territoire.nom + (f" — périmètre : {p.perimetre_nom}" if p.perimetre_nom else ""),
            territoire=obs.config.territoire.nom,
            fictif=bool(obs.fictif),
            debut=p.debut,
            fin=p.fin,
            perimetre=p.perimetre,
            display=False,
        )
    ]  # fmt: skip


def _source(api: Any, obs: Any) -> str:
    names = sorted(set(api.obs.actions["source"].dropna())) if len(api.obs.actions) else []
    label = credits.named_sources(obs.config, names)  # producteurs déclarés, sinon noms
    return "Programmation du contrat de ville (" + label + ")" + fictif_suffix(obs)


def _years_source(api: Any, obs: Any, years: list[int]) -> str:
    """Source d'une figure : fichiers de programmation et années couvertes."""
    present = sorted(set(years) & set(api.annees)) or sorted(years)
    span = f"{present[0]}–{present[-1]}" if len(present) > 1 else str(present[0])
    return (
        _source(api, obs).replace(fictif_suffix(obs), "")
        + f", programmation {span}"
        + fictif_suffix(obs)
    )


def _no_actions(obs: Any, api: Any, p: Periode | None = None) -> str | None:
    if obs.actions.empty:
        return "Aucune programmation du contrat de ville n'est déclarée dans la configuration."
    if p is not None and not set(api.annees) & set(p.annees):
        return f"Aucune action programmée entre {p.debut} et {p.fin} sur ce périmètre."
    return None


def _amounts(frame: pd.DataFrame, label: str, header: str) -> pd.DataFrame:
    out = pd.DataFrame({header: frame[label].fillna("non renseigné").astype(str)})
    if "actions" in frame:
        out["Actions"] = [format_number(v) for v in frame["actions"]]
    for col, name in (("demande", "Demandé"), ("accorde", "Accordé"), ("verse", "Versé")):
        if col in frame:
            out[name] = [format_euros(v) for v in frame[col]]
    return out


def programmation(obs: Any, p: Periode) -> Blocks:
    """Chiffres clés, programmation par année et par pilier."""
    api = contrat_api(obs, p)
    if msg := _no_actions(obs, api, p):
        return absent(msg)
    s = api.synthese(p.annees)
    items = [
        ("Actions programmées", format_number(s["actions"])),
        ("Porteurs", format_number(s["porteurs"])),
        ("Montant demandé", format_euros(s["demande"])),
        ("Montant accordé", format_euros(s["accorde"])),
        ("Montant versé", format_euros(s["verse"])),
        ("Taux de refus (dossiers)", format_percent(s["taux_refus"])),
    ]
    src = _source(api, obs)
    out: Blocks = [blocks.chiffres_cles(items, source=src, display=False)]
    if s.get("non_relies"):
        out.append(blocks.texte(
            f"{format_number(s['non_relies'])} action(s) ne sont reliées à aucun quartier : "
            "elles comptent dans les totaux mais pas dans la répartition par quartier.",
            display=False,
        ))  # fmt: skip
    by_year = api.totaux("annee", p.annees)
    out.append(blocks.tableau(_amounts(by_year, "annee", "Année"),
                              legende="Programmation par année", source=src, display=False))  # fmt: skip
    by_pilier = api.totaux("pilier", p.annees)
    out.append(
        blocks.figure(
            api.figure_montants("pilier", p.annees),
            source=_years_source(api, obs, p.annees),
            display=False,
        )
    )
    out.append(blocks.tableau(_amounts(by_pilier, "pilier", "Pilier"),
                              legende="Programmation par pilier", source=src, display=False))  # fmt: skip
    return out


def financements(obs: Any, p: Periode) -> Blocks:
    """Montants par financeur, effet levier, exécution, concentration des porteurs."""
    api = contrat_api(obs, p)
    if msg := _no_actions(obs, api, p):
        return absent(msg)
    src = _source(api, obs)
    out: Blocks = [
        blocks.figure(
            api.figure_montants("financeur", p.annees),
            source=_years_source(api, obs, p.annees),
            display=False,
        )
    ]
    table = _amounts(api.totaux("financeur", p.annees), "financeur", "Financeur")
    out.append(blocks.tableau(table, legende="Montants par financeur", source=src, display=False))
    s = api.synthese(p.annees)
    sentences = []
    if s.get("effet_levier") is not None and s["effet_levier"] == s["effet_levier"]:
        sentences.append(
            f"Effet levier : {format_number(s['effet_levier'], 2)} € de cofinancements accordés "
            "par euro de crédits de l'État au titre de la politique de la ville."
        )
    if s.get("taux_execution") is not None and s["taux_execution"] == s["taux_execution"]:
        sentences.append(
            f"Taux d'exécution : {format_percent(s['taux_execution'])} du montant accordé a été "
            "versé (lignes dont le versement est connu)."
        )
    conc = api.concentration(10, None, p.annees)
    if len(conc) and pd.notna(conc["part_premiers"].iloc[0]):
        row = conc.iloc[0]
        sentences.append(
            f"Les 10 premiers porteurs (sur {format_number(row['porteurs'])}) reçoivent "
            f"{format_percent(row['part_premiers'])} des montants accordés (indice de "
            f"Herfindahl : {format_number(row['herfindahl'], 3)}, soit l'équivalent de "
            f"{format_number(row['porteurs_equivalents'])} porteurs de même poids)."
        )
    if sentences:
        out.append(blocks.texte(*sentences, display=False))
    return out


def repartition(obs: Any, p: Periode) -> Blocks:
    """Euros accordés par habitant et par quartier, et leur dispersion."""
    api = contrat_api(obs, p)
    if msg := _no_actions(obs, api, p):
        return absent(msg)
    table = api.euros_par_habitant(p.annees)
    if table.empty:
        return absent("Aucun quartier n'est ciblé par les actions de la période.")
    out: Blocks = [
        blocks.figure(
            api.figure_euros_par_habitant(p.annees),
            source=_years_source(api, obs, p.annees),
            display=False,
        )
    ]
    t = table.sort_values("euros_par_habitant", ascending=False, na_position="last")
    frame = pd.DataFrame(
        {
            "Quartier": [f"{n} ({q})" for n, q in zip(t["nom"], t["quartier"], strict=True)],
            "Montant accordé attribué": [format_euros(v) for v in t["montant"]],
            "Population": [format_number(v) for v in t["population"]],
            "Euros par habitant": [format_euros(v, 2) for v in t["euros_par_habitant"]],
        }
    )
    out.append(blocks.tableau(frame, legende="Euros accordés par habitant, par quartier",
                              source=_source(api, obs), display=False))  # fmt: skip
    d = api.dispersion(p.annees)
    if d.get("n", 0) >= 2:
        out.append(blocks.texte(
            f"De {format_euros(d['minimum'], 2)} à {format_euros(d['maximum'], 2)} par habitant "
            f"selon les quartiers (médiane {format_euros(d['mediane'], 2)}, coefficient de "
            f"variation {format_percent(d['coefficient_variation'])}).",
            display=False,
        ))  # fmt: skip
    return out


def besoins_moyens(obs: Any, p: Periode) -> Blocks:
    """Euros par habitant face au besoin : corrélation et quartiers sous-dotés."""
    api = contrat_api(obs, p)
    if msg := _no_actions(obs, api, p):
        return absent(msg)
    table, summary = api.besoins_moyens(p.annees)
    if summary.get("n", 0) < 3:
        return absent("Moins de trois quartiers ont à la fois un besoin mesuré et des moyens : "
                      "la comparaison n'est pas calculable.")  # fmt: skip
    out: Blocks = [
        blocks.figure(
            api.figure_besoins_moyens(p.annees),
            source=_years_source(api, obs, p.annees),
            display=False,
        )
    ]
    sentences = [
        f"Sur {summary['n']} quartiers, la corrélation entre le besoin et les euros par habitant "
        f"est de {format_number(summary['pearson'], 2)} (Pearson) et "
        f"{format_number(summary['spearman'], 2)} (Spearman, sur les rangs)."
    ]
    if summary.get("noms_sous_dotes"):
        sentences.append(
            "Quartiers nettement sous-dotés au regard de leur besoin : "
            + narrative.enumeration(summary["noms_sous_dotes"]) + "."
        )  # fmt: skip
    else:
        sentences.append("Aucun quartier n'est nettement sous-doté au regard de son besoin.")
    if summary.get("noms_exclus"):
        sentences.append(
            "Exclus faute de données : " + narrative.enumeration(summary["noms_exclus"]) + "."
        )
    out.append(blocks.texte(*sentences, display=False))
    return out


def ordinal(n: int) -> str:
    """Ordinal abrégé français : ``1er``, ``2e``.

    >>> ordinal(1), ordinal(2)
    ('1er', '2e')
    """
    return "1er" if n == 1 else f"{n}e"


def quartier_contrat(obs: Any, q: Any) -> Blocks:
    """Section du tableau de bord : actions ciblant le quartier, €/habitant, piliers, comparaison."""
    api = obs.contrat
    if msg := _no_actions(obs, api):
        return absent(msg)
    acts = api.actions_quartier(q.code)
    if acts.empty:
        return absent("Aucune action de la programmation ne cible ce quartier.")
    years = api.annees
    src = _source(api, obs)
    per_hab = cached(obs, "euros_par_habitant", lambda: api.euros_par_habitant(years))
    mine = per_hab[per_hab["quartier"] == q.code]
    known = per_hab["euros_par_habitant"].dropna()
    sentences = [
        f"{format_number(len(acts))} actions de la programmation {years[0]}–{years[-1]} ciblent "
        f"le quartier ; la part qui lui est attribuée totalise "
        f"{format_euros(acts['accorde_quartier'].dropna().sum())} accordés."
    ]
    if len(mine) and pd.notna(mine["euros_par_habitant"].iloc[0]):
        value = float(mine["euros_par_habitant"].iloc[0])
        rank = int((known > value).sum()) + 1
        sentences.append(
            f"Soit {format_euros(value, 2)} par habitant, au {ordinal(rank)} rang sur {len(known)} quartiers "
            f"(médiane des quartiers : {format_euros(known.median(), 2)})."
        )  # fmt: skip
    out: Blocks = [blocks.texte(*sentences, display=False)]
    piliers = acts.assign(pilier=acts["pilier"].fillna("non renseigné"))
    grouped = piliers.groupby("pilier", sort=True).agg(
        actions=("id", "nunique"), montant=("accorde_quartier", lambda s: s.dropna().sum())
    )
    frame = pd.DataFrame({
        "Pilier": grouped.index.astype(str),
        "Actions": [format_number(v) for v in grouped["actions"]],
        "Accordé (part du quartier)": [format_euros(v) for v in grouped["montant"]],
    })  # fmt: skip
    out.append(
        blocks.tableau(
            frame, legende="Actions ciblant le quartier, par pilier", source=src, display=False
        )
    )
    # Même figure pour tous les quartiers d'un groupe de comparaison (tout le territoire,
    # ou son voisinage à l'échelle nationale) : calculée une fois par groupe.
    groupe = comparaison(obs, q)
    codes = None if len(groupe.codes) == len(quartiers(obs)) else groupe.codes
    out.append(
        cached(
            obs,
            ("figure_euros_par_habitant", codes),
            lambda: blocks.figure(
                api.figure_euros_par_habitant(years, codes=codes),
                source=_years_source(api, obs, years),
                display=False,
            ),
        )
    )
    top = acts.sort_values("accorde_quartier", ascending=False, na_position="last").head(MAX_ROWS)
    listing = pd.DataFrame({
        "Action": top["intitule"].astype(str),
        "Année": top["annee"].astype(str),
        "Porteur": top["porteur"].fillna("non renseigné").astype(str),
        "Pilier": top["pilier"].fillna("non renseigné").astype(str),
        "Statut": [STATUS_LABELS.get(s, s) for s in top["statut"]],
        "Accordé (part du quartier)": [format_euros(v) for v in top["accorde_quartier"]],
    })  # fmt: skip
    more = len(acts) - len(top)
    legend = "Principales actions ciblant le quartier" + (
        f" ({more} autres non listées)" if more > 0 else ""
    )
    out.append(blocks.tableau(listing, legende=legend, source=src, display=False))
    return out


def sources(obs: Any, p: Periode) -> Blocks:
    """Fichiers de programmation utilisés (années, actions) et bloc de provenance."""
    out: Blocks = []
    api = contrat_api(obs, p)
    a = api.obs.actions
    if len(a):
        a = a[a["annee"].isin(p.annees)]
        rows = [
            [str(src), ", ".join(str(int(y)) for y in sorted(part["annee"].unique())),
             format_number(len(part))]
            for src, part in a.groupby("source", sort=True)
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=["Source (configuration)", "Années", "Actions"])
        out.append(blocks.tableau(frame, legende="Fichiers de programmation utilisés",
                                  source=obs.config.path.name + fictif_suffix(obs), display=False))  # fmt: skip
    params = {"debut": p.debut, "fin": p.fin, "perimetre": p.perimetre}
    out.append(blocks.provenance(obs, display=False, **params))
    return out
