"""Sections du bilan de concertation : qui est venu, ce qui a été dit, ce qui en a été fait.

Représentativité des participants des rencontres de la démarche contre la population de
ses quartiers (``obs.democratie.representativite``, petits effectifs masqués), publics
éloignés (moins de 30 ans, seniors, habitants des QPV), contributions par thème, suites
données et taux de prise en compte, justifications. Une donnée absente : une phrase.

Exemple ::

    b = democratie_bilan.contexte(obs, "C-2025-01")
    show(qui_est_venu(obs, b))
    show(ce_qui_a_ete_dit(obs, b))
    show(ce_qui_en_a_ete_fait(obs, b))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.analysis.representativite import QPV_OUI
from observatoire.publish import blocks
from observatoire.publish.sections import Blocks, absent
from observatoire.publish.sections.democratie_bilan import Bilan, source_of, text
from observatoire.views import participation as views
from observatoire.views.democratie import grouped_bars
from observatoire.views.format import format_number, format_percent

# Publics éloignés suivis par les chargés de participation, et leurs groupes de la
# représentativité (la pyramide des âges de l'INSEE est en tranches de 15 ans : les moins
# de 25 ans ne se séparent pas des 25-29 ans).
PUBLICS = (
    ("Jeunes de 15 à 29 ans", [("age", "15-29")]),
    ("Seniors de 60 ans et plus", [("age", "60-74"), ("age", "75+")]),
    ("Habitants des quartiers prioritaires", [("qpv", QPV_OUI)]),
)
YOUTH_NOTE = (
    "La pyramide des âges de l'INSEE est publiée par tranches de 15 ans : les moins de "
    "25 ans ne s'y distinguent pas des 25-29 ans, d'où la tranche des 15-29 ans."
)


def _pct(value: Any) -> str:
    return format_percent(100 * float(value))


def _shown(rep: pd.DataFrame) -> pd.DataFrame:
    known, masked, _missing = views.dimensions_renseignees(rep)
    return rep[rep["dimension"].isin(known + masked)]


def qui_est_venu(obs: Any, b: Bilan) -> Blocks:
    """Participants contre la population (figure, tableau) et publics éloignés."""
    d = obs.democratie
    if d.evenements(b.id).empty:
        return absent(
            "Sans rencontre rattachée à la démarche, le profil des participants (âge, sexe, "
            "lieu de résidence) n'est pas connu."
        )
    rep = d.representativite(b.id)
    rep = rep[rep["part_population"].notna()] if len(rep) else rep
    if rep.empty:
        return absent(
            "La représentativité des participants n'est pas calculable : la population par "
            "âge et par sexe des quartiers de la démarche (pyramide des âges) n'est pas connue."
        )
    known, masked, missing = views.dimensions_renseignees(rep)
    if not known:
        if missing and not masked:
            return absent(
                "Les feuilles de participation des rencontres de cette démarche ne décrivent "
                "les participants ni par âge, ni par sexe, ni par lieu de résidence (et aucune "
                "feuille de présence ne les décrit) : qui est venu n'est pas mesurable."
            )
        return absent(
            "Trop peu de participants de cette démarche sont décrits par leur âge, leur sexe "
            "ou leur lieu de résidence pour publier leur profil (petits effectifs masqués)."
        )
    shown = _shown(rep)
    listed = text(b.fiche.get("quartiers"))  # tout le territoire : tous ses quartiers
    where = text(b.fiche.get("noms_quartiers")) if listed else "ensemble des quartiers"
    source = (
        source_of(obs, "evenements").replace(" — Données fictives", "")
        + " ; population : INSEE (pyramide des âges)"
    )
    fig = views.representativeness_chart(
        shown, f"Qui est venu ? {b.objet} — population : {where}", obs.fictif, source
    )
    out: Blocks = [blocks.figure(fig, display=False)]
    frame = pd.DataFrame(
        {
            "Groupe": shown["libelle"].astype(str),
            "Part parmi les participants": [
                a or ("n.d." if pd.isna(v) else _pct(v))
                for v, a in zip(shown["part_participants"], shown["affichage"], strict=True)
            ],
            "Part dans la population": [_pct(v) for v in shown["part_population"]],
            "Rapport": [
                "masqué" if a else ("n.d." if pd.isna(v) else format_number(v, 2))
                for v, a in zip(shown["rapport"], shown["affichage"], strict=True)
            ],
        }
    )
    out.append(
        blocks.tableau(
            frame,
            legende="Participants et population par groupe",
            source=fig.observatoire_source.removeprefix("Source : "),
            display=False,
        )  # fmt: skip
    )
    out.append(blocks.texte(*_publics(obs, b, shown), display=False))
    if missing:
        noms = " ni ".join(views.DIMENSION_NAMES[m] for m in missing)
        out.append(blocks.texte(f"Les feuilles ne renseignent pas {noms} des participants.",
                                display=False))  # fmt: skip
    return out


def _publics(obs: Any, b: Bilan, shown: pd.DataFrame) -> list[str]:
    """Une phrase par public éloigné suivi : présent, sous-représenté, ou inconnu."""
    far = obs.democratie.publics_eloignes(b.id)
    far_keys = set(zip(far["dimension"], far["groupe"], strict=True))
    facteur = format_number(obs.participation.facteur, 1).replace(",0", "")
    rows = shown.set_index(["dimension", "groupe"])
    sentences = [
        "Rapport : part du groupe parmi les participants divisée par sa part dans la "
        f"population (1 : représenté comme dans la population ; un groupe au moins {facteur} "
        "fois moins présent que dans la population est dit sous-représenté)."
    ]
    for label, keys in PUBLICS:
        parts = []
        for key in keys:
            if key not in rows.index:
                continue
            row = rows.loc[key]
            name = f"{row['libelle']} : " if len(keys) > 1 else ""
            if text(row["affichage"]):
                parts.append(f"{name}effectif masqué ({row['affichage']})")
            elif pd.isna(row["part_participants"]):
                parts.append(f"{name}non renseigné")
            else:
                verdict = ", sous-représentés" if key in far_keys else ""
                parts.append(
                    f"{name}{_pct(row['part_participants'])} des participants contre "
                    f"{_pct(row['part_population'])} de la population{verdict}"
                )
        if parts:
            sentences.append(f"{label} — " + " ; ".join(parts) + ".")
        else:
            sentences.append(f"{label} — présence non connue pour cette démarche.")
    if ("age", "15-29") in rows.index:
        sentences.append(YOUTH_NOTE)
    return sentences


def _no_contribution(obs: Any) -> str:
    if obs.table("contributions").empty:
        return (
            "Aucun registre des contributions n'est déclaré dans la configuration (source de "
            "type « contributions ») : ce qui a été dit et les suites données ne sont pas "
            "connus."
        )
    return "Aucune contribution n'est enregistrée pour cette démarche dans le registre des " \
        "contributions."  # fmt: skip


def ce_qui_a_ete_dit(obs: Any, b: Bilan) -> Blocks:
    """Contributions par thème (figure et tableau)."""
    d = obs.democratie
    themes = d.contributions_par_theme(b.id)
    if themes.empty:
        return absent(_no_contribution(obs))
    total = int(themes["contributions"].sum())
    source = source_of(obs, "contributions")
    table = themes.assign(Thème=themes["theme"].astype(str))
    fig = grouped_bars(
        table, label="Thème", series={"contributions": "Contributions"},
        titre=f"Contributions par thème — {b.objet}", source=source.replace(
            " — Données fictives", ""), fictif=obs.fictif,
    )  # fmt: skip
    lead = (
        f"{format_number(total)} contribution{'s' if total > 1 else ''} "
        f"enregistrée{'s' if total > 1 else ''}, sur {format_number(len(themes))} "
        f"thème{'s' if len(themes) > 1 else ''}."
    )
    most = int(themes["contributions"].max())
    top = [f"« {t} »" for t in themes.loc[themes["contributions"] == most, "theme"]]
    if len(top) == 1 and len(themes) > 1:
        lead += f" Le thème le plus abordé est {top[0]} ({format_number(most)} sur {total})."
    elif 1 < len(top) < len(themes):
        listed = ", ".join(top[:-1]) + " et " + top[-1]
        lead += (
            f" Les thèmes les plus abordés sont {listed} "
            f"({format_number(most)} contributions chacun)."
        )
    frame = pd.DataFrame(
        {
            "Thème": themes["theme"].astype(str),
            "Contributions": [format_number(int(v)) for v in themes["contributions"]],
            "Part": [_pct(v) for v in themes["part"]],
        }
    )
    return [
        blocks.texte(lead, display=False),
        blocks.figure(fig, display=False),
        blocks.tableau(frame, legende="Contributions par thème", source=source, display=False),
    ]


def ce_qui_en_a_ete_fait(obs: Any, b: Bilan) -> Blocks:
    """Suites données, taux de prise en compte et justifications."""
    d = obs.democratie
    contrib = d.contributions(demarche=b.id)
    if contrib.empty:
        return absent("Sans contribution enregistrée, il n'y a pas de suite à présenter.")
    source = source_of(obs, "contributions")
    rate = d.prise_en_compte(demarche=b.id).iloc[0]
    n, with_suite = int(rate["contributions"]), int(rate["avec_suite"])
    if with_suite == 0:
        return absent(
            f"Aucune des {format_number(n)} contributions n'a encore reçu de suite (colonne "
            "« Suite donnée » vide) : le taux de prise en compte n'est pas calculable."
            if n > 1 else "La seule contribution n'a pas encore reçu de suite : le taux de "
            "prise en compte n'est pas calculable."
        )  # fmt: skip
    suites = d.suites(demarche=b.id)
    frame = pd.DataFrame(
        {
            "Suite donnée": suites["suite"].astype(str),
            "Contributions": [format_number(int(v)) for v in suites["contributions"]],
            "Part": [_pct(v) for v in suites["part"]],
        }
    )
    sentences = []
    if int(rate["base"]) > 0 and not pd.isna(rate["taux_prise_en_compte"]):
        sentences.append(
            f"Taux de prise en compte : {_pct(rate['taux_prise_en_compte'])} — "
            f"{_count(rate['retenues'], 'retenue')} et "
            f"{_count(rate['partiellement'], 'partiellement retenue')} sur "
            f"{_count(rate['base'], 'ayant reçu une suite')} (hors sujet exclus)."
        )
    else:
        sentences.append(
            "Toutes les contributions qui ont reçu une suite sont hors sujet : le taux de "
            "prise en compte n'est pas calculable."
        )
    waiting = int(rate["sans_suite"])
    if waiting:
        verb = "n'ont" if waiting > 1 else "n'a"
        sentences.append(
            f"{format_number(waiting)} contribution{'s' if waiting > 1 else ''} sur "
            f"{format_number(n)} {verb} pas encore reçu de suite."
        )
    out: Blocks = [
        blocks.texte(*sentences, display=False),
        blocks.tableau(
            frame, legende="Suites données aux contributions", source=source, display=False
        ),  # fmt: skip
    ]
    out += _justifications(contrib, source)
    return out


def _count(value: Any, what: str) -> str:
    """« 3 contributions retenues », « 1 contribution retenue »."""
    n = int(value)
    plural = "s" if n > 1 else ""
    words = what.split(" ")
    if plural and words[-1] in ("retenue",):
        words[-1] += "s"
    return f"{format_number(n)} contribution{plural} {' '.join(words)}"


def _justifications(contrib: pd.DataFrame, source: str) -> Blocks:
    """Justifications données, regroupées (thème, suite, justification) avec leur nombre."""
    rows = contrib[contrib["suite"].notna() & contrib["justification"].notna()]
    rows = rows[rows["justification"].map(text) != ""]
    if rows.empty:
        return [blocks.texte("Aucune justification n'accompagne les suites données.",
                             display=False)]  # fmt: skip
    grouped = (
        rows.assign(
            theme=rows["theme"].map(text).replace("", "non renseigné"),
            justification=rows["justification"].map(text),
        )  # fmt: skip
        .groupby(["theme", "suite", "justification"], sort=True)
        .size()
        .rename("n")
        .reset_index()
    )
    frame = pd.DataFrame(
        {
            "Thème": grouped["theme"],
            "Suite donnée": grouped["suite"],
            "Justification": grouped["justification"],
            "Contributions": [format_number(int(v)) for v in grouped["n"]],
        }
    )
    return [blocks.tableau(frame, legende="Justifications des suites données", source=source,
                           display=False)]  # fmt: skip
