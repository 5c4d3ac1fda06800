"""Fragment commenté de ``observatoire.toml`` pour la démocratie participative de la démo.

Une section ``[sources.…]`` par fichier de ``democratie/``, chacune commentée, puis
``[rapports.democratie]`` et ``[panel]``.

Exemple ::

    text = toml({"concertations": "democratie/concertations_2024-2025.xlsx", ...})
"""

from __future__ import annotations

from observatoire.demo.model import FICTIF

# graine publiée du tirage du panel (date du tirage public, fictive)
GRAINE_PANEL = 20250612

# type → producteur affiché dans les rapports (services inventés)
PRODUCTEURS = {
    "concertations": "Mission démocratie participative",
    "contributions": "Mission démocratie participative",
    "petitions": "Plateforme de pétitions en ligne",
    "signatures": "Plateforme de pétitions en ligne",
    "remontees": "Service de la relation aux usagers",
    "instances": "Secrétariat des instances participatives",
    "avis": "Secrétariat des instances participatives",
    "budget_participatif": "Mission démocratie participative",
    "votes_budget_participatif": "Plateforme de vote du budget participatif",
    "vivier_panel": "Mission démocratie participative",
}

# type → (nom de la section, commentaire, options en plus de type, fichier et producteur)
SECTIONS: dict[str, tuple[str, str, str]] = {
    "concertations": (
        "concertations",
        "# Programme des démarches de concertation (classeur, feuille « Démarches » ; la\n"
        "# feuille « Notice » est ignorée). Quartiers par code ou par nom, « Tout le\n"
        "# territoire » ; niveau « Co-décision » = co-construction ; une démarche terminée\n"
        "# n'a pas encore de bilan (« Date du bilan » vide).",
        'feuille = "Démarches"\n',
    ),
    "contributions": (
        "contributions",
        "# Contributions recueillies et suite donnée (Windows-1252, « ; », ligne de titre).\n"
        "# Le texte de chaque contribution est examiné (données personnelles) mais non repris ;\n"
        "# « Suite donnée » vide : pas encore de suite.",
        "",
    ),
    "petitions": (
        "petitions",
        "# Pétitions citoyennes : une a atteint son seuil et déclenché un panel citoyen.",
        "",
    ),
    "signatures": (
        "signatures_petitions",
        "# Signatures en ligne : nouvelles signatures par jour (forme longue, cumul = false).",
        "cumul = false\n",
    ),
    "remontees": (
        "remontees_2025",
        "# Remontées des usagers 2025 (extraction du logiciel de demandes). La colonne\n"
        "# « Description » (texte libre) est examinée mais non reprise.",
        'feuille = "Remontées 2025"\n',
    ),
    "instances": (
        "instances",
        "# Séances des instances (CCSPL, conseils citoyens, conseil de développement).",
        "",
    ),
    "avis": (
        "avis_instances",
        "# Avis émis par les instances, date et contenu de la réponse (vide : sans réponse).",
        "",
    ),
    "budget_participatif": (
        "budget_participatif_2025",
        "# Budget participatif 2025 : projets déposés (montants en euros, volet jeunes).",
        'feuille = "Projets 2025"\n',
    ),
    "votes_budget_participatif": (
        "votes_budget_participatif_2025",
        "# Votes au budget participatif, agrégés par quartier, tranche d'âge et sexe\n"
        "# (jamais de bulletin individuel ; « Hors QPV » : votants hors des quartiers).",
        "",
    ),
    "vivier_panel": (
        "vivier_panel",
        "# Vivier du panel citoyen : volontaires pseudonymes (V0001…), sans nom ni contact.\n"
        "# Le critère « diplome » de [panel] se lit dans la colonne « Diplôme ».",
        "",
    ),
}


def toml(files: dict[str, str]) -> str:
    """Sections des sources, ``[rapports.democratie]`` et ``[panel]``."""
    parts = [
        "# ---------------------------------------------------------------------\n"
        f"# Démocratie participative ({FICTIF})\n"
        "# ---------------------------------------------------------------------\n"
        "# Démarches de concertation, pétitions, remontées des usagers, instances,\n"
        "# budget participatif et vivier du panel citoyen : tout est inventé (élu·e·s,\n"
        "# projets, volontaires). Les rencontres des feuilles de suivi citent leur démarche\n"
        "# (colonne « Démarche »)."
    ]
    for kind, (name, comment, options) in SECTIONS.items():
        producteur = f"{PRODUCTEURS[kind]} ({FICTIF.lower()})"
        parts.append(f'{comment}\n[sources.{name}]\ntype = "{kind}"\nfichier = "{files[kind]}"\n'
                     f'producteur = "{producteur}"\n{options}')  # fmt: skip
    parts.append(
        "[rapports.democratie]\n"
        "# Délai (jours) au-delà duquel une remontée non traitée est « en retard ».\n"
        "delai_traitement_jours = 30\n"
        "# Délai (jours) attendu pour répondre à l'avis d'une instance.\n"
        "delai_reponse_jours = 60\n"
        "# Année du rapport annuel de la participation citoyenne.\n"
        "annee = 2025"
    )
    parts.append(
        "[panel]\n"
        "# Panel citoyen tiré au sort dans le vivier (pétition PET-2025-01, seuil atteint).\n"
        "# Nombre de personnes tirées.\n"
        "taille = 30\n"
        "# Graine publiée : la même graine redonne le même panel.\n"
        f"graine = {GRAINE_PANEL}\n"
        "# Critères de stratification (quotas tirés de la population du territoire).\n"
        'criteres = ["sexe", "tranche_age", "qpv", "diplome"]\n'
        "# Sièges réservés aux moins de 25 ans.\n"
        "minimum_moins_25 = 4"
    )
    return "\n" + "\n\n".join(p.strip("\n") for p in parts) + "\n"
