"""Adaptateur ``subventions_scdl`` : données essentielles des subventions (schéma SCDL).

Le schéma « Subventions » d'OpenDataFrance (``nomAttribuant, idAttribuant,
dateConvention, referenceDecision, nomBeneficiaire, idBeneficiaire, objet, montant,
nature, conditionsVersement, datesPeriodeVersement, idRAE, notificationUE,
pourcentageSubvention`` + ``dispositifAide``) n'a pas de colonne quartier : chaque
subvention devient une action accordée avec une ligne de financement d'un seul
financeur, reliée aux quartiers et piliers par une correspondance fournie par
l'agent (fichier de liens, identifiant du bénéficiaire, mot-clé dans ``objet``).
Ce qui reste non relié est gardé et signalé en avertissement (``observatoire valider``).

Exemple ::

    [sources.subventions_ville]
    type = "subventions_scdl"
    fichier = "contrat/subventions_2025.csv"
    financeur = "Ville de Valbrume"
    liens_beneficiaires = { "77567227200016" = { quartiers = "QN00001A", pilier = "Cohésion sociale" } }
    mots_cles = [ { mot = "soutien scolaire", quartiers = "tous les QPV", pilier = "Cohésion sociale" } ]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from observatoire.config import SourceConfig
from observatoire.errors import ProblemCollector
from observatoire.sources.contrat_rows import ContratBuilder, problem
from observatoire.sources.contrat_values import PILIERS_DEFAUT, build_lookup
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.tabular import normalise_label, read_raw_table, resolve_columns
from observatoire.sources.values import (
    DATE_EXPECTED,
    parse_date_cell,
    parse_number_cell,
    unescape_excel,
)

SCDL_COLUMNS = {
    "attribuant": "nomAttribuant",
    "date": "dateConvention",
    "reference": "referenceDecision",
    "beneficiaire": "nomBeneficiaire",
    "beneficiaire_id": "idBeneficiaire",
    "objet": "objet",
    "montant": "montant",
}
OPTIONAL_COLUMNS = {
    "rna": "rnaBeneficiaire",
    "dispositif": "dispositifAide",
    "pourcentage": "pourcentageSubvention",
}

OPTIONS = {
    "financeur": "nom du financeur des lignes (défaut : nomAttribuant)",
    "credits_pv": "vrai si ces subventions sont des crédits État politique de la ville",
    "annee": "année de programmation (défaut : année de dateConvention)",
    "encodage": "encodage du CSV (défaut : détecté ; Windows-1252 reconnu)",
    "separateur": "séparateur du CSV (défaut : détecté)",
    "fichier_liens": "CSV de jointure : referenceDecision ou idBeneficiaire → quartiers, pilier, thematique",
    "liens_beneficiaires": "table : idBeneficiaire → { quartiers, pilier, thematique }",
    "mots_cles": "liste de tables { mot, quartiers, pilier, thematique } cherchées dans objet",
    "piliers": "table : pilier → liste d'alias (remplace la liste par défaut)",
    "quartiers": "table : libellé → code QPV (alias de quartiers)",
    "ponderation": "répartition sur plusieurs quartiers : egale (défaut) ou population",
    "indicateur_population": "indicateur de population pour ponderation = population",
}


# Colonnes du fichier de liens, reconnues sans casse, accents ni séparateurs (voir _compact).
LINK_COLUMNS = {
    "quartiers": (
        "quartiers", "quartier", "code_qp", "codes_qp", "code_qpv", "codes_qpv", "codeqpv",
        "code_quartier", "codes_quartiers", "code_quartiers", "qp", "qpv", "quartiers_qpv",
        "quartier_prioritaire", "quartiers_prioritaires", "cible_qpv",
    ),
    "pilier": ("pilier", "piliers", "pilier_contrat", "pilier_cdv"),
    "thematique": ("thematique", "thematiques", "theme", "themes"),
    "referencedecision": ("referencedecision", "reference_decision", "reference", "ref_decision"),
    "idbeneficiaire": ("idbeneficiaire", "id_beneficiaire", "siret", "siret_beneficiaire"),
}  # fmt: skip


def _compact(label: object) -> str:
    """Nom de colonne comparable : sans casse, accents, espaces ni séparateurs (``Code-QP``
    → ``codeqp``)."""
    return "".join(ch for ch in normalise_label(label) if ch.isalnum())


def link_columns(columns: list[str]) -> dict[str, str]:
    """Colonnes reconnues du fichier de liens : clé (``quartiers``, ``pilier``…) → nom réel.

    >>> link_columns(["Référence décision", "CODE_QP", "Pilier"])
    {'quartiers': 'CODE_QP', 'pilier': 'Pilier', 'referencedecision': 'Référence décision'}
    """
    actual = {_compact(c): c for c in columns}
    found = {}
    for key, names in LINK_COLUMNS.items():
        hit = next((actual[_compact(n)] for n in names if _compact(n) in actual), None)
        if hit is not None and hit not in found.values():
            found[key] = hit
    return found


def _links_file(source: SourceConfig, ctx: LoadContext) -> tuple[dict, dict, ProblemCollector]:
    """Lit le fichier de liens : (par référence, par bénéficiaire, anomalies).

    La colonne des quartiers est reconnue sous ses noms usuels (``quartiers``,
    ``code_qp``, ``CODE_QP``, ``code_quartier``…) ; sans elle, le fichier est refusé
    (jamais ignoré) avec les colonnes trouvées et les noms attendus.
    """
    rel = str(source.get("fichier_liens"))
    root = ctx.config.root
    path = (root / rel).resolve()
    pb = ProblemCollector(Path(rel).name)
    if root not in path.parents or not path.exists():
        raise source.error("fichier de liens introuvable ou hors du projet", "fichier_liens", rel)
    table = read_raw_table(
        path,
        problems=pb,
        expected=[n for names in LINK_COLUMNS.values() for n in names],
        display_name=Path(rel).name,
    )
    cols = link_columns(list(table.frame.columns))
    found = ", ".join(map(str, table.frame.columns))
    if "quartiers" not in cols:
        pb.add(
            f"colonne des quartiers introuvable dans le fichier de liens (colonnes trouvées : "
            f"{found})",
            expected="une colonne nommée quartiers, code_qp, CODE_QP, code_quartier, code_qpv "
            "ou qp (casse, accents et séparateurs indifférents), qui donne les codes QPV "
            "(ou « tous les QPV ») de chaque subvention",
        )
    if "referencedecision" not in cols and "idbeneficiaire" not in cols:
        pb.add(
            f"colonne de jointure introuvable dans le fichier de liens (colonnes trouvées : "
            f"{found})",
            expected="une colonne referenceDecision (ou reference_decision) ou "
            "idBeneficiaire (ou SIRET)",
        )
    if pb.errors:
        return {}, {}, pb
    by_ref: dict[str, dict] = {}
    by_id: dict[str, dict] = {}
    for pos, rec in enumerate(table.frame.to_dict("records")):
        link = {
            k: unescape_excel(rec.get(cols.get(k, ""), "")) or None
            for k in ("quartiers", "pilier", "thematique")
        }
        link["ligne"] = table.line_of(pos)
        ref = unescape_excel(rec.get(cols.get("referencedecision", ""), ""))
        ident = unescape_excel(rec.get(cols.get("idbeneficiaire", ""), "")).replace(" ", "")
        if ref:
            by_ref[ref] = link
        elif ident:
            by_id[ident] = link
        else:
            pb.add("ligne sans referenceDecision ni idBeneficiaire", row=link["ligne"],
                   expected="l'une des deux clés de jointure")  # fmt: skip
    return by_ref, by_id, pb


def _total_cost(montant: int | None, share: object) -> int | None:
    """Coût du projet déduit de ``pourcentageSubvention`` (0-1, ou 0-100) ; sinon ``None``.

    >>> _total_cost(250050, "0,5")
    500100
    """
    try:
        value, status, _ = parse_number_cell(share)
    except ValueError:
        return None
    if montant is None or status != "ok" or value is None or value <= 0:
        return None
    ratio = value / 100 if value > 1 else value
    return round(montant / ratio)


def _link(rec: dict, by_ref: dict, by_id: dict, by_benef: dict, keywords: list) -> dict | None:
    if rec["reference"] and rec["reference"] in by_ref:
        return by_ref[rec["reference"]]
    for ident in (rec["beneficiaire_id"], rec.get("rna")):
        if ident and ident in by_id:
            return by_id[ident]
        if ident and ident in by_benef:
            return by_benef[ident]
    objet = normalise_label(rec["objet"] or "")
    for kw in keywords:
        if normalise_label(kw.get("mot", "")) in objet:
            return kw
    return None


def load_scdl(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Charge un fichier SCDL Subventions → actions, financements, cibles."""
    if source.path is None:
        raise source.error("aucun fichier indiqué", "fichier", expected='fichier = "…"')
    pb = ProblemCollector(source.label)
    table = read_raw_table(
        source.path,
        problems=pb,
        encoding=source.get("encodage"),
        separator=source.get("separateur"),
        expected=list(SCDL_COLUMNS.values()),
    )
    mapping = resolve_columns(table, SCDL_COLUMNS, pb, context="schéma SCDL")
    optional = resolve_columns(table, OPTIONAL_COLUMNS, ProblemCollector(source.label))
    mapping.update(optional)
    pb.raise_if_any()
    builder = ContratBuilder.for_source(source, ctx)
    builder.collectors.append(pb)
    by_ref, by_id = {}, {}
    if source.get("fichier_liens"):
        by_ref, by_id, links_pb = _links_file(source, ctx)
        builder.collectors.append(links_pb)
    by_benef = {
        str(k).replace(" ", ""): v for k, v in (source.get("liens_beneficiaires") or {}).items()
    }
    keywords = list(source.get("mots_cles") or [])
    piliers = build_lookup(source.get("piliers") or PILIERS_DEFAUT)
    unlinked: list[str] = []
    for pos, raw in enumerate(table.frame.to_dict("records")):
        row = table.line_of(pos)
        rec = {k: unescape_excel(raw.get(col, "")) for k, col in mapping.items()}
        rec["beneficiaire_id"] = rec.get("beneficiaire_id", "").replace(" ", "")
        montant = builder.amount(rec.get("montant"), pb, row, mapping.get("montant", "montant"))
        if not rec.get("montant"):
            pb.add("montant manquant", row=row, column=mapping.get("montant"),
                   expected="un montant en euros (ex. 31 000,00)")  # fmt: skip
        year = source.get("annee")
        if year is None:
            try:
                when = parse_date_cell(rec.get("date"))
            except ValueError:
                when = None
            if when is None:
                pb.add("date de convention illisible", row=row, column=mapping.get("date"),
                       found=rec.get("date"), expected=DATE_EXPECTED + " (ou option annee)")  # fmt: skip
                continue
            year = when.year
        year = builder.year(year, pb, row, mapping.get("date"))
        ident = rec.get("reference") or f"L{row}"
        ident = f"{source.name}:{ident}"
        if ident in builder.seen:  # une décision peut couvrir plusieurs bénéficiaires
            ident = f"{ident}:L{row}"
        link = _link(rec, by_ref, by_id, by_benef, keywords) or {}
        pilier = None
        if link.get("pilier"):
            pilier = piliers.get(normalise_label(link["pilier"]))
            if pilier is None:
                pb.add("pilier inconnu dans la correspondance", row=row, found=link["pilier"],
                       expected="un de : " + ", ".join(sorted(set(piliers.values()))))  # fmt: skip
        record = {
            "id": ident, "annee": year, "intitule": rec.get("objet") or None,
            "porteur": rec.get("beneficiaire") or None,
            "porteur_id": rec.get("beneficiaire_id") or rec.get("rna") or None,
            "pilier": pilier, "thematique": link.get("thematique"), "statut": "accorde",
            "cout_total_centimes": _total_cost(montant, rec.get("pourcentage")),
            "beneficiaires_prevus": None,
            "beneficiaires_realises": None, "beneficiaires_qpv": None,
            "reconduction": None, "feuille": None,
        }  # fmt: skip
        if not builder.add_action(record, pb, row, mapping.get("reference", "referenceDecision")):
            continue
        codes = []
        if link.get("quartiers"):
            codes = builder.quartiers(
                link["quartiers"], None, pb, row, "quartiers (correspondance)"
            )
        builder.add_targets(ident, codes, row)
        missing = [w for w, ok in (("quartier", codes), ("pilier", pilier)) if not ok]
        if missing:
            unlinked.append(ident)
            pb.warn(
                "subvention non reliée (" + ", ".join(missing) + ") : gardée dans les totaux, "
                "absente des analyses par quartier" + (" et par pilier" if pilier is None else ""),
                row=row,
                column=mapping.get("objet"),
                found=f"{rec.get('beneficiaire')} — {rec.get('objet')} — {rec.get('montant')} €",
                expected="une correspondance : fichier_liens, liens_beneficiaires ou mots_cles",
            )
        financeur = source.get("financeur") or rec.get("attribuant") or source.name
        builder.add_line(
            {"action": ident, "annee": year, "financeur": str(financeur),
             "credits_pv": bool(source.get("credits_pv", False)), "demande_centimes": None,
             "accorde_centimes": montant, "verse_centimes": None},
            pb, row, mapping.get("montant"),
        )  # fmt: skip
    tables = builder.finish()
    if unlinked:
        ctx.warnings.append(
            problem(
                source.label,
                f"{len(unlinked)} subvention(s) sur {len(table.frame)} "
                "non reliée(s) à un quartier ou un pilier (détail ligne par ligne ci-dessus)",
                severity="avertissement",
            )  # fmt: skip
        )
    return tables


ADAPTERS = [
    Adapter(
        type="subventions_scdl",
        tables=("actions", "financements", "cibles"),
        load=load_scdl,
        options=OPTIONS,
        needs=("territoires", "valeurs"),
        file_options=("fichier_liens",),
        description="Subventions au format SCDL (OpenDataFrance), un financeur par fichier.",
    )
]
