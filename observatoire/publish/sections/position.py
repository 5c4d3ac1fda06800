"""Position du quartier parmi les quartiers du territoire (``dashboard_quartier.ipynb``).

Présente dans chaque tableau de bord, avec ou sans valeurs de territoires de référence :
rang du quartier (selon le sens de l'indicateur), médiane des quartiers et agrégat pondéré
de l'ensemble des quartiers du territoire (secret exclu, population laissée de côté dite),
tous calculés par :meth:`observatoire.api.indicateurs.IndicatorsAPI.position`.

Exemple ::

    show(position(obs, q))      # aussi exposée par sections.quartier (notebook)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from observatoire.publish import blocks, credits, narrative
from observatoire.publish.sections import Blocks, absent, catalogue_index, fictif_suffix
from observatoire.views.format import format_number, format_value

if TYPE_CHECKING:
    from observatoire.publish.sections.quartier import Quartier

HEADLINE = ("taux_pauvrete", "revenu_median_uc", "taux_emploi", "taux_chomage",
            "part_familles_monoparentales", "part_logements_sociaux", "population")  # fmt: skip
MAX_SENTENCE = 5  # indicateurs cités dans la phrase de classement
LEGEND = (
    "Rang 1 : la situation la plus défavorable selon le sens de l'indicateur (valeur la plus "
    "élevée pour un taux de pauvreté, la plus basse pour un revenu ou un taux d'emploi) ; "
    "pour un indicateur sans sens défavorable (population, part des femmes…), rang 1 : la "
    "valeur la plus élevée. Une valeur sous secret statistique ou absente n'est pas classée."
)


def has_references(obs: Any, q: Quartier) -> bool:
    """Le quartier a-t-il au moins une valeur de territoire de référence (jusqu'au millésime) ?"""
    t = obs.indicateurs.ecarts(q.code)
    if q.millesime is not None and len(t):
        t = t[t["annee"] <= q.millesime]
    return bool(len(t)) and bool((t["reference_statut"] == "ok").any())


def territory_has_references(obs: Any) -> bool:
    """Une valeur de territoire de référence (hors quartiers) a-t-elle été fournie ?"""
    v = obs.valeurs
    return bool(((v["niveau"] != "qpv") & (v["statut"] == "ok")).any())


def position_table(obs: Any, q: Quartier) -> pd.DataFrame:
    """Lignes de ``obs.indicateurs.position`` retenues pour le tableau de bord.

    Avec des références, les indicateurs clés (les autres sont dans le tableau des
    écarts) ; sans, tous les indicateurs sauf les effectifs (hors population)."""
    if q.code not in set(obs.indicateurs.codes):
        return pd.DataFrame()
    p = obs.indicateurs.position(q.code, q.millesime)
    if p.empty:
        return p
    cat = catalogue_index(obs)
    units = p["indicateur"].map(cat["unite"])
    keep = (units != "nombre") | (p["indicateur"] == "population")
    if has_references(obs, q):
        keep &= p["indicateur"].isin(HEADLINE)
    order = {ind: i for i, ind in enumerate(cat.index)}  # ordre du catalogue (par thème)
    p = p[keep].assign(_o=p["indicateur"].map(order)).sort_values("_o", kind="stable")
    return p.drop(columns="_o").reset_index(drop=True)


def _rank_cell(r: Any) -> str:
    if r.statut == "secret":
        return "non classé (secret statistique)"
    if r.statut != "ok" or pd.isna(r.rang):
        return "non classé (donnée non disponible)"
    tie = " ex aequo" if r.ex_aequo else ""
    return f"{narrative.ordinal(int(r.rang))}{tie} sur {int(r.n_classes)}"


def _sentence(p: pd.DataFrame, cat: pd.DataFrame, n_quartiers: int) -> str:
    """Phrase de classement : indicateurs orientés d'abord, dans l'ordre de ``HEADLINE``."""
    lib = cat["libelle"]
    pol = p["indicateur"].map(cat["polarite"]).fillna(0)
    first = p.assign(_h=p["indicateur"].map({i: k for k, i in enumerate(HEADLINE)}))
    first = first.assign(_n=(pol == 0)).sort_values("_h", kind="stable")
    ranked = first[first["statut"].eq("ok") & first["rang"].notna()]
    oriented = ranked[~ranked["_n"]]
    meaning = "la situation la plus défavorable" if len(oriented) else "la valeur la plus élevée"
    ranked = (oriented if len(oriented) else ranked).head(MAX_SENTENCE)
    parts = [
        narrative.rank_phrase(r.rang, r.n_classes, lib.get(r.indicateur, r.indicateur),
                              bool(r.ex_aequo)) + f" ({int(r.annee)})"
        for r in ranked.itertuples(index=False)
    ]  # fmt: skip
    secret = first[first["statut"] == "secret"].head(MAX_SENTENCE)
    hidden = [
        f"{narrative.with_article(lib.get(r.indicateur, r.indicateur))} ({int(r.annee)})"
        for r in secret.itertuples(index=False)
    ]
    where = f"parmi les {n_quartiers} quartiers du territoire"
    text = ""
    if parts:
        text = f"Rang du quartier {where} (rang 1 : {meaning}) : "
        text += " ; ".join(parts) + "."
    elif not hidden:
        text = f"Le quartier n'est classé {where} pour aucun indicateur (valeurs non disponibles)."
    if hidden:
        text += (
            f" Non classé pour {narrative.enumeration(hidden)} : "
            f"valeur{'s' if len(hidden) > 1 else ''} sous secret statistique."
        )
    return text.strip()


def position(obs: Any, q: Quartier) -> Blocks:
    """Rang, médiane des quartiers et ensemble des quartiers du territoire (agrégat pondéré)."""
    p = position_table(obs, q)
    if p.empty:
        return absent("Aucun indicateur n'est disponible pour situer ce quartier parmi les autres.")
    n_quartiers = int(p["n_quartiers"].iloc[0])
    cat = catalogue_index(obs)
    if n_quartiers < 2:
        return absent(
            "Le territoire ne compte qu'un quartier prioritaire : aucun classement n'est possible."
        )
    out: Blocks = [blocks.texte(_sentence(p, cat, n_quartiers), display=False)]
    records = []
    for r in p.itertuples(index=False):
        unite = cat["unite"].get(r.indicateur)
        records.append({
            "Indicateur": f"{cat['libelle'].get(r.indicateur, r.indicateur)} ({int(r.annee)})",
            "Quartier": format_value(r.valeur, unite, r.statut),
            "Rang parmi les quartiers": _rank_cell(r),
            "Médiane des quartiers": format_value(r.mediane, unite) if pd.notna(r.mediane) else None,
            "Ensemble des quartiers": format_value(r.agregat, unite) if pd.notna(r.agregat) else None,
        })  # fmt: skip
    frame = pd.DataFrame(records)
    frame = frame[[c for c in frame.columns if frame[c].notna().any()]]  # jamais de colonne vide
    producers = sorted({credits.indicator_source(obs, i) for i in p["indicateur"]})
    out.append(
        blocks.tableau(
            frame.fillna("donnée non disponible"),
            legende=f"Position du quartier parmi les {n_quartiers} quartiers du territoire",
            source="; ".join(producers) + fictif_suffix(obs),
            display=False,
        )
    )
    notes = [LEGEND]
    if "Ensemble des quartiers" in frame.columns:
        notes.append(_aggregate_note(p, cat))
    out.append(blocks.texte(*notes, display=False))
    if not has_references(obs, q):
        out.append(_distribution_of(obs, q, p))
    return out


def _aggregate_note(p: pd.DataFrame, cat: pd.DataFrame) -> str:
    """Méthode de l'agrégat et, indicateur par indicateur, ce qu'il laisse de côté."""
    text = (
        "Ensemble des quartiers : somme pour un effectif ; pour un taux, rapport des sommes "
        "des numérateurs et dénominateurs quand chaque quartier les publie, sinon moyenne "
        "pondérée par la population ; une valeur sous secret statistique n'y entre jamais."
    )
    notes = []
    for r in p[p["agregat"].notna()].itertuples(index=False):
        excluded = narrative.exclusion_phrase(r)
        if excluded:
            label = f"{cat['libelle'].get(r.indicateur, r.indicateur)} ({int(r.annee)})"
            notes.append(
                f"{label} : {format_number(r.n_inclus)} quartiers sur "
                f"{format_number(r.n_territoires)}, {excluded}"
            )
    if notes:
        text += " " + " ; ".join(notes) + "."
    return text


def _distribution_of(obs: Any, q: Quartier, p: pd.DataFrame) -> blocks.Block | None:
    """Distribution du premier indicateur orienté classé (sans références : seule figure)."""
    from observatoire.publish.sections.quartier import _distribution

    ranked = p[p["statut"].eq("ok") & (p["n_classes"] >= 2)]
    ranked = ranked[ranked["indicateur"] != "population"]
    if ranked.empty:
        return None
    head = ranked.assign(_h=ranked["indicateur"].map({i: k for k, i in enumerate(HEADLINE)}))
    r = head.sort_values("_h", na_position="last").iloc[0]
    return _distribution(obs, q, str(r["indicateur"]), int(r["annee"]))
