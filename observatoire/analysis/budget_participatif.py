"""Budget participatif : votants pour 1 000 habitants, âge des votants, projets et euros.

Fonctions pures sur les tables ``votes_bp`` (votants agrégés par édition, quartier,
tranche d'âge et sexe — jamais de bulletin individuel), ``projets_bp`` et ``valeurs``.

Définitions :
- **votants pour 1 000 habitants** d'un quartier : votants de l'édition / population du
  quartier (indicateur ``population``, millésime le plus récent qui ne dépasse pas
  l'édition, :func:`observatoire.analysis.participation.population_of`) × 1 000 ;
  les votants sans quartier (hors QPV ou non ventilés) n'ont pas de taux ;
- **moins de 25 ans parmi les votants** : votants des tranches dont l'âge maximal est
  au plus 24 ans, sur les votants dont la tranche est connue. Une tranche à cheval
  sur 25 ans (« 18-29 ans », « 16 ans et plus ») rend la part **non calculable** :
  elle n'est pas estimée (colonne ``remarque``) ;
- **moins de 25 ans dans la population** : ``part_0_14 + part_15_24`` du catalogue
  (même millésime, le plus récent qui ne dépasse pas l'édition), pondérées par la
  population des quartiers qui les publient. Cette population compte aussi les enfants
  trop jeunes pour voter : la remarque le dit quand la plus jeune tranche de votants
  ne commence pas à 0 ;
- **lauréat** : ``laureat`` vrai ou statut « lauréat » / « réalisé » ; **réalisé** :
  ``realise`` vrai ou statut « réalisé » ; **part réalisée** = réalisés / lauréats ;
- **volet jeunes** : ``jeunes`` vrai ; les parts se calculent sur les projets dont
  l'information est renseignée ;
- un projet de plusieurs quartiers compte une fois dans chacun ; son montant y est
  réparti à parts égales, au centime près (plus forts restes : la somme est exacte).
  Montants rendus en ``Decimal`` euros (exacts), comme le contrat de ville.

Exemple ::

    votants_pour_1000(obs.table("votes_bp"), obs.valeurs)
    moins_25(obs.table("votes_bp"), obs.valeurs, edition=2025)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from observatoire.analysis.concertations import split_list
from observatoire.analysis.contrat import allocate_cents, euros
from observatoire.analysis.participation import population_of
from observatoire.analysis.remontees import iter_groups

NBSP = "\u00a0"  # séparateur des milliers dans les remarques (« 1 865 votants »)

PARTS_MOINS_25 = ("part_0_14", "part_15_24")


def votants_pour_1000(votes: pd.DataFrame, valeurs: pd.DataFrame) -> pd.DataFrame:
    """Par édition et quartier : votants, population, votants pour 1 000 habitants.

    Colonnes : edition, quartier (``""`` : hors QPV ou non ventilés), votants, population,
    annee_population, votants_pour_1000.
    """
    columns = ["edition", "quartier", "votants", "population", "annee_population",
               "votants_pour_1000"]  # fmt: skip
    frame = votes.assign(quartier=votes["quartier"].fillna(""))
    out = frame.groupby(["edition", "quartier"], sort=True)["votants"].sum().reset_index()
    pops, years = [], []
    for edition, code in zip(out["edition"], out["quartier"], strict=True):
        pop = population_of(valeurs, int(edition)).set_index("code")
        known = code in pop.index and pop.loc[code, "population"] > 0
        pops.append(float(pop.loc[code, "population"]) if known else np.nan)
        years.append(int(pop.loc[code, "annee_population"]) if known else pd.NA)
    out["population"] = pd.array(pops, dtype="Float64")
    out["annee_population"] = pd.array(years, dtype="Int64")
    out["votants"] = out["votants"].astype("Int64")
    out["votants_pour_1000"] = (out["votants"] / out["population"] * 1000).astype("Float64")
    return out[columns]


def structure_age(votes: pd.DataFrame, par: Sequence[str] = ("edition",)) -> pd.DataFrame:
    """Votants par tranche d'âge (part parmi les votants d'âge connu ; tranche absente :
    « non renseigné », sans part)."""
    columns = [*par, "tranche_age", "age_min", "age_max", "votants", "part"]
    frame = votes.assign(tranche_age=votes["tranche_age"].fillna("non renseigné"))
    rows = []
    for key, group in iter_groups(frame, par):
        known = int(group.loc[votes["tranche_age"].notna(), "votants"].sum())
        for band, rows_band in group.groupby("tranche_age", sort=False):
            n = int(rows_band["votants"].sum())
            unknown = (
                band == "non renseigné" and votes.loc[rows_band.index, "tranche_age"].isna().all()
            )
            rows.append({**key, "tranche_age": band, "age_min": rows_band["age_min"].iloc[0],
                         "age_max": rows_band["age_max"].iloc[0], "votants": n,
                         "part": np.nan if unknown or not known else n / known})  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    for col in ("age_min", "age_max", "votants"):
        out[col] = out[col].astype("Int64")
    key = out["age_min"].astype("Float64").fillna(-1 if len(out) else 0)
    return out.assign(_k=key).sort_values([*par, "_k"]).drop(columns="_k").reset_index(drop=True)


def population_moins_25(
    valeurs: pd.DataFrame, codes: Sequence[str], annee: int
) -> tuple[float, int | None, list[str]]:
    """Part (0-1) des moins de 25 ans dans la population des ``codes`` ; millésime le plus
    récent ≤ ``annee`` (à défaut le plus ancien) ; codes retenus. ``nan`` si aucun quartier
    ne la publie."""
    rows = valeurs[valeurs["code"].isin(codes) & (valeurs["statut"] == "ok")
                   & valeurs["indicateur"].isin([*PARTS_MOINS_25, "population"])]  # fmt: skip
    young = total = 0.0
    kept, used = [], []
    for code in codes:
        mine = rows[rows["code"] == code]
        years = sorted(mine["annee"].unique())
        # millésime le plus récent ≤ annee, sinon le plus ancien (comme population_of)
        for year in [*(y for y in reversed(years) if y <= annee), *(y for y in years if y > annee)]:
            values = mine[mine["annee"] == year].set_index("indicateur")["valeur"]
            if set(PARTS_MOINS_25) <= set(values.index) and "population" in values.index:
                pop = float(values["population"])
                young += pop * sum(float(values[i]) for i in PARTS_MOINS_25) / 100
                total += pop
                kept.append(code)
                used.append(int(year))
                break
    return (young / total if total else np.nan), (max(used) if used else None), kept


def moins_25(
    votes: pd.DataFrame, valeurs: pd.DataFrame, codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Par édition : part des moins de 25 ans parmi les votants contre la population.

    ``codes`` : quartiers de la population de comparaison (défaut : ceux où des votants
    sont ventilés). Colonnes : edition, votants, votants_age_connu, votants_moins_25,
    part_moins_25_votants, part_moins_25_population, annee_population,
    quartiers_population, remarque.
    """
    columns = ["edition", "votants", "votants_age_connu", "votants_moins_25",
               "part_moins_25_votants", "part_moins_25_population", "annee_population",
               "quartiers_population", "remarque"]  # fmt: skip
    rows = []
    for key, group in iter_groups(votes, ("edition",)):
        notes = []
        known = group[group["age_min"].notna() | group["age_max"].notna()]
        young = known["age_max"].notna() & (known["age_max"] <= 24)
        straddle = ~young & known["age_min"].fillna(0).le(24)
        for band in dict.fromkeys(known.loc[straddle, "tranche_age"].fillna("sans libellé")):
            notes.append(f"la tranche « {band} » mêle des moins et des plus de 25 ans : la part "
                         "des moins de 25 ans parmi les votants n'est pas calculable")  # fmt: skip
        n_known, n_young = int(known["votants"].sum()), int(known.loc[young, "votants"].sum())
        share = n_young / n_known if n_known and not notes else np.nan
        wanted = list(codes) if codes is not None else sorted(
            {c for q in group["quartier"].dropna() for c in split_list(q)})  # fmt: skip
        pop_share, year, kept = population_moins_25(valeurs, wanted, int(key["edition"]))
        if wanted and not kept:
            notes.append("la part des moins de 25 ans dans la population n'est publiée pour "
                         "aucun des quartiers des votants")  # fmt: skip
        elif set(wanted) - set(kept):
            notes.append("part des moins de 25 ans dans la population inconnue pour "
                         + ", ".join(sorted(set(wanted) - set(kept))))  # fmt: skip
        outside = int(group.loc[group["quartier"].fillna("").map(split_list).map(len) == 0,
                                "votants"].sum())  # fmt: skip
        if outside and wanted:
            many, shown = outside > 1, f"{outside:,}".replace(",", NBSP)
            notes.append(f"{shown} votant{'s' if many else ''} sans quartier (hors QPV ou non "
                         f"ventilés) {'sont comptés' if many else 'est compté'} parmi les "
                         "votants ; la population de comparaison est celle des quartiers")  # fmt: skip
        youngest = known["age_min"].dropna()
        if len(youngest) and int(youngest.min()) > 0:
            notes.append(f"la population de comparaison compte aussi les moins de "
                         f"{int(youngest.min())} ans, qui ne votent pas")  # fmt: skip
        rows.append({**key, "votants": int(group["votants"].sum()), "votants_age_connu": n_known,
                     "votants_moins_25": n_young if not straddle.any() else pd.NA,
                     "part_moins_25_votants": share, "part_moins_25_population": pop_share,
                     "annee_population": year, "quartiers_population": ";".join(kept),
                     "remarque": " ; ".join(notes)})  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    for col in ("votants_moins_25", "annee_population"):
        out[col] = out[col].astype("Int64")
    return out


def _flags(projets: pd.DataFrame) -> pd.DataFrame:
    laureat = projets["laureat"].fillna(False).astype(bool) | projets["statut"].isin(
        ["lauréat", "réalisé"]
    )
    realise = projets["realise"].fillna(False).astype(bool) | (projets["statut"] == "réalisé")
    return projets.assign(flag_laureat=laureat, flag_realise=realise & laureat)


def projets_par_quartier(projets: pd.DataFrame, par: Sequence[str] = ("edition",)) -> pd.DataFrame:
    """Par quartier : projets, lauréats, réalisés, montant (tous projets chiffrés) et montant
    des lauréats, en ``Decimal`` euros. Colonnes : [par,] quartier, projets, laureats,
    realises, montant, montant_laureats."""
    rows = []
    for p in _flags(projets).itertuples(index=False):
        codes = split_list(p.quartier) or [""]
        shares = allocate_cents(int(p.montant_centimes), [1] * len(codes)) if pd.notna(
            p.montant_centimes) else [pd.NA] * len(codes)  # fmt: skip
        for code, cents in zip(codes, shares, strict=True):
            rows.append({**{k: getattr(p, k) for k in par}, "quartier": code, "_l": p.flag_laureat,
                         "_r": p.flag_realise, "montant_centimes": cents,
                         "montant_laureats_centimes": cents if p.flag_laureat else 0})  # fmt: skip
    frame = pd.DataFrame(rows, columns=[*par, "quartier", "_l", "_r", "montant_centimes",
                                        "montant_laureats_centimes"])  # fmt: skip
    for col in ("montant_centimes", "montant_laureats_centimes"):
        frame[col] = frame[col].astype("Int64")
    out = frame.groupby([*par, "quartier"], sort=True).agg(
        projets=("_l", "size"), laureats=("_l", "sum"), realises=("_r", "sum"),
        montant_centimes=("montant_centimes", lambda s: s.sum(min_count=1)),
        montant_laureats_centimes=("montant_laureats_centimes", lambda s: s.sum(min_count=1)),
    ).reset_index()  # fmt: skip
    for col in ("projets", "laureats", "realises"):
        out[col] = out[col].astype(int)
    return euros(out, ["montant", "montant_laureats"])


def realisation(projets: pd.DataFrame, par: Sequence[str] = ("edition",)) -> pd.DataFrame:
    """Lauréats, réalisés, part réalisée ; volet jeunes (projets, lauréats, euros).

    Colonnes : [par,] projets, laureats, realises, part_realisee, projets_jeunes_connu,
    projets_jeunes, part_jeunes_projets, laureats_jeunes, part_jeunes_laureats,
    montant_laureats, montant_laureats_jeunes, part_jeunes_montant.
    """
    columns = [*par, "projets", "laureats", "realises", "part_realisee",
               "projets_jeunes_connu", "projets_jeunes", "part_jeunes_projets",
               "laureats_jeunes", "part_jeunes_laureats", "montant_laureats_centimes",
               "montant_laureats_jeunes_centimes", "part_jeunes_montant"]  # fmt: skip
    rows = []
    for key, group in iter_groups(_flags(projets), par):
        lau = group[group["flag_laureat"]]
        jeunes_known = group["jeunes"].notna()
        lau_known = lau[lau["jeunes"].notna()]
        young_lau = lau_known[lau_known["jeunes"].astype(bool)]
        amount = lau_known["montant_centimes"].sum(min_count=1)
        amount_young = young_lau["montant_centimes"].sum(min_count=1) if len(young_lau) else 0
        rows.append({**key, "projets": len(group), "laureats": len(lau),
                     "realises": int(lau["flag_realise"].sum()),
                     "part_realisee": lau["flag_realise"].sum() / len(lau) if len(lau) else np.nan,
                     "projets_jeunes_connu": int(jeunes_known.sum()),
                     "projets_jeunes": int(group["jeunes"].fillna(False).astype(bool).sum()),
                     "part_jeunes_projets": group["jeunes"].dropna().astype(bool).mean()
                     if jeunes_known.any() else np.nan,
                     "laureats_jeunes": len(young_lau),
                     "part_jeunes_laureats": len(young_lau) / len(lau_known)
                     if len(lau_known) else np.nan,
                     "montant_laureats_centimes": lau["montant_centimes"].sum(min_count=1),
                     "montant_laureats_jeunes_centimes": amount_young,
                     "part_jeunes_montant": float(amount_young) / float(amount)
                     if pd.notna(amount) and amount and pd.notna(amount_young) else np.nan,
                     })  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    for col in ("montant_laureats_centimes", "montant_laureats_jeunes_centimes"):
        out[col] = out[col].astype("Int64")
    return euros(out, ["montant_laureats", "montant_laureats_jeunes"])
