"""Sections du bilan d'une démarche de concertation (notebook ``bilan_concertation.ipynb``).

Une démarche de la table ``concertations`` : son objet et son calendrier, les rencontres
qui lui sont rattachées (colonne « Démarche » des feuilles de participation), qui est venu
contre la population (:mod:`.democratie_bilan_avis`), ce qui a été dit et ce qui en a été
fait, le bilan et les prochaines étapes. Tous les chiffres viennent de ``obs.democratie`` ;
chaque section dit en une phrase ce que les données ne permettent pas de dire.

Exemple ::

    b = contexte(obs, "C-2025-01")
    show(entete(obs, b))
    show(objet(obs, b))
    show(rencontres(obs, b))
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import pandas as pd

from observatoire.analysis.concertations import split_list
from observatoire.errors import ConfigError
from observatoire.publish import blocks, credits
from observatoire.publish.sections import Blocks, absent, fictif_suffix
from observatoire.publish.sections.participation import masked_count
from observatoire.views.format import format_date, format_number

NIVEAUX_EXPLIQUES = {
    "information": "information (les habitants sont informés, sans être consultés)",
    "consultation": "consultation (l'avis des habitants est recueilli avant la décision)",
    "concertation": "concertation (le projet est discuté et peut évoluer avec les habitants)",
    "co-construction": "co-construction (le projet est élaboré avec les habitants)",
}
NON_RENSEIGNE = "non renseigné"


@dataclass(frozen=True)
class Bilan:
    """La démarche du bilan : identifiant, fiche (ligne de ``obs.democratie.fiche``)."""

    id: str
    fiche: dict[str, Any]
    fictif: bool

    @property
    def objet(self) -> str:
        return text(self.fiche.get("objet")) or self.id


def text(value: Any) -> str:
    """Texte d'une cellule, vide si elle est absente (jamais « None », « nan » ni « NaT »)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if not isinstance(value, str) and pd.isna(value):
        return ""
    return credits.clean(value)


def date_text(value: Any) -> str:
    """Date française (« 15 septembre 2025 »), vide si elle est absente."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return format_date(pd.Timestamp(value).date())


def contexte(obs: Any, demarche: str | None) -> Bilan:
    """Vérifie la démarche (``None`` : la première de la table) et lit sa fiche.

    Identifiant inconnu : ``ConfigError`` qui cite les identifiants proches.
    """
    table = obs.table("concertations")
    ids = [str(i) for i in table["id"]]
    if not ids:
        raise ConfigError(
            "Aucune démarche de concertation n'est déclarée dans la configuration "
            f"{obs.config.path.name} (source de type « concertations ») : aucun bilan possible."
        )
    ident = ids[0] if demarche is None else str(demarche)
    if ident not in ids:
        close = difflib.get_close_matches(ident, ids, n=5, cutoff=0.5)
        hint = f"identifiants proches : {', '.join(close)}" if close else (
            f"démarches connues : {', '.join(ids[:8])}" + (" …" if len(ids) > 8 else ""))  # fmt: skip
        raise ConfigError(f"Démarche de concertation inconnue : « {ident} » ({hint}).")
    fiche = obs.democratie.fiche(ident).iloc[0].to_dict()
    return Bilan(ident, fiche, bool(obs.fictif))


def source_of(obs: Any, table: str) -> str:
    """« Programme des concertations (producteur) — Données fictives »."""
    frame = obs.table(table)
    names = sorted(set(frame["source"].dropna())) if "source" in frame else []
    label = credits.named_sources(obs.config, names) or "configuration"
    what = {
        "concertations": "Programme des concertations",
        "contributions": "Registre des contributions",
        "evenements": "Feuilles de participation",
    }[table]
    return f"{what} ({label})" + fictif_suffix(obs)


def entete(obs: Any, b: Bilan) -> Blocks:
    """Bloc méta : titre, en-tête de page, mention « Données fictives »."""
    quartiers = b.fiche.get("noms_quartiers") or "tout le territoire"
    return [
        blocks.meta(
            f"Bilan de concertation — {b.objet}",
            entete=f"Bilan de concertation — {b.objet} ({b.id})",
            sous_titre=f"Démarche {b.id} — {quartiers} — {obs.config.territoire.nom}",
            territoire=obs.config.territoire.nom,
            fictif=b.fictif,
            producteur=credits.territory_producer(obs.config),
            mention=credits.territory_mention(obs.config),
            demarche=b.id,
            display=False,
        )
    ]


def _calendar(b: Bilan) -> str:
    debut, fin = date_text(b.fiche.get("debut")), date_text(b.fiche.get("fin"))
    statut = text(b.fiche.get("statut"))
    if debut and fin:
        days = (pd.Timestamp(b.fiche["fin"]) - pd.Timestamp(b.fiche["debut"])).days + 1
        span = f"du {debut} au {fin} ({format_number(days)} jour{'s' if days > 1 else ''})"
    elif debut:
        span = f"à partir du {debut} (date de fin non renseignée)"
    else:
        span = "dates non renseignées"
    return f"{span} — {statut}" if statut else span


def _list(value: Any) -> str:
    items = split_list(text(value))
    return ", ".join(items) if items else ""


def objet(obs: Any, b: Bilan) -> Blocks:
    """Objet, niveau, calendrier, service et élu·e référent·e, dispositifs, quartiers, publics."""
    f = b.fiche
    niveau = text(f.get("niveau"))
    rows = [
        ("Objet", b.objet),
        ("Niveau de participation", NIVEAUX_EXPLIQUES.get(niveau, niveau)),
        ("Calendrier", _calendar(b)),
        ("Service porteur", text(f.get("service"))),
        ("Élu·e référent·e", text(f.get("elu"))),
        ("Priorité (arbitrage des élus)", text(f.get("priorite"))),
        ("Quartiers concernés", text(f.get("noms_quartiers")) or "tout le territoire"),
        ("Dispositifs", _list(f.get("dispositifs"))),
        ("Publics visés", _list(f.get("publics"))),
    ]
    frame = pd.DataFrame(
        [[k, v or NON_RENSEIGNE] for k, v in rows], columns=["Rubrique", "Démarche"]
    )
    missing = [k.lower() for k, v in rows if not v]
    intro = (
        f"La démarche « {b.objet} » ({b.id}) relève du niveau "
        f"{NIVEAUX_EXPLIQUES.get(niveau, niveau) or NON_RENSEIGNE} de l'échelle de la "
        "participation."
    )
    out: Blocks = [blocks.texte(intro, display=False)]
    if missing:
        out.append(
            blocks.texte(
                "Le programme des concertations ne renseigne pas : " + ", ".join(missing) + ".",
                display=False,
            )
        )
    out.append(
        blocks.tableau(
            frame,
            legende="Fiche de la démarche",
            source=source_of(obs, "concertations"),
            display=False,
        )
    )
    return out


NO_EVENT = (
    "Aucune rencontre des feuilles de participation n'est rattachée à cette démarche "
    "(colonne « Démarche » des événements) : ni le nombre de participants ni leur profil "
    "ne sont connus."
)


def rencontres(obs: Any, b: Bilan) -> Blocks:
    """Rencontres rattachées à la démarche : date, dispositif, quartier, participants."""
    d = obs.democratie
    events = d.evenements(b.id)
    if events.empty:
        return absent(NO_EVENT)
    seuil = d.seuil
    events = events.sort_values(["date", "id"]).reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "Rencontre": [
                text(t) or str(i) for t, i in zip(events["titre"], events["id"], strict=True)
            ],  # fmt: skip
            "Date": [date_text(v) or "date inconnue" for v in events["date"]],
            "Dispositif": [text(v) or NON_RENSEIGNE for v in events["dispositif"]],
            "Quartiers": [d.noms_quartiers(v) for v in events["quartiers"]],
            "Participants": [masked_count(v, seuil) for v in events["participants"]],
        }
    )
    part = d.participants(demarche=b.id).iloc[0]
    n = len(events)
    known = int(part["evenements_effectif_connu"])
    total = part["participants"]
    sentence = f"{format_number(n)} rencontre{'s' if n > 1 else ''} rattachée{'s' if n > 1 else ''}"
    if known == 0 or pd.isna(total):
        sentence += " à la démarche ; aucune feuille n'en donne le nombre de participants."
    else:
        shown = masked_count(total, seuil)
        shown = f"moins de {seuil}" if shown.startswith("<") else shown
        sentence += f" à la démarche, {shown} participations au total"
        if known < n:
            sentence += f" (effectif connu pour {format_number(known)} rencontre(s) sur {n})"
        sentence += " ; une même personne venue deux fois compte deux fois."
    sentence += _people(obs, events, part, seuil)
    out: Blocks = [blocks.texte(sentence, display=False)]
    out.append(
        blocks.tableau(
            frame,
            legende="Rencontres de la démarche",
            source=source_of(obs, "evenements"),
            display=False,
        )
    )
    return out


def _people(obs: Any, events: pd.DataFrame, part: Any, seuil: int) -> str:
    """Personnes différentes d'après les feuilles de présence individuelles (si elles
    existent), en disant combien de rencontres elles couvrent."""
    covered = int(events["id"].isin(obs.presences["evenement"]).sum())
    if covered == 0:
        return ""
    n = len(events)
    which = (
        "de toutes les rencontres"
        if covered == n
        else f"de {format_number(covered)} rencontre{'s' if covered > 1 else ''} sur {n}"
    )
    uniques = part.get("participants_uniques")
    if text(part.get("secret")) or uniques is None or pd.isna(uniques):
        return (
            f" Les feuilles de présence individuelles {which} comptent moins de {seuil} "
            "personnes différentes (petit effectif masqué)."
        )
    presences = int(part["presences_individuelles"])
    return (
        f" Les feuilles de présence individuelles {which} comptent "
        f"{format_number(int(uniques))} personnes différentes "
        f"({format_number(presences)} présences notées)."
    )


def bilan(obs: Any, b: Bilan) -> Blocks:
    """Publication du bilan (date, délai depuis la fin, lien) et prochaines étapes."""
    f = b.fiche
    sentences = []
    published, fin = date_text(f.get("date_bilan")), date_text(f.get("fin"))
    delay = f.get("delai_bilan_jours")
    if published:
        s = f"Le bilan de la démarche a été publié le {published}"
        if fin and delay is not None and not pd.isna(delay) and float(delay) >= 0:
            days = int(delay)
            s += f", {format_number(days)} jour{'s' if days > 1 else ''} après la fin ({fin})"
        sentences.append(s + ".")
        lien = text(f.get("lien_bilan"))
        if lien:
            sentences.append(f"Bilan en ligne : {lien}")
    else:
        statut = text(f.get("statut"))
        if statut == "terminée":
            when = f" le {fin}" if fin else ""
            sentences.append(
                f"La démarche s'est terminée{when}, mais le programme des concertations ne "
                "note aucun bilan publié."
            )
        elif statut in ("programmée", "en cours"):
            sentences.append(f"La démarche est {statut} : son bilan n'est pas encore publié.")
        elif statut == "abandonnée":
            sentences.append("La démarche a été abandonnée : aucun bilan n'est publié.")
        else:
            sentences.append("Le programme des concertations ne note aucun bilan publié.")
    etapes = text(f.get("prochaines_etapes"))
    if etapes:
        sentences.append(f"Prochaines étapes : {etapes}")
    else:
        sentences.append("Le programme des concertations n'indique pas de prochaine étape.")
    return [blocks.texte(*sentences, display=False)]


def sources(obs: Any, b: Bilan) -> Blocks:
    """Sources utilisées et bloc de provenance."""
    used = [("concertations", "Programme des concertations")]
    if len(obs.democratie.evenements(b.id)):
        used.append(("evenements", "Feuilles de participation"))
    if len(obs.democratie.contributions(demarche=b.id)):
        used.append(("contributions", "Registre des contributions"))
    rows = []
    for table, label in used:
        frame = obs.table(table)
        names = sorted(set(frame["source"].dropna())) if "source" in frame else []
        rows.append([label, credits.named_sources(obs.config, names) or "configuration"])
    frame = pd.DataFrame(rows, columns=["Données", "Producteur"])
    return [
        blocks.tableau(
            frame,
            legende="Sources du bilan",
            source=obs.config.path.name + fictif_suffix(obs),
            display=False,
        ),  # fmt: skip
        blocks.provenance(obs, demarche=b.id, display=False),
    ]
