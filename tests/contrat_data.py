"""Petite programmation fictive calculée à la main, partagée par les tests du contrat.

Cinq actions, deux années, quatre financeurs ; montants en centimes entiers.
A1 cible Q1 et Q2 au prorata de la population (2/3, 1/3), A2 trois quartiers à parts
égales, A3 est refusée, A4 reconduit A1 en 2025, A5 (nouveau porteur) n'a aucun quartier.
"""

from __future__ import annotations

import pandas as pd

NA = pd.NA


def actions() -> pd.DataFrame:
    rows = [
        (
            "A1",
            2024,
            "Soutien scolaire",
            "Cap Avenir",
            "W1",
            "Cohésion sociale",
            "Éducation",
            "accorde",
        ),
        ("A2", 2024, "Jardins", "Jardins de Brume", "W2", "Cadre de vie", "Environnement", "solde"),
        ("A3", 2024, "Fête", "Comité", "W3", "Cohésion sociale", "Culture", "refuse"),
        (
            "A4",
            2025,
            "Soutien scolaire",
            "Cap Avenir",
            "W1",
            "Cohésion sociale",
            "Éducation",
            "accorde",
        ),
        ("A5", 2025, "Insertion", "Emploi Plus", "W4", "Emploi", "Insertion", "accorde"),
    ]
    cols = ["id", "annee", "intitule", "porteur", "porteur_id", "pilier", "thematique", "statut"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["annee"] = frame["annee"].astype("Int64")
    frame["reconduction"] = pd.array([NA] * 5, dtype="boolean")
    for col in ("beneficiaires_prevus", "beneficiaires_realises", "beneficiaires_qpv"):
        frame[col] = pd.array([NA] * 5, dtype="Int64")
    return frame


def financements() -> pd.DataFrame:
    rows = [
        ("A1", 2024, "État", True, 1000000, 800000, 800000),
        ("A1", 2024, "Commune", False, 500000, 500000, NA),
        ("A2", 2024, "État", True, 300050, 300050, 150025),
        ("A2", 2024, "CAF", False, 100000, 100000, NA),
        ("A3", 2024, "État", True, 400000, 0, NA),
        ("A4", 2025, "État", True, 1000000, 1000000, NA),
        ("A4", 2025, "EPCI", False, NA, 250001, NA),
        ("A5", 2025, "Commune", False, 200000, 200000, 200000),
    ]
    cols = ["action", "annee", "financeur", "credits_pv"] + [
        f"{c}_centimes" for c in ("demande", "accorde", "verse")
    ]
    frame = pd.DataFrame(rows, columns=cols)
    for col in cols[-3:] + ["annee"]:
        frame[col] = frame[col].astype("Int64")
    return frame


def cibles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action": ["A1", "A1", "A2", "A2", "A2", "A3", "A4"],
            "quartier": ["Q1", "Q2", "Q1", "Q2", "Q3", "Q3", "Q1"],
            "poids": [2 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1.0, 1.0],
        }
    )
