"""Rapport annuel : remontées des usagers et avis des instances.

Chiffres de ``obs.democratie`` (volumes, délais de traitement, stock mensuel, part traitée
dans le délai ; suivi des avis, participation aux séances) : aucun calcul ici. Les
descriptions libres des remontées ne sont jamais lues ni publiées.

Exemple ::

    show(remontees(obs, a))
    show(instances(obs, a))
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatoire.publish import blocks
from observatoire.publish.sections import Blocks, absent
from observatoire.publish.sections.democratie_annuel import (
    Annuel,
    count,
    days,
    plural,
    share,
    source,
)
from observatoire.views.democratie import grouped_bars, stock_chart
from observatoire.views.format import format_number

MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")  # fmt: skip
VENTILATIONS = (("canal", "Canal"), ("quartier", "Quartier"), ("theme", "Thème"))
MAX_ROWS = 15


def _month(label: str) -> str:
    """``2025-03`` → « mars 2025 »."""
    year, month = str(label).split("-")[:2]
    return f"{MONTHS[int(month) - 1]} {year}"


def _label(d: Any, par: str, value: object, nom: object = None) -> str:
    if par == "quartier":
        return f"{nom} ({value})" if value else "Tout le territoire (ou non précisé)"
    return str(value)[:1].upper() + str(value)[1:]


def remontees(obs: Any, a: Annuel) -> Blocks:
    """Volumes par canal, quartier et thème ; délais (médiane, 90e centile) ; stock ;
    part traitée dans le délai configuré."""
    if not len(obs.table("remontees")):
        return []
    d = obs.democratie
    total = d.remontees_delais(annee=a.annee)
    if total.empty or not int(total["remontees"].iloc[0]):
        return absent(f"Aucune remontée d'usager n'a été enregistrée en {a.annee}.")
    src = source(obs, "remontees", annee=a.annee)
    t = total.iloc[0]
    on_time = d.remontees_dans_delai(annee=a.annee)
    tiles = [("Remontées reçues", format_number(t["remontees"])),
             ("Traitées", format_number(t["traitees"]))]  # fmt: skip
    if pd.notna(t["delai_median_jours"]):
        tiles += [("Délai de traitement médian", days(t["delai_median_jours"])),
                  ("Délai dépassé par une sur dix (90e centile)", days(t["delai_p90_jours"]))]  # fmt: skip
    if len(on_time) and pd.notna(on_time["part_dans_delai"].iloc[0]):
        o = on_time.iloc[0]
        tiles.append((f"Traitées en {plural(int(o['delai_jours']), 'jour')} au plus",
                      share(o["part_dans_delai"])))  # fmt: skip
    out: Blocks = [blocks.chiffres_cles(tiles, source=src, display=False)]
    out += _on_time_text(on_time)
    out += _volumes(obs, d, a, src)
    out += _stock(obs, d, a)
    return out


def _on_time_text(on_time: pd.DataFrame) -> Blocks:
    if on_time.empty:
        return []
    o = on_time.iloc[0]
    delay = plural(int(o["delai_jours"]), "jour")
    parts = [f"Délai fixé par la configuration : {delay} ([rapports.democratie] "
             "delai_traitement_jours)."]  # fmt: skip
    if int(o["base"]):
        parts.append(
            f"Sur {plural(int(o['base']), 'remontée')} dont le sort est connu, "
            f"{format_number(o['traitees_dans_delai'])} traitées dans le délai, "
            f"{format_number(o['traitees_hors_delai'])} traitées après, "
            f"{format_number(o['ouvertes_hors_delai'])} encore ouvertes au-delà du délai."
        )
    if int(o["en_attente"]):
        n = int(o["en_attente"])
        verb = "n'entre" if n == 1 else "n'entrent"
        parts.append(f"{plural(n, 'remontée ouverte', 'remontées ouvertes')} dont le délai court "
                     f"encore {verb} pas dans la part.")  # fmt: skip
    if int(o["cloture_non_datee"]):
        parts.append(f"{plural(int(o['cloture_non_datee']), 'remontée close', 'remontées closes')} "
                     "sans date de traitement : ni délai, ni part dans le délai.")  # fmt: skip
    return [blocks.texte(*parts, display=False)]


def _volumes(obs: Any, d: Any, a: Annuel, src: str) -> Blocks:
    out: Blocks = []
    for par, title in VENTILATIONS:
        vol = d.remontees_volumes(par, annee=a.annee)
        if vol.empty:
            continue
        delays = d.remontees_delais(annee=a.annee, par=par)
        delays = delays.set_index(par) if len(delays) else delays
        names = vol["nom"] if "nom" in vol else [None] * len(vol)
        rows = []
        for value, nom, n, part in zip(vol[par], names, vol["remontees"], vol["part"], strict=True):
            key = value if value in getattr(delays, "index", []) else None
            med = delays.loc[key, "delai_median_jours"] if key is not None else None
            rows.append([_label(d, par, value, nom), format_number(n), share(part), days(med)])
        frame = pd.DataFrame(rows, columns=[title, "Remontées", "Part", "Délai médian"])
        more = ""
        if len(frame) > MAX_ROWS:
            more = f" ({MAX_ROWS} premiers sur {len(frame)})"
            frame = frame.head(MAX_ROWS)
        if par == "canal":
            chart = pd.DataFrame(
                {title: frame[title], "n": vol["remontees"].head(MAX_ROWS).astype(int)}
            )
            fig = grouped_bars(chart, label=title, series={"n": "Remontées"},
                               titre=f"Remontées des usagers par canal, {a.annee}",
                               source=source(obs, "remontees", annee=a.annee, mention=False),
                               fictif=obs.fictif)  # fmt: skip
            out.append(blocks.figure(fig, display=False))
        out.append(blocks.tableau(frame, legende=f"Remontées par {title.lower()}, {a.annee}{more}",
                                  source=src, display=False))  # fmt: skip
    return out


def _stock(obs: Any, d: Any, a: Annuel) -> Blocks:
    stock = d.remontees_stock(annee=a.annee)
    if stock.empty:
        return []
    frame = pd.DataFrame({"Mois": [_month(m) for m in stock["mois"]],
                          "stock": stock["stock"].astype(int)})  # fmt: skip
    fig = stock_chart(frame, periode="Mois", valeur="stock",
                      titre=f"Remontées en attente de traitement en fin de mois, {a.annee}",
                      ylabel="Remontées non traitées",
                      source=source(obs, "remontees", annee=a.annee, mention=False),
                      fictif=obs.fictif)  # fmt: skip
    last = stock.iloc[-1]
    text = (f"Stock à la fin de la période ({_month(last['mois'])}) : "
            f"{plural(int(last['stock']), 'remontée non traitée', 'remontées non traitées')}.")  # fmt: skip
    return [blocks.figure(fig, display=False), blocks.texte(text, display=False)]


# ---------------------------------------------------------------------- instances


def instances(obs: Any, a: Annuel) -> Blocks:
    """Séances et participation, avis rendus dans l'année, part répondue, délai de réponse."""
    if not (len(obs.table("seances")) or len(obs.table("avis"))):
        return []
    d = obs.democratie
    out: Blocks = []
    seances = d.seances(annee=a.annee)
    avis = d.suivi_avis(annee=a.annee, par="instance")
    if seances.empty and avis.empty:
        return absent(f"Aucune séance d'instance ni aucun avis n'est enregistré en {a.annee}.")
    if len(seances):
        rows = [[str(r.instance), format_number(r.seances), count(r.participants),
                 format_number(r.participants_par_seance, 1) if pd.notna(r.participants_par_seance) else "n.d.",
                 share(r.taux_presence)] for r in seances.itertuples(index=False)]  # fmt: skip
        frame = pd.DataFrame(rows, columns=["Instance", "Séances", "Participants",
                                            "Participants par séance", "Taux de présence"])  # fmt: skip
        if (frame["Taux de présence"] == "n.d.").all():
            frame = frame.drop(columns="Taux de présence")
        out.append(blocks.tableau(frame, legende=f"Séances des instances, {a.annee}",
                                  source=source(obs, "seances", annee=a.annee), display=False))  # fmt: skip
    if avis.empty:
        out.append(blocks.texte(f"Aucun avis des instances n'est enregistré en {a.annee}.",
                                display=False))  # fmt: skip
        return out
    src = source(obs, "avis", annee=a.annee)
    total = d.suivi_avis(annee=a.annee, par=None).iloc[0]
    delay = plural(int(total["delai_jours"]), "jour")
    tiles = [("Avis rendus", format_number(total["avis"])),
             ("Avis répondus", f"{format_number(total['repondus'])} ({share(total['part_repondus'])})")]  # fmt: skip
    if pd.notna(total["delai_reponse_median_jours"]):
        tiles.append(("Délai de réponse médian", days(total["delai_reponse_median_jours"])))
    if pd.notna(total["part_dans_delai"]):
        tiles.append((f"Répondus en {delay} au plus", share(total["part_dans_delai"])))
    out.insert(0, blocks.chiffres_cles(tiles, source=src, display=False))
    rows = [[str(r.instance), format_number(r.avis), format_number(r.repondus),
             share(r.part_repondus), days(r.delai_reponse_median_jours),
             share(r.part_dans_delai)] for r in avis.itertuples(index=False)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["Instance", "Avis", "Répondus", "Part répondue",
                                        "Délai de réponse médian",
                                        f"Part répondue en {delay} au plus"])  # fmt: skip
    out.append(blocks.tableau(frame, legende=f"Avis des instances et réponses, {a.annee}",
                              source=src, display=False))  # fmt: skip
    sentences = [f"Délai de réponse fixé par la configuration : {delay} ([rapports.democratie] "
                 "delai_reponse_jours) ; un avis sans réponse dont le délai court encore n'entre "
                 "pas dans la part répondue dans le délai."]  # fmt: skip
    if int(total["en_attente"]):
        sentences.append(f"{plural(int(total['en_attente']), 'avis', 'avis')} en attente de réponse, "
                         "délai non échu.")  # fmt: skip
    out.append(blocks.texte(*sentences, display=False))
    return out
