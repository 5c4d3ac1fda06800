"""Suivi financier du contrat de ville : totaux, taux, ventilation par quartier (fonctions pures).

Entrées : tables canoniques ``actions``, ``financements``, ``cibles`` (montants en
centimes entiers). Sorties : tables dont les montants sont des ``Decimal`` en euros
(exacts : la somme des lignes est égale au total, au centime près) et les taux en
points de pourcentage (43,9 = 43,9 %).

Exemple ::

    >>> totals(actions, financements, by="pilier")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal

import pandas as pd

from observatoire.schemas.contrat import STATUTS_DECIDES, STATUTS_FINANCES
from observatoire.sources.contrat_values import cents_to_euros

AMOUNTS = ("demande", "accorde", "verse")
SANS_QUARTIER = "(sans quartier)"
MODES = ("egale", "population")


# --------------------------------------------------------------------------- outils


def euros(frame: pd.DataFrame, columns: Sequence[str] = AMOUNTS) -> pd.DataFrame:
    """Remplace les colonnes ``<nom>_centimes`` par ``<nom>`` en ``Decimal`` euros."""
    out = frame.copy()
    for col in columns:
        cents = f"{col}_centimes"
        if cents in out.columns:
            out[col] = [cents_to_euros(v) for v in out[cents]]
            out = out.drop(columns=cents)
    return out


def _sum_cents(frame: pd.DataFrame, by: list[str], columns: Sequence[str]) -> pd.DataFrame:
    cols = [f"{c}_centimes" for c in columns]
    data = frame[by + cols].copy()
    for c in cols:
        data[c] = data[c].astype("Int64")
    grouped = data.groupby(by, dropna=False, sort=True)[cols].sum(min_count=1)
    return grouped.reset_index()


def groups_of(frame: pd.DataFrame, by: str | None) -> Iterator[tuple[dict, pd.DataFrame]]:
    """Parcourt ``frame`` par valeur de ``by`` (ou d'un bloc si ``None``) : (clé, groupe)."""
    if not by:
        yield {}, frame
        return
    for key, group in frame.groupby(by, sort=True):
        yield {by: key}, group


def _lines(actions: pd.DataFrame, financements: pd.DataFrame) -> pd.DataFrame:
    """Lignes de financement enrichies des attributs de leur action."""
    attrs = actions[["id", "pilier", "thematique", "statut", "porteur", "porteur_id"]]
    lines = financements.merge(attrs, left_on="action", right_on="id", how="left")
    return lines.drop(columns="id")


def allocate_cents(total: int, weights: Sequence[float]) -> list[int]:
    """Répartit ``total`` centimes selon ``weights`` (plus forts restes) : somme exacte.

    >>> allocate_cents(100, [1, 1, 1])
    [34, 33, 33]
    """
    if not weights:
        return []
    wsum = float(sum(weights))
    if wsum <= 0:
        weights, wsum = [1.0] * len(weights), float(len(weights))
    raw = [total * w / wsum for w in weights]
    base = [int(r // 1) for r in raw]
    rest = total - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base


# --------------------------------------------------------------------------- pondération


def allocation_weights(
    targets: pd.DataFrame, population: Mapping[str, float] | None = None, mode: str = "egale"
) -> pd.DataFrame:
    """Poids de chaque quartier d'une action (somme 1 par action).

    ``mode="egale"`` : 1/n ; ``mode="population"`` : proportionnel à la population du
    quartier. Si la population d'un quartier ciblé manque, l'action repasse en poids
    égaux (colonne ``repli`` vraie) : une population inconnue n'est jamais 0.

    >>> t = pd.DataFrame({"action": ["A", "A"], "quartier": ["Q1", "Q2"]})
    >>> allocation_weights(t, {"Q1": 3000, "Q2": 1000}, "population")["poids"].tolist()
    [0.75, 0.25]
    """
    if mode not in MODES:
        raise ValueError(f"mode de pondération inconnu : {mode} (attendu : {', '.join(MODES)})")
    out = targets.copy()
    out["poids"] = 0.0
    out["repli"] = False
    population = population or {}
    for _, idx in out.groupby("action", sort=False).groups.items():
        codes = out.loc[idx, "quartier"].tolist()
        pops = [population.get(c) for c in codes]
        usable = all(p is not None and p == p and p > 0 for p in pops)
        if mode == "population" and usable:
            total = float(sum(pops))  # type: ignore[arg-type]
            out.loc[idx, "poids"] = [float(p) / total for p in pops]  # type: ignore[arg-type]
        else:
            out.loc[idx, "poids"] = 1.0 / len(codes)
            out.loc[idx, "repli"] = mode == "population" and len(codes) > 1
    return out


def latest_population(
    valeurs: pd.DataFrame, indicateur: str = "population", annee: int | None = None
) -> dict[str, float]:
    """Population de chaque quartier : dernier millésime connu (≤ ``annee`` si possible)."""
    pop = valeurs[
        (valeurs["indicateur"] == indicateur)
        & (valeurs["niveau"] == "qpv")
        & (valeurs["statut"] == "ok")
    ]
    result: dict[str, float] = {}
    for code, rows in pop.groupby("code"):
        rows = rows.sort_values("annee")
        before = rows[rows["annee"] <= annee] if annee is not None else rows
        chosen = before if len(before) else rows
        result[str(code)] = float(chosen["valeur"].iloc[-1])
    return result


# --------------------------------------------------------------------------- totaux


def allocate_to_quartiers(
    actions: pd.DataFrame, financements: pd.DataFrame, cibles: pd.DataFrame
) -> pd.DataFrame:
    """Montants de chaque action ventilés sur ses quartiers selon ``cibles.poids``.

    Chaque montant d'action (demandé, accordé, versé) est réparti en centimes entiers
    par la méthode des plus forts restes : la somme des quartiers égale l'action. Une
    action sans quartier relié reste sur la ligne ``(sans quartier)``.
    Colonnes : action, annee, quartier, demande_centimes, accorde_centimes, verse_centimes.
    """
    cols = [f"{c}_centimes" for c in AMOUNTS]
    per_action = _sum_cents(financements, ["action"], AMOUNTS)
    years = actions.set_index("id")["annee"]
    by_action = {a: g for a, g in cibles.groupby("action", sort=False)}
    rows: list[dict] = []
    for rec in per_action.itertuples(index=False):
        action = rec.action
        targets = by_action.get(action)
        codes = targets["quartier"].tolist() if targets is not None else [SANS_QUARTIER]
        weights = targets["poids"].tolist() if targets is not None else [1.0]
        split = {}
        for col in cols:
            value = getattr(rec, col)
            split[col] = (
                [pd.NA] * len(codes) if pd.isna(value) else allocate_cents(int(value), weights)
            )
        for i, code in enumerate(codes):
            rows.append(
                {
                    "action": action,
                    "annee": years.get(action, pd.NA),
                    "quartier": code,
                    **{c: split[c][i] for c in cols},
                }
            )
    frame = pd.DataFrame(rows, columns=["action", "annee", "quartier", *cols])
    for c in cols + ["annee"]:
        frame[c] = frame[c].astype("Int64")
    return frame


def totals(
    actions: pd.DataFrame,
    financements: pd.DataFrame,
    cibles: pd.DataFrame | None = None,
    by: str | Sequence[str] | None = "annee",
) -> pd.DataFrame:
    """Totaux demandé / accordé / versé (euros exacts) et nombre d'actions par groupe.

    ``by`` : ``annee``, ``pilier``, ``thematique``, ``financeur``, ``statut``,
    ``quartier`` (ventilation par les poids des cibles), une liste de ces colonnes, ou
    ``None`` (une ligne « ensemble »).
    Un total dont toutes les lignes sont non renseignées reste vide (jamais 0).
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    if not keys:  # total général : une seule ligne « ensemble »
        keys = ["ensemble"]
        actions = actions.assign(ensemble="ensemble")
        financements = financements.assign(ensemble="ensemble")
    if "quartier" in keys:
        if cibles is None:
            raise ValueError("la ventilation par quartier demande la table cibles")
        lines = allocate_to_quartiers(actions, financements, cibles)
        lines = lines.merge(
            actions[["id", "pilier", "thematique", "statut"]],
            left_on="action",
            right_on="id",
            how="left",
        )
        if "financeur" in keys:
            raise ValueError("quartier × financeur n'est pas ventilé : choisissez l'un des deux")
    else:
        lines = _lines(actions, financements)
    result = _sum_cents(lines, keys, AMOUNTS)
    counts = lines.groupby(keys, dropna=False, sort=True)["action"].nunique()
    result = result.merge(counts.rename("actions").reset_index(), on=keys, how="left")
    return euros(result)


def refusal_rate(
    actions: pd.DataFrame, financements: pd.DataFrame, by: str | None = "annee"
) -> pd.DataFrame:
    """Taux de refus parmi les dossiers décidés (accordés, soldés, refusés).

    ``taux_refus`` : part des dossiers refusés ; ``taux_refus_montant`` : part du
    montant demandé des dossiers refusés dans le demandé des dossiers décidés.
    """
    decided = actions[actions["statut"].isin(STATUTS_DECIDES)].copy()
    asked = _sum_cents(financements, ["action"], ["demande"]).set_index("action")
    decided["demande_centimes"] = decided["id"].map(asked["demande_centimes"]).astype("Int64")
    decided["refuse"] = decided["statut"] == "refuse"
    rows = []
    for row, g in groups_of(decided, by):
        asked_all = g["demande_centimes"].sum(min_count=1)
        asked_ref = g.loc[g["refuse"], "demande_centimes"].sum(min_count=0)
        row.update(
            dossiers_decides=len(g),
            dossiers_refuses=int(g["refuse"].sum()),
            taux_refus=100.0 * g["refuse"].sum() / len(g) if len(g) else float("nan"),
            taux_refus_montant=(
                100.0 * int(asked_ref) / int(asked_all)
                if not pd.isna(asked_all) and int(asked_all) > 0
                else float("nan")
            ),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def execution_rate(
    actions: pd.DataFrame, financements: pd.DataFrame, by: str | None = "annee"
) -> pd.DataFrame:
    """Taux d'exécution = versé / accordé, sur les lignes dont le versé est connu.

    Les lignes accordées sans versement renseigné ne comptent pas (elles sont
    dénombrées dans ``lignes_sans_verse``) : un versement inconnu n'est pas 0.
    """
    lines = _lines(actions, financements)
    lines = lines[lines["statut"].isin(STATUTS_FINANCES)]
    lines = lines[lines["accorde_centimes"].fillna(0).astype("int64") > 0]
    known = lines[lines["verse_centimes"].notna()]
    rows = []
    for row, g in groups_of(lines, by):
        k = known.loc[known.index.intersection(g.index)]
        acc = int(k["accorde_centimes"].sum())
        ver = int(k["verse_centimes"].sum())
        row.update(
            accorde=cents_to_euros(acc) if len(k) else None,
            verse=cents_to_euros(ver) if len(k) else None,
            taux_execution=100.0 * ver / acc if acc else float("nan"),
            lignes_sans_verse=int(len(g) - len(k)),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def euros_per_inhabitant(
    allocated: pd.DataFrame,
    population: Mapping[str, float],
    montant: str = "accorde",
    quartiers: Sequence[str] = (),
) -> pd.DataFrame:
    """Euros par habitant par quartier (montants ventilés par :func:`allocate_to_quartiers`).

    ``quartiers`` : quartiers à faire figurer même sans aucune action (montant 0 €,
    un vrai zéro). Colonnes : quartier, montant (Decimal), population,
    euros_par_habitant (NaN si la population est inconnue : jamais divisé par 0).
    """
    col = f"{montant}_centimes"
    data = allocated[allocated["quartier"] != SANS_QUARTIER]
    sums = data.groupby("quartier", sort=True)[col].sum(min_count=0).astype("Int64")
    missing = [q for q in quartiers if q not in sums.index]
    if missing:
        sums = pd.concat([sums, pd.Series(0, index=missing, dtype="Int64")]).sort_index()
    out = pd.DataFrame({"quartier": sums.index.astype(str), "centimes": sums.to_numpy()})
    out["montant"] = [cents_to_euros(v) for v in out["centimes"]]
    out["population"] = [population.get(q, float("nan")) for q in out["quartier"]]
    out["euros_par_habitant"] = [
        float(Decimal(int(c)) / Decimal(100) / Decimal(str(p)))
        if not pd.isna(c) and p == p and p > 0
        else float("nan")
        for c, p in zip(out["centimes"], out["population"], strict=True)
    ]
    return out.drop(columns="centimes")


def spread(values: pd.Series) -> dict[str, float]:
    """Dispersion d'une série (euros par habitant) : min, max, moyenne, médiane,
    écart-type (population), coefficient de variation (%), rapport max/min, écart interquartile.
    Les valeurs manquantes sont exclues (``n`` dit combien restent)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty:
        return {"n": 0}
    mean = float(v.mean())
    std = float(v.std(ddof=0))
    return {
        "n": int(len(v)),
        "minimum": float(v.min()),
        "maximum": float(v.max()),
        "moyenne": mean,
        "mediane": float(v.median()),
        "ecart_type": std,
        "coefficient_variation": 100.0 * std / mean if mean else float("nan"),
        "rapport_max_min": float(v.max() / v.min()) if v.min() > 0 else float("nan"),
        "ecart_interquartile": float(v.quantile(0.75) - v.quantile(0.25)),
    }
