"""Phrases des rapports écrites à partir des tables (texte brut, échappé au rendu).

Exemple ::

    >>> enumeration(["Alpha", "Bêta", "Gamma"])
    'Alpha, Bêta et Gamma'
    >>> commune_phrase(["Valbrume"])
    'situé sur la commune de Valbrume'
    >>> commune_phrase(["Ostrelune", "Valbrume"])
    "à cheval sur les communes d'Ostrelune et Valbrume"
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from observatoire.views.format import format_number, format_value


def enumeration(items: Sequence[str]) -> str:
    """« a, b et c » (liste française)."""
    items = [str(i) for i in items if str(i)]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


VOWELS = set("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜaeiouyàâäéèêëîïôöùûü")


def de(name: str) -> str:
    """Préposition élidée : « de Valbrume », « d'Ostrelune »."""
    return f"d'{name}" if name[:1] in VOWELS else f"de {name}"


def commune_phrase(communes: Sequence[str]) -> str:
    """« situé sur la commune de X » ou « à cheval sur les communes de X et Y »."""
    if not communes:
        return "dont la commune n'est pas renseignée"
    if len(communes) == 1:
        return f"situé sur la commune {de(communes[0])}"
    return f"à cheval sur les communes {de(enumeration(communes))}"


def portrait_sentences(
    nom: str,
    code: str,
    communes: Sequence[str],
    population: float | None,
    annee_population: int | None,
    synthese: pd.DataFrame,
    n: int = 3,
) -> list[str]:
    """Paragraphes d'ouverture du tableau de bord : identité puis écarts les plus marqués.

    ``synthese`` : sortie de :func:`observatoire.analysis.synthese.synthese` (colonne
    ``phrase`` déjà formatée à la française, ``sens`` favorable/défavorable/neutre).
    """
    first = f"Le quartier {nom} ({code}), {commune_phrase(communes)}"
    if population is not None and population == population:
        first += f", compte {format_number(population)} habitants (recensement {annee_population})."
    else:
        first += " ; sa population n'est pas disponible."
    paragraphs = [first]
    if synthese is not None and len(synthese):
        top = synthese.head(n)
        lines = [f"{row.phrase} — écart {row.sens}" for row in top.itertuples(index=False)]
        lead = "Les écarts les plus marqués" if len(lines) > 1 else "L'écart le plus marqué"
        paragraphs.append(f"{lead} à ses territoires de référence : " + " ; ".join(lines) + ".")
        unfavourable = int((synthese["sens"] == "défavorable").sum())
        if len(synthese) == 1:
            verb = "est" if unfavourable else "n'est pas"
            paragraphs.append(
                f"Le seul indicateur comparable {verb} dans un sens défavorable au quartier."
            )
        else:
            paragraphs.append(
                f"Sur {len(synthese)} indicateurs comparables, {unfavourable} "
                f"{'sont' if unfavourable > 1 else 'est'} dans un sens défavorable au quartier."
            )
    return paragraphs


def value_phrase(libelle: str, valeur: object, unite: str | None, statut: str | None) -> str:
    """« Taux de pauvreté : 43,9 % » (ou « secret statistique »)."""
    return f"{libelle} : {format_value(valeur, unite, statut)}"


def evolution_sentence(row: pd.Series, libelle: str, unite: str | None) -> str:
    """« Taux de pauvreté : de 41,0 % (2018) à 43,9 % (2021), soit +2,9 pts. »"""
    start = format_value(row["valeur_debut"], unite)
    end = format_value(row["valeur_fin"], unite)
    diff = row["evolution"]
    if pd.isna(diff):
        change = "évolution non calculable"
    elif unite == "%":
        change = f"soit {'+' if diff > 0 else ''}{format_number(diff, 1)}\u00a0pts"
    else:
        change = f"soit {'+' if diff > 0 else ''}{format_value(diff, unite)}"
    return f"{libelle} : de {start} ({row['annee_debut']}) à {end} ({row['annee_fin']}), {change}."


def ordinal(n: int) -> str:
    """Ordinal français abrégé : 1 → « 1er », 2 → « 2e »."""
    return "1er" if int(n) == 1 else f"{int(n)}e"


FEMININE = {"part", "population", "proportion", "densité", "médiane", "moyenne", "superficie",
            "surface", "durée", "taille", "variation", "évolution", "dépense", "capacité"}  # fmt: skip
_INVARIABLE = {"taux", "prix", "poids", "temps", "cas"}  # singuliers en -s/-x
_ASPIRATED = {"hauteur", "handicap", "hausse", "halte"}  # pas d'élision


def with_article(libelle: str) -> str:
    """Libellé précédé de son article : « le taux de pauvreté », « la part des femmes »,
    « l'indice de jeunesse », « les demandeurs d'emploi » (minuscule initiale sauf sigle).

    >>> with_article("Taux de pauvreté")
    'le taux de pauvreté'
    >>> with_article("Indice de jeunesse")
    "l'indice de jeunesse"
    """
    text = str(libelle).strip()
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].islower():
        text = text[:1].lower() + text[1:]
    word = first.lower()
    if word.endswith(("s", "x")) and word not in _INVARIABLE:
        return f"les {text}"
    if word[:1] in VOWELS or (word[:1] == "h" and word not in _ASPIRATED):
        return f"l'{text}"
    return f"{'la' if word in FEMININE else 'le'} {text}"


def rank_phrase(rang: int, n: int, libelle: str, ex_aequo: bool = False) -> str:
    """« 1er sur 105 pour le taux de pauvreté » (« 2e ex aequo sur 12 pour … »)."""
    tie = " ex aequo" if ex_aequo else ""
    return f"{ordinal(rang)}{tie} sur {int(n)} pour {with_article(libelle)}"


def exclusion_phrase(row: object) -> str:
    """« 1 quartier sous secret statistique exclu, soit 1 210 habitants (10,4 % de la
    population des quartiers) laissés de côté » (ligne de ``obs.indicateurs.position``)."""
    from observatoire.views.format import format_percent

    parts = []
    for key, label in (("exclus_secret", "sous secret statistique"),
                       ("exclus_absent", "sans donnée"),
                       ("exclus_sans_poids", "sans population connue")):  # fmt: skip
        count = int(getattr(row, key) or 0)
        if count:
            parts.append(f"{count} quartier{'s' if count > 1 else ''} {label}")
    if not parts:
        return ""
    total = sum(int(getattr(row, k) or 0) for k in ("exclus_secret", "exclus_absent",
                                                     "exclus_sans_poids"))  # fmt: skip
    text = f"{enumeration(parts)} exclu{'s' if total > 1 else ''}"
    pop, share = row.population_exclue, row.part_population_exclue
    unknown = int(getattr(row, "exclus_population_inconnue", 0) or 0)
    if pop == pop and pop is not None and pop > 0:
        text += f", soit {'au moins ' if unknown else ''}{format_number(pop)} habitants"
        if share == share and share is not None:
            known = " connue" if unknown else ""
            text += f" ({format_percent(share)} de la population{known} des quartiers)"
        text += " laissés de côté"
    if unknown:
        text += f" (population inconnue pour {unknown} quartier{'s' if unknown > 1 else ''} exclu"
        text += "s)" if unknown > 1 else ")"
    return text
