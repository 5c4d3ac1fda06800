"""Représentativité des participants : qui vient, qui manque (fonctions pures).

Pour chaque groupe (tranche d'âge, sexe, habitants des QPV), on compare la part du
groupe parmi les participants à sa part dans la population de référence :
``rapport`` = part parmi les participants / part dans la population (1 = représenté
comme dans la population ; 0,5 = deux fois moins présent). L'indice de
dissimilarité de Duncan d'une dimension vaut ½ Σ |part participants − part
population| (0 = même répartition ; 1 = aucun recouvrement) ; l'indice unique d'un
quartier et d'un dispositif est la moyenne des indices par âge et par sexe.

Population : pyramide des âges du catalogue (``pop_hommes_0_14`` …
``pop_femmes_75_plus``), dernier millésime complet. Habitants des QPV : population
du ou des quartiers rapportée à celle de leurs communes (indicateur ``population``).

Participants : pour chaque événement, la ventilation de la feuille si elle existe,
sinon les présences individuelles de cet événement. Les tranches exclues (par
défaut 0-14 ans : les réunions s'adressent aux adolescents et aux adultes) sont
retirées des deux côtés.

Exemple ::

    part = participants_par_groupe(ev, pres)
    pop = population_par_groupe(valeurs, territoires, ["QN00001A"])
    rep = representativite(part, pop)
    publics_eloignes(rep, facteur=2)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from observatoire.schemas.participation import COLONNES_AGE, TRANCHES_AGE

DIMENSIONS = ("age", "sexe", "qpv")
QPV_OUI, QPV_NON = "habite un QPV", "n'habite pas un QPV"
GROUP_LABELS = {"F": "femmes", "H": "hommes", **{t: f"{t} ans" for t in TRANCHES_AGE}}
GROUP_LABELS["75+"] = "75 ans et plus"
INDEX_DIMENSIONS = ("age", "sexe")


def _bands(excluded: Sequence[str]) -> list[str]:
    return [t for t in TRANCHES_AGE if t not in set(excluded)]


def participants_par_groupe(
    evenements: pd.DataFrame, presences: pd.DataFrame, tranches_exclues: Sequence[str] = ("0-14",)
) -> pd.DataFrame:
    """Participants par dimension et groupe (colonnes : dimension, groupe, participants).

    Ventilation de la feuille d'abord (cases vides = 0 dès qu'une tranche est remplie ;
    « dont femmes » seul : hommes = total − femmes), sinon présences de l'événement.
    """
    bands = _bands(tranches_exclues)
    counts = {("age", b): 0.0 for b in bands}
    counts.update(
        {("sexe", "F"): 0.0, ("sexe", "H"): 0.0, ("qpv", QPV_OUI): 0.0, ("qpv", QPV_NON): 0.0}
    )
    by_event = {k: g for k, g in presences.groupby("evenement")} if len(presences) else {}
    for ev in evenements.itertuples(index=False):
        total = ev.participants
        pres = by_event.get(ev.id)
        ages = {t: getattr(ev, c) for t, c in COLONNES_AGE.items()}
        if any(pd.notna(v) for v in ages.values()):
            for band in bands:
                counts[("age", band)] += 0 if pd.isna(ages[band]) else float(ages[band])
        elif pres is not None:
            for band, n in pres["tranche_age"].value_counts().items():
                if band in bands:
                    counts[("age", band)] += n
        women, men = ev.femmes, ev.hommes
        if pd.notna(women) and pd.isna(men) and pd.notna(total):
            men = total - women
        if pd.notna(men) and pd.isna(women) and pd.notna(total):
            women = total - men
        if pd.notna(women) and pd.notna(men):
            counts[("sexe", "F")] += float(women)
            counts[("sexe", "H")] += float(men)
        elif pres is not None:
            for sex, n in pres["sexe"].value_counts().items():
                counts[("sexe", sex)] += n
        if pd.notna(ev.habitants_qpv) and pd.notna(total):
            counts[("qpv", QPV_OUI)] += float(ev.habitants_qpv)
            counts[("qpv", QPV_NON)] += float(total - ev.habitants_qpv)
        elif pres is not None:
            lives = pres["habite_qpv"].dropna()
            counts[("qpv", QPV_OUI)] += int(lives.sum())
            counts[("qpv", QPV_NON)] += int((~lives.astype(bool)).sum())
    rows = [{"dimension": d, "groupe": g, "participants": n} for (d, g), n in counts.items()]
    return pd.DataFrame(rows)


def _pyramid(valeurs: pd.DataFrame, code: str) -> dict[tuple[str, str], float] | None:
    """Pyramide (sexe, tranche) → population, dernier millésime complet ; None sinon."""
    ids = {f"pop_{s}_{suffix}": (sex, band) for band, suffix in TRANCHES_AGE.items()
           for s, sex in (("hommes", "H"), ("femmes", "F"))}  # fmt: skip
    rows = valeurs[(valeurs["code"] == code) & valeurs["indicateur"].isin(ids)]
    rows = rows[rows["statut"] == "ok"]
    for year in sorted(rows["annee"].unique(), reverse=True):
        year_rows = rows[rows["annee"] == year]
        if set(year_rows["indicateur"]) == set(ids):
            return {
                ids[i]: float(v)
                for i, v in zip(year_rows["indicateur"], year_rows["valeur"], strict=True)
            }
    return None


def _latest_population(valeurs: pd.DataFrame, code: str) -> float | None:
    rows = valeurs[
        (valeurs["code"] == code)
        & (valeurs["indicateur"] == "population")
        & (valeurs["statut"] == "ok")
    ]
    return float(rows.sort_values("annee")["valeur"].iloc[-1]) if len(rows) else None


def population_par_groupe(
    valeurs: pd.DataFrame,
    territoires: pd.DataFrame,
    codes: Sequence[str],
    tranches_exclues: Sequence[str] = ("0-14",),
) -> pd.DataFrame:
    """Population de référence par dimension et groupe pour un ou plusieurs quartiers.

    Les quartiers sans pyramide complète sont laissés de côté (colonne ``couverture`` :
    codes retenus). Sans aucune pyramide, seules les lignes ``qpv`` sont renvoyées.
    """
    bands = _bands(tranches_exclues)
    totals: dict[tuple[str, str], float] = {}
    kept = []
    qpv_rows = territoires[territoires["code"].isin(codes) & (territoires["niveau"] == "qpv")]
    communes = set()
    for text in qpv_rows["communes"].dropna():
        communes.update(c for c in str(text).split(";") if c)
    # une seule passe sur la table (ordre conservé), puis une petite table par code :
    # chercher chaque code dans toute la table coûtait 90 s pour 1 600 quartiers
    valeurs = valeurs[valeurs["code"].isin({*codes, *communes})]
    empty = valeurs.iloc[0:0]
    by_code = {str(c): rows for c, rows in valeurs.groupby("code", sort=False)}
    for code in codes:
        pyramid = _pyramid(by_code.get(code, empty), code)
        if pyramid is None:
            continue
        kept.append(code)
        for (sex, band), n in pyramid.items():
            if band in bands:
                totals[("age", band)] = totals.get(("age", band), 0.0) + n
                totals[("sexe", sex)] = totals.get(("sexe", sex), 0.0) + n
    qpv_pop = [_latest_population(by_code.get(c, empty), c) for c in codes]
    commune_pop = [_latest_population(by_code.get(c, empty), c) for c in sorted(communes)]
    if communes and None not in qpv_pop and None not in commune_pop:
        inside, whole = sum(qpv_pop), sum(commune_pop)  # type: ignore[arg-type]
        if whole >= inside > 0:
            totals[("qpv", QPV_OUI)] = inside
            totals[("qpv", QPV_NON)] = whole - inside
    rows = [{"dimension": d, "groupe": g, "population": n} for (d, g), n in totals.items()]
    frame = pd.DataFrame(rows, columns=["dimension", "groupe", "population"])
    frame["couverture"] = ";".join(kept)
    return frame


def representativite(participants: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Part de chaque groupe parmi les participants et dans la population, rapport, écart.

    >>> part = pd.DataFrame({"dimension": ["sexe"] * 2, "groupe": ["F", "H"], "participants": [30, 10]})
    >>> pop = pd.DataFrame({"dimension": ["sexe"] * 2, "groupe": ["F", "H"], "population": [500, 500]})
    >>> representativite(part, pop)["rapport"].round(2).tolist()
    [1.5, 0.5]
    """
    rep = participants.merge(
        population[["dimension", "groupe", "population"]], on=["dimension", "groupe"], how="inner"
    )
    sums_p = rep.groupby("dimension")["participants"].transform("sum")
    sums_q = rep.groupby("dimension")["population"].transform("sum")
    rep["participants_connus"] = sums_p
    rep["part_participants"] = (rep["participants"] / sums_p.replace(0, np.nan)).astype(float)
    rep["part_population"] = (rep["population"] / sums_q.replace(0, np.nan)).astype(float)
    rep["rapport"] = rep["part_participants"] / rep["part_population"].replace(0, np.nan)
    rep["ecart_points"] = (rep["part_participants"] - rep["part_population"]) * 100
    rep["libelle"] = rep["groupe"].map(GROUP_LABELS).fillna(rep["groupe"])
    return rep


def dissimilarite(rep: pd.DataFrame) -> pd.DataFrame:
    """Indice de Duncan par dimension, et ``ensemble`` = moyenne des indices âge et sexe.

    Une dimension sans participant connu n'a pas d'indice (NA), jamais 0.
    """
    rows = []
    for dim, group in rep.groupby("dimension", sort=False):
        if group["part_participants"].isna().all():
            value = np.nan
        else:
            value = 0.5 * float((group["part_participants"] - group["part_population"]).abs().sum())
        rows.append({"dimension": dim, "indice": value})
    frame = pd.DataFrame(rows, columns=["dimension", "indice"])
    core = frame[frame["dimension"].isin(INDEX_DIMENSIONS)]["indice"]
    overall = (
        float(core.mean()) if len(core) == len(INDEX_DIMENSIONS) and core.notna().all() else np.nan
    )
    return pd.concat(
        [frame, pd.DataFrame([{"dimension": "ensemble", "indice": overall}])], ignore_index=True
    )


def publics_eloignes(rep: pd.DataFrame, facteur: float = 2.0) -> pd.DataFrame:
    """Groupes sous-représentés d'un facteur ``facteur`` ou plus (rapport ≤ 1 / facteur).

    Colonne ``facteur_sous_representation`` = part dans la population / part parmi
    les participants (infini si le groupe est absent).
    """
    if facteur <= 1:
        raise ValueError("le facteur de sous-représentation doit être supérieur à 1")
    known = rep[rep["part_participants"].notna() & (rep["part_population"] > 0)].copy()
    out = known[known["rapport"] <= 1 / facteur].copy()
    with np.errstate(divide="ignore"):
        out["facteur_sous_representation"] = out["part_population"] / out["part_participants"]
    return out.sort_values("rapport").reset_index(drop=True)
