"""Participation des habitants : volumes, taux, participants uniques, fidélisation, tendance.

Fonctions pures : tables canoniques (``evenements``, ``presences``, ``valeurs``) en
entrée, tables de résultats en sortie ; ni lecture de fichier ni dessin.

Conventions :
- un événement commun à plusieurs quartiers compte comme un événement dans chacun,
  et ses participants sont répartis à parts égales entre eux (colonne ``part``) ;
  un événement sans quartier est rattaché à « tout le territoire » (quartier vide) ;
- un nombre de participants inconnu (NA) n'est jamais compté comme 0 :
  ``evenements_effectif_connu`` dit sur combien d'événements porte la somme ;
- participants uniques et fidélisation ne portent que sur les présences
  individuelles dont la personne est identifiée (pseudonyme).

Exemple ::

    synthese(obs.evenements, par=("quartier", "dispositif"), periode="annee")
    fidelisation(presences_enrichies(obs.presences, obs.evenements))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

PERIODES = ("annee", "semestre", "trimestre", "mois")


def period_of(dates: pd.Series, periode: str = "annee") -> pd.Series:
    """Libellé de période d'une date : ``2024``, ``2024-S1``, ``2024-T2``, ``2024-03``.

    >>> period_of(pd.Series(pd.to_datetime(["2024-05-02"])), "trimestre").tolist()
    ['2024-T2']
    """
    if periode not in PERIODES:
        raise ValueError(f"période inconnue : {periode} (attendu : {', '.join(PERIODES)})")
    years = dates.dt.year.astype(str)
    if periode == "annee":
        return years
    if periode == "semestre":
        return years + "-S" + ((dates.dt.month - 1) // 6 + 1).astype(str)
    if periode == "trimestre":
        return years + "-T" + dates.dt.quarter.astype(str)
    return years + "-" + dates.dt.month.astype(str).str.zfill(2)


def all_periods(start: pd.Timestamp, end: pd.Timestamp, periode: str) -> list[str]:
    """Toutes les périodes de ``start`` à ``end`` (pour montrer les périodes sans événement)."""
    freq = {"annee": "YS", "semestre": "6MS", "trimestre": "QS", "mois": "MS"}[periode]
    anchor = {"annee": "Y", "semestre": "Q", "trimestre": "Q", "mois": "M"}[periode]
    first = start.to_period(anchor).start_time
    dates = pd.Series(pd.date_range(first, end, freq=freq))
    return list(dict.fromkeys(period_of(dates, periode)))


def explode_quartiers(evenements: pd.DataFrame) -> pd.DataFrame:
    """Une ligne par événement × quartier ; ``part`` = 1 / nombre de quartiers.

    ``participants_attribues`` = participants × part ; quartier vide (``""``) pour
    un événement de tout le territoire.
    """
    frame = evenements.copy()
    codes = frame["quartiers"].fillna("").astype(str).str.split(";")
    frame["part"] = 1.0 / codes.str.len()
    frame["quartier"] = codes
    frame = frame.explode("quartier", ignore_index=True)
    frame["participants_attribues"] = frame["participants"].astype("Float64") * frame["part"]
    return frame


def synthese(
    evenements: pd.DataFrame,
    par: Sequence[str] = ("quartier",),
    periode: str | None = "annee",
) -> pd.DataFrame:
    """Événements et participants par quartier, dispositif et/ou période.

    Colonnes : ``evenements``, ``evenements_effectif_connu``, ``participants`` (somme
    des effectifs connus, NA si aucun), ``participants_par_evenement``.

    >>> synthese(obs.evenements, par=("dispositif",), periode="annee")  # doctest: +SKIP
    """
    par = list(par)
    frame = explode_quartiers(evenements) if "quartier" in par else evenements.copy()
    value = "participants_attribues" if "quartier" in par else "participants"
    if periode:
        frame["periode"] = period_of(frame["date"], periode)
        par = [*par, "periode"]
    if not par:
        frame["_tout"] = "ensemble"
        par = ["_tout"]
    grouped = frame.groupby(par, dropna=False, sort=True)
    result = grouped.agg(
        evenements=("id", "nunique"),
        evenements_effectif_connu=(value, "count"),
        participants=(value, lambda s: s.sum(min_count=1)),
    ).reset_index()
    result["participants"] = result["participants"].astype("Float64")
    result["participants_par_evenement"] = (
        result["participants"] / result["evenements_effectif_connu"].replace(0, np.nan)
    ).astype("Float64")
    return result.drop(columns=["_tout"], errors="ignore")


def population_of(valeurs: pd.DataFrame, annee: int | None = None) -> pd.DataFrame:
    """Population des quartiers (indicateur ``population``, statut ok) : code, annee, population.

    Pour ``annee``, le millésime le plus récent qui ne la dépasse pas (sinon le plus ancien).
    """
    pop = valeurs[
        (valeurs["indicateur"] == "population")
        & (valeurs["statut"] == "ok")
        & (valeurs["niveau"] == "qpv")
    ][["code", "annee", "valeur"]]
    rows = []
    for code, group in pop.groupby("code"):
        years = sorted(group["annee"])
        chosen = years[-1] if annee is None else ([y for y in years if y <= annee] or years)[-1]
        if annee is not None and chosen > annee:
            chosen = years[0]
        value = float(group.loc[group["annee"] == chosen, "valeur"].iloc[0])
        rows.append({"code": code, "annee_population": int(chosen), "population": value})
    return pd.DataFrame(rows, columns=["code", "annee_population", "population"])


def taux_pour_1000(synth: pd.DataFrame, valeurs: pd.DataFrame) -> pd.DataFrame:
    """Ajoute ``population`` et ``taux_pour_1000`` (participants pour 1 000 habitants).

    ``synth`` : résultat de :func:`synthese` avec ``par`` contenant ``quartier``
    (et ``periode`` annuelle facultative). Population absente ou secrète : taux NA.
    """
    out = synth.copy()
    pops, years, rates = [], [], []
    if "quartier" in out:  # une seule passe sur la table : la population des autres codes
        population = valeurs[valeurs["indicateur"] == "population"]  # n'intervient pas
        valeurs = population[population["code"].isin(set(out["quartier"]))]
    by_year: dict[int | None, pd.DataFrame] = {}
    for _, row in out.iterrows():
        year = int(row["periode"]) if "periode" in out and str(row["periode"]).isdigit() else None
        if year not in by_year:
            by_year[year] = population_of(valeurs, year).set_index("code")
        pop = by_year[year]
        code = row["quartier"]
        if code in pop.index and pop.loc[code, "population"] > 0:
            p = float(pop.loc[code, "population"])
            pops.append(p)
            years.append(int(pop.loc[code, "annee_population"]))
            rates.append(
                row["participants"] / p * 1000 if pd.notna(row["participants"]) else np.nan
            )
        else:
            pops.append(np.nan)
            years.append(pd.NA)
            rates.append(np.nan)
    out["population"] = pd.array(pops, dtype="Float64")
    out["annee_population"] = pd.array(years, dtype="Int64")
    out["taux_pour_1000"] = pd.array(rates, dtype="Float64")
    return out


def presences_enrichies(presences: pd.DataFrame, evenements: pd.DataFrame) -> pd.DataFrame:
    """Présences avec la date, l'année, le dispositif et les quartiers de l'événement."""
    info = evenements[["id", "date", "annee", "dispositif", "quartiers"]]
    return presences.merge(info, left_on="evenement", right_on="id", how="inner").drop(columns="id")


def participants_uniques(pres: pd.DataFrame, par: Sequence[str] = ("annee",)) -> pd.DataFrame:
    """Personnes distinctes, présences, présences par personne, part de retours.

    ``part_retours`` : part des personnes venues au moins deux fois dans le groupe.
    ``pres`` : résultat de :func:`presences_enrichies`.
    """
    par = list(par)
    known = pres[pres["personne"].notna()]
    counts = known.groupby([*par, "personne"]).size().rename("n").reset_index()
    result = counts.groupby(par).agg(
        personnes=("personne", "nunique"),
        presences_identifiees=("n", "sum"),
        personnes_revenues=("n", lambda s: int((s >= 2).sum())),
    )
    total = pres.groupby(par).size().rename("presences")
    result = total.to_frame().join(result, how="left").reset_index()
    for col in ("personnes", "presences_identifiees", "personnes_revenues"):
        result[col] = result[col].fillna(0).astype(int)
    denom = result["personnes"].replace(0, np.nan)
    result["presences_par_personne"] = result["presences_identifiees"] / denom
    result["part_retours"] = result["personnes_revenues"] / denom
    return result


def nouveaux_participants(pres: pd.DataFrame, periode: str = "annee") -> pd.DataFrame:
    """Par période : personnes, nouveaux (première présence observée), déjà venus.

    La première période des données ne compte que des « nouveaux » : l'historique
    antérieur n'est pas connu.
    """
    known = pres[pres["personne"].notna()].copy()
    known["periode"] = period_of(known["date"], periode)
    first = known.groupby("personne")["date"].min().rename("premiere")
    known = known.join(first, on="personne")
    known["nouveau"] = period_of(known["premiere"], periode) == known["periode"]
    per = known.drop_duplicates(["periode", "personne"])
    result = per.groupby("periode").agg(
        personnes=("personne", "nunique"), nouveaux=("nouveau", "sum")
    )
    result["nouveaux"] = result["nouveaux"].astype(int)
    result["deja_venus"] = result["personnes"] - result["nouveaux"]
    result["part_nouveaux"] = result["nouveaux"] / result["personnes"]
    return result.reset_index()


def fidelisation(pres: pd.DataFrame) -> pd.DataFrame:
    """Fidélisation d'une année à l'autre : part des participants de l'année N revenus en N+1.

    Seules les paires d'années présentes dans les données sont calculées.
    """
    known = pres[pres["personne"].notna()]
    people = {int(y): set(g["personne"]) for y, g in known.groupby("annee")}
    rows = []
    for year in sorted(people):
        if year + 1 not in people:
            continue
        before, after = people[year], people[year + 1]
        back = len(before & after)
        rows.append(
            {
                "annee": year,
                "annee_suivante": year + 1,
                "participants": len(before),
                "revenus": back,
                "taux_fidelisation": back / len(before) if before else np.nan,
            }
        )
    return pd.DataFrame(
        rows, columns=["annee", "annee_suivante", "participants", "revenus", "taux_fidelisation"]
    )


def tendance(
    evenements: pd.DataFrame, periode: str = "trimestre", par: Sequence[str] = ()
) -> pd.DataFrame:
    """Événements et participants par période, périodes sans événement comprises (0 événement)."""
    result = synthese(evenements, par=par, periode=periode)
    if evenements.empty:
        return result
    periods = all_periods(evenements["date"].min(), evenements["date"].max(), periode)
    keys = [list(par)] if par else []
    if keys:
        index = pd.MultiIndex.from_product(
            [*(sorted(result[k].dropna().unique()) for k in par), periods], names=[*par, "periode"]
        )
    else:
        index = pd.Index(periods, name="periode")
    result = result.set_index([*par, "periode"] if par else "periode").reindex(index)
    result["evenements"] = result["evenements"].fillna(0).astype(int)
    result["evenements_effectif_connu"] = result["evenements_effectif_connu"].fillna(0).astype(int)
    empty = result["evenements"] == 0
    result.loc[empty, "participants"] = 0.0  # aucun événement : zéro participant, connu
    return result.reset_index()
