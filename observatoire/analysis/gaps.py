"""Écarts des quartiers à leurs territoires de référence (fonctions pures).

Pour chaque quartier × indicateur × millésime et chaque référence (commune(s),
EPCI, département, France, ensemble des QPV…) : valeur du quartier, valeur de la
référence, écart (dans l'unité de l'indicateur : points pour un taux en %),
rapport (quartier / référence) et ``defavorable`` selon la polarité du catalogue
(-1 : plus élevé = défavorable ; +1 : plus bas = défavorable ; 0 : neutre → NA).

Quartier sur plusieurs communes : la référence « commune » est la combinaison de
ses communes calculée comme un agrégat (:func:`weighted_aggregate` : rapport des
sommes si numérateurs et dénominateurs existent, sinon moyenne pondérée par la
population) ; si une des communes n'a pas de valeur, la référence est déclarée
non disponible plutôt que calculée sur une partie du territoire.

Exemple ::

    table = gaps(obs.valeurs, obs.territoires, obs.catalogue, codes=["QN00001A"])
    table.query("indicateur == 'taux_pauvrete' and reference == 'france'")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from observatoire.analysis.aggregates import AggregateIndex

DEFAULT_REFERENCES = ("commune", "epci", "departement", "france", "ensemble_qpv")
PARENT_COLUMNS = {"commune": "communes", "epci": "epci", "departement": "departement"}
PARENT_COLUMNS["region"] = "region"
REFERENCE_LABELS = {
    "qpv": "Quartier",
    "commune": "Commune",
    "epci": "EPCI",
    "ept": "EPT",
    "unite_urbaine": "Unité urbaine",
    "departement": "Département",
    "region": "Région",
    "france": "France",
    "france_metropolitaine": "France métropolitaine",
    "ensemble_qpv": "Ensemble des QPV",
}
GAP_COLUMNS = [
    "code",
    "indicateur",
    "annee",
    "valeur",
    "statut",
    "reference",
    "reference_code",
    "reference_nom",
    "reference_valeur",
    "reference_statut",
    "ecart",
    "rapport",
    "defavorable",
    "polarite",
    "unite",
    "note",
]


def split_communes(text: object) -> list[str]:
    """``"00101;00102"`` → ``["00101", "00102"]`` (liste vide si absent)."""
    if not isinstance(text, str):
        return []
    return [c.strip() for c in text.replace(",", ";").split(";") if c.strip()]


def reference_map(territoires: pd.DataFrame, codes: Sequence[str], niveau: str) -> pd.Series:
    """Code de la référence ``niveau`` de chaque quartier (index : code du quartier).

    Pour ``commune``, un quartier multi-communes reçoit la clé ``"00101;00102"``.
    Pour un niveau sans colonne de rattachement (France, ensemble des QPV…), le
    territoire unique de ce niveau est utilisé.
    """
    quartiers = territoires[territoires["niveau"] == "qpv"].drop_duplicates("code")
    quartiers = quartiers.set_index("code").reindex(list(codes))
    column = PARENT_COLUMNS.get(niveau)
    if column is not None and column in quartiers:
        if niveau == "commune":
            return quartiers[column].map(lambda t: ";".join(split_communes(t)) or np.nan)
        return quartiers[column].where(quartiers[column].notna(), np.nan)
    candidates = territoires.loc[territoires["niveau"] == niveau, "code"].drop_duplicates()
    code = candidates.iloc[0] if len(candidates) == 1 else np.nan
    return pd.Series(code, index=quartiers.index, dtype=object)


def _reference_values(
    valeurs: pd.DataFrame,
    catalogue: pd.DataFrame,
    niveau: str,
    ref_codes: Iterable[str],
    indicateurs: Sequence[str],
    annees: Sequence[int],
) -> pd.DataFrame:
    """Valeurs des références (code de référence, indicateur, année) → valeur, statut, note."""
    ref_codes = sorted({c for c in ref_codes if isinstance(c, str)})
    single = [c for c in ref_codes if ";" not in c]
    rows = valeurs[
        (valeurs["niveau"] == niveau)
        & valeurs["code"].isin(single)
        & valeurs["indicateur"].isin(indicateurs)
        & valeurs["annee"].isin(annees)
    ]
    out = rows[["code", "indicateur", "annee", "valeur", "statut"]].rename(
        columns={"code": "reference_code"}
    )
    out = out.assign(note="")
    combined = []
    parts_needed = {c for key in ref_codes if ";" in key for c in key.split(";")}
    weight_ids = {"population", *catalogue["poids"].dropna().astype(str)}
    communes_values = valeurs[
        (valeurs["niveau"] == niveau)
        & valeurs["code"].isin(parts_needed)
        & (valeurs["indicateur"].isin(indicateurs) | valeurs["indicateur"].isin(weight_ids))
    ]
    index = AggregateIndex(communes_values, catalogue)  # indexée une fois pour tous les appels
    for key in (c for c in ref_codes if ";" in c):
        parts = key.split(";")
        for ind in indicateurs:
            for an in annees:
                agg = index.aggregate(parts, ind, int(an), note=False)
                if agg["n_inclus"] == 0 and agg["n_exclus"] == len(parts):
                    statut, valeur = ("absent", np.nan)
                    if agg["exclus_secret"] == len(parts):
                        statut = "secret"
                    if agg["exclus_absent"] == len(parts):
                        continue
                    note = "aucune des communes n'a de valeur"
                elif agg["n_exclus"]:
                    statut, valeur = "absent", np.nan
                    note = (
                        "référence non calculée : communes sans valeur ("
                        + ", ".join(agg["codes_exclus"])
                        + ")"
                    )
                else:
                    statut, valeur = "ok", agg["valeur"]
                    note = f"combinaison de {len(parts)} communes ({agg['methode']})"
                combined.append((key, ind, int(an), valeur, statut, note))
    if combined:
        extra = pd.DataFrame(combined, columns=out.columns)
        out = pd.concat([out, extra], ignore_index=True) if len(out) else extra
    return out.rename(columns={"valeur": "reference_valeur", "statut": "reference_statut"})


def gaps(
    valeurs: pd.DataFrame,
    territoires: pd.DataFrame,
    catalogue: pd.DataFrame,
    codes: Iterable[str] | None = None,
    indicateurs: Iterable[str] | None = None,
    annees: Iterable[int] | None = None,
    references: Sequence[str] = DEFAULT_REFERENCES,
) -> pd.DataFrame:
    """Table longue des écarts : une ligne par quartier × indicateur × millésime × référence.

    Colonnes : voir :data:`GAP_COLUMNS`. ``ecart`` = quartier − référence ;
    ``rapport`` = quartier / référence ; NaN dès qu'une des deux valeurs n'est pas
    disponible (secret ou absente : jamais 0).

    >>> gaps(v, t, cat, codes=["QN00001A"], indicateurs=["taux_pauvrete"])  # doctest: +SKIP
    """
    base = valeurs[valeurs["niveau"] == "qpv"]
    if codes is not None:
        base = base[base["code"].isin(list(codes))]
    if indicateurs is not None:
        base = base[base["indicateur"].isin(list(indicateurs))]
    if annees is not None:
        base = base[base["annee"].isin(list(annees))]
    base = base[["code", "indicateur", "annee", "valeur", "statut"]]
    if base.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    quartier_codes = base["code"].unique().tolist()
    inds = base["indicateur"].unique().tolist()
    years = [int(a) for a in base["annee"].unique()]
    names = territoires.drop_duplicates(["code", "niveau"]).set_index(["niveau", "code"])["nom"]
    frames = []
    for niveau in references:
        mapping = reference_map(territoires, quartier_codes, niveau)
        if mapping.notna().sum() == 0:
            continue
        ref_values = _reference_values(valeurs, catalogue, niveau, mapping, inds, years)
        part = base.assign(reference=niveau, reference_code=base["code"].map(mapping))
        part = part.merge(ref_values, on=["reference_code", "indicateur", "annee"], how="left")
        labels = {
            rc: _reference_name(names, niveau, rc)
            for rc in mapping.dropna().unique()
            if isinstance(rc, str)
        }
        part["reference_nom"] = [labels.get(rc) if isinstance(rc, str) else None
                                 for rc in part["reference_code"]]  # fmt: skip
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=GAP_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["reference_statut"] = out["reference_statut"].fillna("absent")
    out["note"] = out["note"].fillna("")
    both = (out["statut"] == "ok") & (out["reference_statut"] == "ok")
    out["ecart"] = np.where(both, out["valeur"] - out["reference_valeur"], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["valeur"] / out["reference_valeur"]
    out["rapport"] = np.where(both & (out["reference_valeur"] != 0), ratio, np.nan)
    cat = catalogue.drop_duplicates("id").set_index("id")
    out["polarite"] = out["indicateur"].map(cat["polarite"]).fillna(0).astype(int)
    out["unite"] = out["indicateur"].map(cat["unite"])
    out["defavorable"] = _unfavourable(out["ecart"], out["polarite"])
    order = {n: i for i, n in enumerate(references)}
    out["_o"] = out["reference"].map(order)  # colonne ajoutée sur place : pas de copie
    out = out.sort_values(["code", "indicateur", "annee", "_o"])
    return out[GAP_COLUMNS].reset_index(drop=True)


def _unfavourable(ecart: pd.Series, polarite: pd.Series) -> pd.Series:
    """Écart défavorable selon la polarité (NA si neutre ou écart inconnu)."""
    signed = ecart * -polarite  # > 0 : défavorable
    result = pd.Series(pd.NA, index=ecart.index, dtype="boolean")
    known = ecart.notna() & (polarite != 0)
    result[known] = signed[known] > 0
    return result


def _reference_name(names: pd.Series, niveau: str, code: object) -> str | None:
    if not isinstance(code, str):
        return None
    parts = code.split(";")
    found = [names.get((niveau, c)) for c in parts]
    found = [str(n) if isinstance(n, str) else c for n, c in zip(found, parts, strict=True)]
    return " et ".join(found) if len(found) > 1 else found[0]


def gaps_wide(table: pd.DataFrame) -> pd.DataFrame:
    """Vue large : une ligne par quartier × indicateur × millésime, une colonne par référence.

    >>> gaps_wide(gaps(...))[["code", "indicateur", "valeur", "france"]]  # doctest: +SKIP
    """
    if table.empty:
        return pd.DataFrame(columns=["code", "indicateur", "annee", "valeur", "statut"])
    keys = ["code", "indicateur", "annee", "valeur", "statut"]
    values = table.pivot_table(
        index=keys[:3], columns="reference", values="reference_valeur", aggfunc="first", sort=False
    )
    ecarts = table.pivot_table(
        index=keys[:3], columns="reference", values="ecart", aggfunc="first", sort=False
    ).add_prefix("ecart_")
    base = table.drop_duplicates(keys[:3]).set_index(keys[:3])[keys[3:]]
    order = list(dict.fromkeys(table["reference"]))
    values = values.reindex(columns=order)
    ecarts = ecarts.reindex(columns=[f"ecart_{r}" for r in order])
    out = base.join(values).join(ecarts).reset_index()
    out.columns.name = None
    return out
