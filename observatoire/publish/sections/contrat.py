"""Sections « contrat de ville » : celle du tableau de bord et celles du rapport d'évaluation.

Les montants viennent de ``obs.contrat`` (euros exacts) ; un périmètre communal
restreint le rapport aux actions qui ciblent au moins un quartier de la commune.
Chaque section décide d'après les données ce qu'elle peut dire : sans programmation,
*Programmation* le dit une fois et les sections qui en dépendent ne renvoient rien
(leur titre, marqué ``hide_if_empty`` dans le notebook, n'est pas publié).

Exemple ::

    p = periode(obs, 2022, 2024, None)
    show(programmation(obs, p))
    show(quartier_contrat(obs, q))        # section du tableau de bord
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks, narrative
from observatoire.publish.sections import Blocks, absent, fictif_suffix
from observatoire.publish.sections.contrat_common import (
    NO_PROGRAMME,
    STATUS_LABELS,
    PerimetreView,
    Periode,
    amounts,
    contrat_api,
    ordinal,
    periode,
    source,
    span,
    years_source,
)
from observatoire.publish.sections.contrat_quartier import MAX_ROWS, quartier_contrat
from observatoire.views.format import format_euros, format_number, format_percent

__all__ = [
    "MAX_ROWS",
    "STATUS_LABELS", "Periode", "PerimetreView", "besoins_moyens", "contrat_api", "entete",
    "financements", "ordinal", "periode", "programmation", "quartier_contrat", "repartition",
    "sources",
]  # fmt: skip
TOP_PORTEURS = 10


def entete(obs: Any, p: Periode) -> Blocks:
    """Bloc méta du rapport d'évaluation."""
    return [
        blocks.meta(
            f"Évaluation du contrat de ville {p.texte}",
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


def _present(api: Any, p: Periode) -> list[int]:
    return sorted(set(api.annees) & set(p.annees)) if len(api.obs.actions) else []


def _where(p: Periode) -> str:
    return f" sur le périmètre de {p.perimetre_nom}" if p.perimetre_nom else ""


def _published_only(obs: Any, api: Any) -> bool:
    """Toutes les actions viennent de subventions publiées (SCDL) : seuls les accords y sont."""
    kinds = {name: src.type for name, src in obs.config.sources.items()}
    names = set(api.obs.actions["source"].dropna())
    return bool(names) and all(kinds.get(n) == "subventions_scdl" for n in names)


def programmation(obs: Any, p: Periode) -> Blocks:
    """Chiffres clés, programmation par année et par pilier — ou ce qui manque, dit une fois."""
    if obs.actions.empty:
        return absent(
            NO_PROGRAMME + " : ce rapport ne présente ni montants, ni financements, ni "
            "répartition des moyens entre les quartiers."
        )
    api = contrat_api(obs, p)
    present = _present(api, p)
    if not present:
        loaded = span(obs.contrat.annees)
        return absent(
            f"Aucune action programmée {p.entre}{_where(p)} : la programmation chargée "
            f"couvre {loaded}. Les sections sur les financements et la répartition entre "
            "quartiers sont donc sans objet."
        )
    s = api.synthese(p.annees)
    tiles = [
        ("Actions programmées", format_number(s["actions"])),
        ("Porteurs", format_number(s["porteurs"])),
        ("Montant demandé", s["demande"]),
        ("Montant accordé", s["accorde"]),
        ("Montant versé", s["verse"]),
    ]
    items = [(k, v if isinstance(v, str) else format_euros(v)) for k, v in tiles if v is not None]
    published_only = _published_only(obs, api)
    if s["taux_refus"] is not None and s["taux_refus"] == s["taux_refus"] and not published_only:
        items.append(("Taux de refus (dossiers)", format_percent(s["taux_refus"])))
    src = source(api, obs)
    out: Blocks = [blocks.chiffres_cles(items, source=src, display=False)]
    sentences = []
    unknown = [name.lower() for name, v in tiles[2:] if v is None]
    if published_only:
        sentences.append(
            "Les subventions publiées (SCDL) ne recensent que les montants accordés : ni "
            "demandes, ni refus, ni versements."
        )
    elif unknown:
        listed = narrative.enumeration(unknown)
        plural = "s" if len(unknown) > 1 else ""
        sentences.append(
            f"{listed[:1].upper()}{listed[1:]} : non renseigné{plural} dans les fichiers de la "
            "période."
        )
    if s.get("non_relies"):
        sentences.append(
            f"{format_number(s['non_relies'])} action(s) ne sont reliées à aucun quartier : "
            "elles comptent dans les totaux mais pas dans la répartition par quartier."
        )
    missing = [y for y in p.annees if y not in present]
    if len(present) == 1:
        gap = (
            f" (aucune action en {narrative.enumeration([str(y) for y in missing])})"
            if missing
            else ""
        )
        sentences.append(
            f"Un seul exercice de programmation sur la période : {present[0]}{gap}. "
            "L'évolution d'une année sur l'autre n'est pas mesurable."
        )  # fmt: skip
    elif missing:
        sentences.append(
            "Aucune action programmée en " + narrative.enumeration([str(y) for y in missing])
            + " dans les fichiers chargés."
        )  # fmt: skip
    if sentences:
        out.append(blocks.texte(*sentences, display=False))
    if len(present) > 1:
        by_year = api.totaux("annee", p.annees)
        out.append(blocks.tableau(amounts(by_year, "annee", "Année"),
                                  legende="Programmation par année", source=src, display=False))  # fmt: skip
    by_pilier = api.totaux("pilier", p.annees)
    if by_pilier["pilier"].isna().all():
        out.append(blocks.texte("Le pilier n'est renseigné pour aucune action de la période : "
                                "pas de répartition par pilier.", display=False))  # fmt: skip
        return out
    out.append(
        blocks.figure(
            api.figure_montants("pilier", p.annees),
            source=years_source(api, obs, p.annees),
            display=False,
        )
    )
    out.append(blocks.tableau(amounts(by_pilier, "pilier", "Pilier"),
                              legende="Programmation par pilier", source=src, display=False))  # fmt: skip
    return out


def financements(obs: Any, p: Periode) -> Blocks:
    """Montants par financeur, effet levier, exécution, concentration des porteurs.

    Sans action sur la période : rien (*Programmation* l'a dit)."""
    api = contrat_api(obs, p)
    if not _present(api, p):
        return []
    src = source(api, obs)
    out: Blocks = [
        blocks.figure(
            api.figure_montants("financeur", p.annees),
            source=years_source(api, obs, p.annees),
            display=False,
        )
    ]
    table = amounts(api.totaux("financeur", p.annees), "financeur", "Financeur")
    out.append(blocks.tableau(table, legende="Montants par financeur", source=src, display=False))
    s = api.synthese(p.annees)
    sentences = []
    if s.get("effet_levier") is not None and s["effet_levier"] == s["effet_levier"]:
        sentences.append(
            f"Effet levier : {format_number(s['effet_levier'], 2)} € de cofinancements accordés "
            "par euro de crédits de l'État au titre de la politique de la ville."
        )
    else:
        sentences.append(
            "Effet levier non calculable : aucune action accordée de la période ne reçoit de "
            "crédits de l'État au titre de la politique de la ville."
        )
    if s.get("taux_execution") is not None and s["taux_execution"] == s["taux_execution"]:
        sentences.append(
            f"Taux d'exécution : {format_percent(s['taux_execution'])} du montant accordé a été "
            "versé (lignes dont le versement est connu)."
        )
    else:
        sentences.append(
            "Taux d'exécution non calculable : aucun montant versé n'est renseigné pour les "
            "actions accordées de la période."
        )
    if sentence := _concentration(api, p):
        sentences.append(sentence)
    out.append(blocks.texte(*sentences, display=False))
    return out


def _concentration(api: Any, p: Periode) -> str | None:
    conc = api.concentration(TOP_PORTEURS, None, p.annees)
    if not len(conc) or pd.isna(conc["part_premiers"].iloc[0]):
        return None
    row = conc.iloc[0]
    n = int(row["porteurs"])
    hhi = (
        f"indice de Herfindahl : {format_number(row['herfindahl'], 3)}, soit l'équivalent de "
        f"{format_number(row['porteurs_equivalents'])} "
        f"porteur{'s' if round(float(row['porteurs_equivalents'])) > 1 else ''} de même poids"
    )
    if n == 1:
        return "Un seul porteur reçoit la totalité des montants accordés de la période."
    if n <= TOP_PORTEURS:
        return f"Les montants accordés se répartissent entre {n} porteurs ({hhi})."
    return (
        f"Les {TOP_PORTEURS} premiers porteurs (sur {format_number(n)}) reçoivent "
        f"{format_percent(row['part_premiers'])} des montants accordés ({hhi})."
    )


def repartition(obs: Any, p: Periode) -> Blocks:
    """Euros accordés par habitant et par quartier, leur dispersion, les quartiers sans action."""
    api = contrat_api(obs, p)
    if not _present(api, p):
        return []
    table = api.euros_par_habitant(p.annees)
    if table.empty:
        return absent("Aucun quartier prioritaire n'est connu sur ce périmètre.")
    known = table[table["euros_par_habitant"].notna()]
    out: Blocks = []
    if len(known) >= 2:
        out.append(
            blocks.figure(
                api.figure_euros_par_habitant(p.annees),
                source=years_source(api, obs, p.annees),
                display=False,
            )
        )
    t = table.sort_values("euros_par_habitant", ascending=False, na_position="last")
    frame = pd.DataFrame(
        {
            "Quartier": [f"{n} ({q})" for n, q in zip(t["nom"], t["quartier"], strict=True)],
            "Montant accordé attribué": [format_euros(v) for v in t["montant"]],
        }
    )
    if len(known):
        frame["Population"] = [format_number(v) for v in t["population"]]
        frame["Euros par habitant"] = [format_euros(v, 2) for v in t["euros_par_habitant"]]
    out.append(blocks.tableau(frame, legende="Euros accordés par habitant, par quartier"
                              if len(known) else "Montants accordés attribués, par quartier",
                              source=source(api, obs), display=False))  # fmt: skip
    sentences = []
    nothing = t[t["montant"].fillna(0) == 0]["nom"].astype(str).tolist()
    if nothing:
        who = (
            nothing[0] if len(nothing) == 1 else "ces quartiers : " + narrative.enumeration(nothing)
        )
        sentences.append(f"Aucune action accordée de la période ne cible {who} (0 € attribué).")
    if known.empty:
        sentences.append("La population des quartiers n'est pas connue (indicateur population) : "
                         "les euros par habitant ne sont pas calculables.")  # fmt: skip
    elif len(known) < len(table):
        unknown = t[t["euros_par_habitant"].isna()]["nom"].astype(str).tolist()
        sentences.append("Population inconnue, euros par habitant non calculés : "
                         + narrative.enumeration(unknown) + ".")  # fmt: skip
    d = api.dispersion(p.annees)
    if d.get("n", 0) >= 2:
        sentences.append(
            f"De {format_euros(d['minimum'], 2)} à {format_euros(d['maximum'], 2)} par habitant "
            f"selon les quartiers (médiane {format_euros(d['mediane'], 2)}, coefficient de "
            f"variation {format_percent(d['coefficient_variation'])})."
        )
    if sentences:
        out.append(blocks.texte(*sentences, display=False))
    return out


def besoins_moyens(obs: Any, p: Periode) -> Blocks:
    """Euros par habitant face au besoin : corrélation et quartiers sous-dotés."""
    api = contrat_api(obs, p)
    if not _present(api, p):
        return []
    table, summary = api.besoins_moyens(p.annees)
    if summary.get("n", 0) < 3:
        n = summary.get("n", 0)
        excluded = summary.get("noms_exclus") or []
        why = (
            (" (besoin non mesuré pour " + narrative.enumeration(excluded) + ")")
            if excluded
            else ""
        )
        return absent(f"Seuls {n} quartier(s) ont à la fois un besoin mesuré et des euros par "
                      f"habitant calculés{why} : il en faut au moins trois pour confronter "
                      "besoins et moyens.")  # fmt: skip
    out: Blocks = [
        blocks.figure(
            api.figure_besoins_moyens(p.annees),
            source=years_source(api, obs, p.annees),
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


def sources(obs: Any, p: Periode) -> Blocks:
    """Fichiers utilisés (programmation, participation) et bloc de provenance."""
    out: Blocks = []
    api = contrat_api(obs, p)
    a = api.obs.actions
    a = a[a["annee"].isin(p.annees)] if len(a) else a
    if len(a):
        out.append(blocks.texte(
            "Les montants sont calculés en centimes exacts à partir des fichiers de programmation "
            "déclarés dans la configuration, lus sans modification.", display=False))  # fmt: skip
        rows = [
            [str(src), ", ".join(str(int(y)) for y in sorted(part["annee"].unique())),
             format_number(len(part))]
            for src, part in a.groupby("source", sort=True)
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=["Source (configuration)", "Années", "Actions"])
        out.append(blocks.tableau(frame, legende="Fichiers de programmation utilisés",
                                  source=obs.config.path.name + fictif_suffix(obs), display=False))  # fmt: skip
    if len(obs.evenements):
        out.append(blocks.texte(
            "Les effectifs de participation viennent des feuilles de suivi déclarées dans la "
            "configuration ; les petits effectifs de personnes sont masqués.", display=False))  # fmt: skip
    params = {"debut": p.debut, "fin": p.fin, "perimetre": p.perimetre}
    out.append(blocks.provenance(obs, display=False, **params))
    return out
