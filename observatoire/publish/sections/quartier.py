"""Sections indicateurs du tableau de bord d'un quartier (``dashboard_quartier.ipynb``).

Portrait, position parmi les quartiers, écarts aux références, évolution, sources. Chaque fonction renvoie
une liste de blocs ; une section sans données renvoie une phrase.

Exemple ::

    q = contexte(obs, "QN00001A", None)      # millésime le plus récent
    show(portrait(obs, q))
    show(position(obs, q))                   # rang, médiane, ensemble des quartiers
    show(ecarts(obs, q))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from observatoire.errors import ObservatoireError
from observatoire.publish import blocks, credits, narrative
from observatoire.publish.sections import (
    Blocks,
    absent,
    cached,
    catalogue_index,
    fictif_suffix,
    quartiers,
    territory_names,
)
from observatoire.publish.sections.evolution import (  # noqa: F401 — tableau.evolution (notebook)
    EVOLUTION_INDICATORS,
    evolution,
)
from observatoire.publish.sections.groupe import comparaison
from observatoire.publish.sections.position import (  # noqa: F401 — tableau.position (notebook)
    has_references,
    position,
    territory_has_references,
)
from observatoire.views.format import format_points, format_value

KEY_INDICATORS = (
    "population",
    "taux_pauvrete",
    "revenu_median_uc",
    "taux_emploi",
    "part_familles_monoparentales",
    "part_logements_sociaux",
)
GAP_REFERENCES = ("commune", "epci", "departement", "france", "ensemble_qpv")
NO_REFERENCES = (
    "Aucune valeur de territoire de référence n'a été fournie (commune, intercommunalité, "
    "département, France, ensemble des quartiers prioritaires) : les écarts ne sont pas "
    "calculables. Le quartier est situé parmi les quartiers du territoire dans le portrait "
    "(rang, médiane des quartiers, ensemble des quartiers)."
)
SYNTHESE_REFERENCES = ("commune", "france")  # références par défaut de ``synthese``
SHARED_INDEXES = ("_gap_positions", "_code_positions", "_by_indicator", "_years", "_names",
                  "_known_quartiers", "_rank_positions", "_medians",
                  "_aggregate_index")  # fmt: skip


@dataclass(frozen=True)
class Quartier:
    """Le quartier du tableau de bord et le millésime retenu."""

    code: str
    nom: str
    communes: tuple[str, ...]  # codes
    communes_noms: tuple[str, ...]
    millesime: int | None
    fictif: bool


def gap_table(obs: Any) -> pd.DataFrame:
    """Écarts de tous les quartiers à leurs références (calculés une fois par ``obs.indicateurs``)."""
    return obs.indicateurs.ecarts()


def prepare(obs: Any) -> None:
    """Précalcule ce que partagent les tableaux de bord (avant de forker un processus par
    rapport) : écarts de tous les quartiers, euros par habitant et sa figure."""
    from observatoire.publish.sections import carte, contrat, participation

    api = obs.indicateurs
    credits.prepare(obs)  # producteurs déclarés de chaque indicateur × millésime
    carte.map_years(obs)  # millésimes des valeurs des quartiers (indicateur de la carte)
    api.annees_ecarts()  # écarts de tous les quartiers (et leurs millésimes)
    api.dispersion(None, SYNTHESE_REFERENCES)  # échelle des synthèses (tous les quartiers)
    for name in SHARED_INDEXES:
        getattr(api, name)  # index partagés par les tableaux de bord (calculés une fois)
    if len(obs.evenements):
        obs.participation._event_positions  # noqa: B018 — événements de chaque quartier
        participation.sheets_source(obs)
    if len(quartiers(obs)) and len(obs.actions):
        q = contexte(obs, None, None)
        contrat.quartier_contrat(obs, q)


def _split(text: object) -> tuple[str, ...]:
    from observatoire.analysis.gaps import split_communes

    return tuple(split_communes(text))


def contexte(obs: Any, quartier: str | None, millesime: int | None) -> Quartier:
    """Valide le code du quartier et choisit le millésime (le plus récent si ``None``)."""
    table = quartiers(obs)
    if table.empty:
        raise ObservatoireError("Aucun quartier prioritaire n'est déclaré dans ce territoire.")
    code = str(quartier) if quartier else str(table["code"].iloc[0])
    row = table[table["code"] == code]
    if row.empty:
        known = ", ".join(table["code"].head(10))
        raise ObservatoireError(
            f"Quartier inconnu : « {code} » (quartiers de la génération "
            f"{obs.config.territoire.generation} : {known}…)"
        )
    row = row.iloc[0]
    years = obs.indicateurs.code_values(code)["annee"]
    if millesime is None:
        millesime = int(years.max()) if len(years) else None
    elif len(years) and int(millesime) not in set(years.astype(int)):
        available = ", ".join(str(y) for y in sorted(set(years.astype(int))))
        raise ObservatoireError(
            f"Millésime {millesime} absent pour {code} (millésimes disponibles : {available})"
        )
    communes = _split(row["communes"])
    names = territory_names(obs)
    communes_noms = _split(row.get("noms_communes")) or tuple(  # noms seuls : gardés
        str(names.get(("commune", c), c)) for c in communes
    )
    return Quartier(code, str(row["nom"]), communes, communes_noms, millesime, bool(obs.fictif))


def entete(obs: Any, q: Quartier) -> Blocks:
    """Bloc méta : titre, en-tête de page (quartier + millésime), mention « Données fictives »."""
    millesime = f"millésime {q.millesime}" if q.millesime else "millésime non disponible"
    lieu = f" — {d}" if (d := obs.departements_du_quartier(q.code)) else ""  # nom du COG
    return [
        blocks.meta(
            f"Tableau de bord — {q.nom}",
            entete=f"{q.nom} ({q.code}) — {millesime}",
            sous_titre=f"Quartier prioritaire {q.code}{lieu} — {obs.config.territoire.nom}",
            territoire=obs.config.territoire.nom,
            fictif=q.fictif,
            quartier=q.code,
            millesime=q.millesime,
            display=False,
        )
    ]


def _source(obs: Any, indicateur: str, annee: object) -> str:
    return credits.figure_source(obs, indicateur, annee)  # producteurs déclarés, traitement


def latest_values(obs: Any, code: str, millesime: int | None) -> pd.DataFrame:
    """Dernière valeur de chaque indicateur pour ``code`` au plus tard au ``millesime``."""
    v = obs.indicateurs.code_values(code)
    if millesime is not None:
        v = v[v["annee"] <= millesime]
    if v.empty:
        return v
    v = v.sort_values("annee").drop_duplicates("indicateur", keep="last")
    return v.set_index("indicateur")


def _my_gaps(obs: Any, q: Quartier) -> pd.DataFrame:
    """Écarts du quartier jusqu'au millésime du rapport (lignes indexées par l'API)."""
    t = obs.indicateurs.ecarts(q.code)
    return t[t["annee"] <= q.millesime] if q.millesime is not None and len(t) else t


def _any_gaps_until(obs: Any, millesime: int | None) -> bool:
    """Un quartier au moins a-t-il un écart jusqu'au millésime ?"""
    years = obs.indicateurs.annees_ecarts()
    return bool(years) if millesime is None else any(y <= millesime for y in years)


def _synthese(obs: Any, q: Quartier) -> pd.DataFrame | None:
    """Table de synthèse du quartier (partagée par le portrait et les écarts).

    L'échelle (dispersion entre tous les quartiers) est calculée une fois ; seules les
    lignes du quartier sont reprises ici (même résultat que sur la table entière)."""
    from observatoire.analysis.synthese import synthese

    def compute() -> pd.DataFrame | None:
        if not _any_gaps_until(obs, q.millesime):
            return None
        sd = obs.indicateurs.dispersion(None, SYNTHESE_REFERENCES)
        return synthese(_my_gaps(obs, q), obs.catalogue, q.code, dispersion=sd)

    return cached(obs, f"synthese:{q.code}:{q.millesime}", compute)


def portrait(obs: Any, q: Quartier) -> Blocks:
    """Nom, communes, population et chiffres clés, en phrases écrites depuis la synthèse."""
    values = latest_values(obs, q.code, q.millesime)
    cat = catalogue_index(obs)
    pop = values.loc["population"] if "population" in values.index else None
    population = pop["valeur"] if pop is not None and pop["statut"] == "ok" else None
    syn = _synthese(obs, q)
    out = [
        blocks.texte(
            *narrative.portrait_sentences(
                q.nom,
                q.code,
                q.communes_noms,
                population,
                int(pop["annee"]) if pop is not None else None,
                syn,
            ),
            display=False,
        )
    ]
    items = []
    for ind in KEY_INDICATORS:
        if ind in values.index:
            r = values.loc[ind]
            label = f"{cat['libelle'].get(ind, ind)} ({int(r['annee'])})"
            items.append((label, format_value(r["valeur"], cat["unite"].get(ind), r["statut"])))
    if items:
        producers = sorted(
            {credits.indicator_source(obs, i) for i in KEY_INDICATORS if i in values.index}
        )
        tail = fictif_suffix(obs)
        out.append(blocks.chiffres_cles(items, source="; ".join(producers) + tail, display=False))
    else:
        out.append(
            blocks.absent("Aucun indicateur n'est disponible pour ce quartier.", display=False)
        )
    pyramid_year = _pyramid_year(obs, q)
    if pyramid_year is not None:
        fig = obs.indicateurs.pyramide(q.code, pyramid_year)
        src = credits.figure_source(obs, "pop_hommes_0_14", pyramid_year)
        out.append(blocks.figure(fig, source=src, display=False))
    return out


def _pyramid_year(obs: Any, q: Quartier) -> int | None:
    """Dernier millésime (≤ celui du rapport) où la pyramide des âges du quartier est complète."""
    v = obs.indicateurs.code_values(q.code)
    v = v[v["indicateur"].str.startswith("pop_") & (v["statut"] == "ok")]
    if q.millesime is not None:
        v = v[v["annee"] <= q.millesime]
    counts = v.groupby("annee")["indicateur"].nunique()
    complete = counts[counts >= 12]  # 6 tranches × 2 sexes
    return int(complete.index.max()) if len(complete) else None


def ecarts(obs: Any, q: Quartier, n_graphiques: int = 2) -> Blocks:
    """Graphiques (indicateurs les plus éloignés) et tableau des écarts aux références."""
    from observatoire.analysis.gaps import REFERENCE_LABELS

    mine = _my_gaps(obs, q)
    if not territory_has_references(obs):
        return absent(NO_REFERENCES)
    if mine.empty or not has_references(obs, q):
        return absent(
            "Aucune valeur de ses territoires de référence n'est disponible pour ce quartier : "
            "les écarts ne sont pas calculables ; le quartier est situé parmi les quartiers du "
            "territoire dans le portrait (rang, médiane, ensemble des quartiers)."
        )
    cat = catalogue_index(obs)
    out: Blocks = []
    syn = _synthese(obs, q)
    chosen = list(syn["indicateur"].head(n_graphiques)) if syn is not None else []
    for ind in chosen:
        years = mine.loc[(mine["indicateur"] == ind) & (mine["statut"] == "ok"), "annee"]
        if years.empty:  # valeur du quartier secrète : le tableau le dit, pas de barre vide
            continue
        fig = obs.indicateurs.figure_ecarts(q.code, ind, int(years.max()))
        src = credits.figure_source(obs, ind, int(years.max()))
        out.append(blocks.figure(fig, source=src, display=False))
    if chosen:
        ind = chosen[0]
        annee = int(mine.loc[mine["indicateur"] == ind, "annee"].max())
        out.append(_distribution(obs, q, ind, annee))
    latest = mine[mine["annee"] == mine.groupby("indicateur")["annee"].transform("max")]
    latest = latest[latest["unite"] != "nombre"]
    filled = set(latest.loc[latest["reference_statut"] == "ok", "reference"])
    empty = [r for r in dict.fromkeys(latest["reference"]) if r not in filled]
    latest = latest[latest["reference"].isin(filled)]  # une colonne sans valeur disparaît
    refs = list(dict.fromkeys(latest["reference"]))
    records = []
    order = {ind: i for i, ind in enumerate(cat.index)}  # ordre du catalogue (par thème)
    latest = latest.assign(_o=latest["indicateur"].map(order)).sort_values("_o", kind="stable")
    for ind, part in latest.groupby("indicateur", sort=False):
        unite = cat["unite"].get(ind)
        first = part.iloc[0]
        record = {
            "Indicateur": f"{cat['libelle'].get(ind, ind)} ({int(first['annee'])})",
            "Quartier": format_value(first["valeur"], unite, first["statut"]),
        }
        for r in part.itertuples(index=False):
            ref = format_value(r.reference_valeur, unite, r.reference_statut)
            if pd.notna(r.ecart):
                sign = "+" if r.ecart > 0 else ""
                diff = (
                    format_points(r.ecart) if unite == "%" else sign + format_value(r.ecart, unite)
                )
                ref += f" ({diff})"
            record[REFERENCE_LABELS.get(r.reference, r.reference)] = ref
        records.append(record)
    frame = pd.DataFrame(records)
    columns = ["Indicateur", "Quartier"] + [REFERENCE_LABELS.get(r, r) for r in refs]
    frame = frame.reindex(columns=[c for c in columns if c in frame.columns]).fillna("n.d.")
    producers = sorted({credits.indicator_source(obs, i) for i in latest["indicateur"].unique()})
    out.append(
        blocks.tableau(
            frame,
            legende=(
                "Valeurs du quartier et de ses territoires de référence ; entre parenthèses, "
                "l'écart du quartier à la référence (en points pour un taux)"
            ),
            source="; ".join(producers) + fictif_suffix(obs),
            display=False,
        )
    )
    if empty:
        names = narrative.enumeration([REFERENCE_LABELS.get(r, r) for r in empty])
        out.append(
            blocks.texte(
                f"Aucune valeur n'a été fournie pour ces territoires de référence du quartier : "
                f"{names} (colonnes omises).",
                display=False,
            )
        )
    return out


def _distribution(obs: Any, q: Quartier, indicateur: str, annee: int) -> blocks.Block | None:
    """Valeur de l'indicateur dans les quartiers de comparaison, le quartier mis en évidence."""
    from observatoire.analysis.gaps import REFERENCE_LABELS
    from observatoire.views.charts import distribution_chart

    groupe = comparaison(obs, q)
    v = obs.indicateurs.indicator_values(indicateur)
    rows = v[(v["annee"] == annee) & (v["niveau"] == "qpv")]
    table = quartiers(obs)
    base = table[table["code"].isin(groupe.codes)][["code", "nom"]]
    data = base.merge(rows[["code", "valeur", "statut"]], on="code", how="left")
    data["statut"] = data["statut"].fillna("absent")
    if not (data["statut"] == "ok").any():
        return None  # aucune valeur publiée à comparer : pas de graphique vide
    t = obs.indicateurs.ecarts(q.code)
    t = t[(t["indicateur"] == indicateur) & (t["annee"] == annee)]
    refs = {
        REFERENCE_LABELS[r.reference]: float(r.reference_valeur)
        for r in t.itertuples(index=False)
        if r.reference in ("france", "ensemble_qpv") and r.reference_statut == "ok"
    }
    fig = distribution_chart(
        data, titre=f"{cat_label(obs, indicateur)} dans les {groupe.libelle} ({annee})",
        unite=catalogue_index(obs)["unite"].get(indicateur), selected=q.code,
        source=obs.indicateurs.source(indicateur), annee=annee, fictif=obs.fictif,
        references=refs,
    )  # fmt: skip
    return blocks.figure(fig, source=_source(obs, indicateur, annee), display=False)


def cat_label(obs: Any, indicateur: str) -> str:
    cat = catalogue_index(obs)
    return str(cat["libelle"].get(indicateur, indicateur))


def sources(obs: Any, q: Quartier) -> Blocks:
    """Sources des indicateurs utilisés (producteur, millésimes) et bloc de provenance."""
    v = obs.indicateurs.code_values(q.code)
    out: Blocks = []
    if len(v):
        v = v.assign(producteur=credits.producers_of_sources(obs, v["source"], v["indicateur"]))
        rows = []
        for (producteur, fichier), part in v.groupby(["producteur", "source"], sort=True):
            years = ", ".join(str(int(y)) for y in sorted(part["annee"].unique()))
            rows.append([producteur, fichier, years, str(part["indicateur"].nunique())])
        frame = pd.DataFrame(
            rows, columns=["Producteur", "Source (configuration)", "Millésimes", "Indicateurs"]
        )
        out.append(blocks.tableau(frame, legende="Sources des indicateurs du quartier",
                                  source=obs.config.path.name + fictif_suffix(obs), display=False))  # fmt: skip
    out.append(blocks.provenance(obs, quartier=q.code, millesime=q.millesime, display=False))
    return out
