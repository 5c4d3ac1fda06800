"""Construction des tables du contrat de ville ligne par ligne, avec contrôles localisés.

:class:`ContratBuilder` (commun aux adaptateurs ``programmation`` et
``subventions_scdl``) accumule actions, lignes de financement et quartiers ciblés,
contrôle chaque valeur (montant négatif, année impossible, quartier ou statut
inconnu → erreur ; accordé > demandé → avertissement) et calcule les poids
d'allocation. :class:`RowParser` lit les lignes d'un classeur de programmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from observatoire.analysis.contrat import allocation_weights, latest_population
from observatoire.config import SourceConfig
from observatoire.errors import InputError, Problem, ProblemCollector, cascade_problem
from observatoire.schemas import empty_table
from observatoire.schemas.contrat import ANNEE_MIN, STATUT_LIBELLES
from observatoire.sources.contrat_values import (
    AMOUNT_EXPECTED,
    COUNT_EXPECTED,
    PILIERS_DEFAUT,
    TargetResolver,
    build_lookup,
    cents_to_euros,
    normalise_status,
    parse_amount,
    parse_count,
    status_lookup,
)
from observatoire.sources.registry import LoadContext
from observatoire.sources.tabular import RawTable, normalise_label
from observatoire.sources.values import CellValueError, parse_bool_cell, unescape_excel
from observatoire.views.format import format_euros

YEAR_MAX = date.today().year + 5
RENEWAL_WORDS = {"reconduite": True, "reconduction": True, "renouvellement": True,
                 "nouvelle": False, "nouveau": False, "creation": False}  # fmt: skip


def _eur(cents: int) -> str:
    return format_euros(cents_to_euros(cents), decimals=2)


def _non_negative(parse, what: str, expected: str, cell, pb, row, column) -> int | None:
    try:
        value = parse(cell)
    except CellValueError as exc:
        pb.add(exc.reason, row=row, column=column, found=cell, expected=exc.expected)
        return None
    except ValueError:
        pb.add(f"{what} illisible", row=row, column=column, found=cell, expected=expected)
        return None
    if value is not None and value < 0:
        pb.add(f"{what} négatif", row=row, column=column, found=cell, expected=f"{expected} (≥ 0)")
        return None
    return value


def problem(file: str, message: str, **kwargs) -> Problem:
    return Problem(file, message, **kwargs)


@dataclass
class ContratBuilder:
    """Accumule les lignes d'une source ; :meth:`finish` rend les trois tables."""

    source: str
    resolver: TargetResolver | None
    population: dict[str, float]
    mode: str = "egale"
    ctx: LoadContext | None = None
    actions: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    collectors: list[ProblemCollector] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)
    cascades: dict[tuple[int, str], tuple[int, list[int]]] = field(default_factory=dict)

    @classmethod
    def for_source(cls, source: SourceConfig, ctx: LoadContext) -> ContratBuilder:
        mode = str(source.get("ponderation", "egale"))
        if mode not in ("egale", "population"):
            raise source.error("pondération inconnue", "ponderation", mode, "egale ou population")
        terr = ctx.tables.get("territoires")
        resolver = None
        if terr is not None and len(terr):
            generation = ctx.config.territoire.generation
            resolver = TargetResolver(terr, generation, source.get("quartiers") or {})
        population: dict[str, float] = {}
        if mode == "population":
            valeurs = ctx.tables.get("valeurs")
            ind = str(source.get("indicateur_population", "population"))
            if valeurs is not None and len(valeurs):
                population = latest_population(valeurs, ind)
        return cls(source.name, resolver, population, mode, ctx)

    # ----------------------------------------------------------------- contrôles
    def amount(self, cell: object, pb: ProblemCollector, row: int, column: str) -> int | None:
        """Montant en centimes ; illisible ou négatif → erreur localisée, ``None``."""
        return _non_negative(parse_amount, "montant", AMOUNT_EXPECTED, cell, pb, row, column)

    def count(self, cell: object, pb: ProblemCollector, row: int, column: str) -> int | None:
        """Effectif entier ; illisible ou négatif → erreur localisée, ``None``."""
        return _non_negative(parse_count, "effectif", COUNT_EXPECTED, cell, pb, row, column)

    def year(self, value: object, pb: ProblemCollector, row: int, column: str | None) -> int | None:
        text = unescape_excel(value)
        try:
            year = int(float(text.replace(",", "."))) if text else None
        except ValueError:
            year = None
        if year is None or not ANNEE_MIN <= year <= YEAR_MAX:
            pb.add(
                "année de programmation impossible",
                row=row,
                column=column,
                found=value,
                expected=f"une année entre {ANNEE_MIN} et {YEAR_MAX}",
            )
            return None
        return year

    def quartiers(
        self, cell: object, commune: object, pb: ProblemCollector, row: int, column: str
    ) -> list[str]:
        if self.resolver is None:
            pb.add(
                "les quartiers ciblés ne peuvent pas être reconnus sans la table des territoires",
                column=column,
                expected="une source de type qpv_liste ou territoires dans la configuration",
            )
            return []
        codes, unknown = self.resolver.resolve(cell, commune)
        causes = self.ctx.failed.get("territoires", []) if self.ctx is not None else []
        if unknown and causes:  # liste des QPV en erreur : un message, pas une cascade
            self._cascade(pb, row, column, causes)
            return codes
        for item in unknown:
            pb.add(
                "quartier inconnu",
                row=row,
                column=column,
                found=item,
                expected="un code QPV ou un nom de quartier du territoire, ou « tous les QPV de "
                "<commune> » (alias possibles : option quartiers)",
            )
        return codes

    def _cascade(self, pb: ProblemCollector, row: int, column: str, causes: list[str]) -> None:
        index, rows = self.cascades.get((id(pb), column), (len(pb.problems), []))
        rows.append(row)
        problem = cascade_problem(pb.file, rows, column, "des quartiers", causes)
        if index < len(pb.problems):
            pb.problems[index] = problem
        else:
            pb.problems.append(problem)
        self.cascades[(id(pb), column)] = (index, rows)

    # ----------------------------------------------------------------- accumulation
    def add_action(self, record: dict, pb: ProblemCollector, row: int, column: str) -> bool:
        ident = record["id"]
        if ident in self.seen:
            pb.add(
                f"numéro de dossier en double (déjà vu : {self.seen[ident]})",
                row=row,
                column=column,
                found=ident,
                expected="un numéro de dossier unique",
            )
            return False
        self.seen[ident] = f"{pb.file}, ligne {row}"
        self.actions.append({**record, "source": self.source, "ligne": row})
        return True

    def add_line(self, record: dict, pb: ProblemCollector, row: int, column: str | None) -> None:
        dem, acc, ver = (record.get(f"{k}_centimes") for k in ("demande", "accorde", "verse"))
        if dem is not None and acc is not None and acc > dem:
            pb.warn(
                f"montant accordé supérieur au montant demandé ({record['financeur']})",
                row=row,
                column=column,
                found=f"{_eur(acc)} accordés pour {_eur(dem)} demandés",
                expected="accordé ≤ demandé",
            )
        if acc is not None and ver is not None and ver > acc:
            pb.warn(
                f"montant versé supérieur au montant accordé ({record['financeur']})",
                row=row,
                column=column,
                found=f"{_eur(ver)} versés pour {_eur(acc)} accordés",
                expected="versé ≤ accordé",
            )
        self.lines.append({**record, "source": self.source, "ligne": row})

    def add_targets(self, action: str, codes: list[str], row: int) -> None:
        for code in codes:
            self.targets.append({"action": action, "quartier": code, "ligne": row})

    def finish(self) -> dict[str, pd.DataFrame]:
        problems = [p for c in self.collectors for p in c.problems]
        if any(p.severity == "erreur" for p in problems):
            raise InputError(problems)
        if self.ctx is not None:
            self.ctx.warnings += [p for p in problems if p.severity != "erreur"]
        actions = _frame("actions", self.actions)
        lines = _frame("financements", self.lines)
        targets = pd.DataFrame(self.targets, columns=["action", "quartier", "ligne"])
        weighted = allocation_weights(targets, self.population, self.mode)
        fallback = sorted(set(weighted.loc[weighted["repli"], "action"]))
        if fallback and self.ctx is not None:
            self.ctx.warnings.append(
                problem(
                    self.source,
                    f"{len(fallback)} action(s) réparties à parts égales faute de population "
                    "connue pour l'un de leurs quartiers",
                    found=", ".join(fallback[:10]) + (" …" if len(fallback) > 10 else ""),
                    expected="l'indicateur de population pour chaque quartier ciblé",
                    severity="avertissement",
                )
            )
        weighted["source"] = self.source
        cibles = _frame("cibles", weighted.drop(columns="repli").to_dict("records"))
        return {"actions": actions, "financements": lines, "cibles": cibles}


def _frame(name: str, records: list[dict]) -> pd.DataFrame:
    empty = empty_table(name)
    frame = pd.DataFrame(records, columns=list(empty.columns)) if records else empty
    for col in empty.columns:
        dtype = empty[col].dtype
        frame[col] = frame[col].astype(dtype) if str(dtype) != "object" else frame[col]
    return frame


def parse_renewal(cell: object) -> bool | None:
    key = normalise_label(unescape_excel(cell))
    if key in RENEWAL_WORDS:
        return RENEWAL_WORDS[key]
    return parse_bool_cell(cell)


@dataclass
class RowParser:
    """Lit les lignes d'un tableau de programmation dans un :class:`ContratBuilder`."""

    builder: ContratBuilder
    piliers: dict[str, str]
    statuts: dict[str, str]
    default_status: str | None
    financeur_labels: dict[str, str]
    etat: str

    @classmethod
    def from_source(cls, source: SourceConfig, ctx: LoadContext) -> RowParser:
        statuts = status_lookup(source.get("statuts"))
        default = source.get("statut_par_defaut")
        if default is not None:
            default = normalise_status(default, statuts)
            if default is None:
                raise source.error("statut inconnu", "statut_par_defaut", source.get("statut_par_defaut"),
                                   ", ".join(STATUT_LIBELLES.values()))  # fmt: skip
        bad = [k for k, v in statuts.items() if v not in STATUT_LIBELLES]
        if bad:
            raise source.error("statut cible inconnu", "statuts", bad, ", ".join(STATUT_LIBELLES))
        financeurs = source.get("financeurs") or {}
        labels = {k: str(v.get("libelle") or k) for k, v in financeurs.items()}
        etat = str(source.get("financeur_etat", "etat"))
        if source.get("financeur_etat") and etat not in financeurs:
            raise source.error("financeur inconnu", "financeur_etat", etat, ", ".join(financeurs))
        return cls(
            ContratBuilder.for_source(source, ctx),
            build_lookup(source.get("piliers") or PILIERS_DEFAUT),
            statuts,
            default,
            labels,
            etat,
        )

    def parse(
        self,
        table: RawTable,
        mapping: dict[str, str],
        money: dict[str, dict[str, str]],
        pb: ProblemCollector,
        sheet: str | None,
        year: int | None,
    ) -> None:
        b = self.builder
        b.collectors.append(pb)
        frame = table.frame
        for pos, rec in enumerate(frame.itertuples(index=False)):
            row = table.line_of(pos)
            cells = dict(zip(frame.columns, rec, strict=True))

            def cell(key: str, cells: dict = cells) -> str:
                return unescape_excel(cells.get(mapping.get(key, ""), ""))

            filled = [str(v).strip() for v in rec if str(v).strip()]
            if len(set(filled)) == 1 and (len(filled) > 1 or " " in filled[0]):
                continue  # intertitre (« Pilier 1 — Cohésion sociale »), souvent fusionné
            ident = cell("dossier")
            if not ident:
                if any("total" in str(v).lower() for v in rec) or not cell("intitule"):
                    continue  # ligne de total ou de sous-titre
                pb.add("numéro de dossier manquant", row=row, column=mapping.get("dossier"),
                       expected="un numéro de dossier")  # fmt: skip
                continue
            annee = b.year(cell("annee"), pb, row, mapping["annee"]) if "annee" in mapping else year
            statut = self.default_status or "accorde"
            if "statut" in mapping:
                statut = normalise_status(cell("statut"), self.statuts)
                if statut is None:
                    pb.add("statut inconnu", row=row, column=mapping["statut"], found=cell("statut"),
                           expected="un de : " + ", ".join(STATUT_LIBELLES.values())
                           + " (autres libellés : option statuts)")  # fmt: skip
            pilier = None
            if cell("pilier"):
                pilier = self.piliers.get(normalise_label(cell("pilier")))
                if pilier is None:
                    pb.add("pilier inconnu", row=row, column=mapping["pilier"], found=cell("pilier"),
                           expected="un de : " + ", ".join(sorted(set(self.piliers.values())))
                           + " (liste configurable : option piliers)")  # fmt: skip
            counts = {
                k: b.count(cell(k), pb, row, mapping[k]) if k in mapping else None
                for k in ("beneficiaires_prevus", "beneficiaires_realises", "beneficiaires_qpv")
            }
            renewal = None
            if cell("reconduction"):
                try:
                    renewal = parse_renewal(cell("reconduction"))
                except ValueError:
                    pb.add("reconduction illisible", row=row, column=mapping["reconduction"],
                           found=cell("reconduction"), expected="oui/non, reconduite/nouvelle")  # fmt: skip
            record = {
                "id": ident,
                "annee": annee,
                "intitule": cell("intitule") or None,
                "porteur": cell("porteur") or None,
                "porteur_id": cell("porteur_id").replace(" ", "") or None,
                "pilier": pilier,
                "thematique": cell("thematique") or None,
                "statut": statut,
                "cout_total_centimes": (
                    b.amount(cell("cout_total"), pb, row, mapping["cout_total"])
                    if "cout_total" in mapping
                    else None
                ),
                **counts,
                "reconduction": renewal,
                "feuille": sheet,
            }
            if not b.add_action(record, pb, row, mapping["dossier"]):
                continue
            if "quartiers" in mapping:
                codes = b.quartiers(
                    cell("quartiers"), cell("commune"), pb, row, mapping["quartiers"]
                )
                if not codes and not cell("quartiers"):
                    pb.warn("aucun quartier ciblé : l'action ne sera pas ventilée par quartier",
                            row=row, column=mapping["quartiers"], found="")  # fmt: skip
                b.add_targets(ident, codes, row)
            self._funding(ident, annee, statut, cells, money, pb, row)

    def _funding(self, ident, annee, statut, cells, money, pb, row) -> None:
        b = self.builder
        for key, cols in money.items():
            amounts = {
                f"{k}_centimes": b.amount(unescape_excel(cells.get(col, "")), pb, row, col)
                for k, col in cols.items()
            }
            if all(v is None for v in amounts.values()):
                continue
            if statut == "refuse" and (amounts.get("accorde_centimes") or 0) > 0:
                pb.warn("montant accordé à un dossier refusé", row=row, column=cols.get("accorde"),
                        found=cells.get(cols.get("accorde", ""), ""), expected="0 ou vide")  # fmt: skip
            record = {"action": ident, "annee": annee, "financeur": self.financeur_labels[key],
                      "credits_pv": key == self.etat, **amounts}  # fmt: skip
            b.add_line(record, pb, row, cols.get("accorde") or cols.get("demande"))

    def finish(self) -> dict[str, pd.DataFrame]:
        return self.builder.finish()
