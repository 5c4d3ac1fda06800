"""Générateur du territoire de démonstration fictif (graine fixe, sortie déterministe).

:func:`generate_demo` écrit sous ``dest`` la géographie, les indicateurs, les
données de participation et du contrat de ville (générées par
:mod:`observatoire.demo.participation` et :mod:`observatoire.demo.contrat` quand
ils existent) et le fichier ``observatoire.toml`` entièrement commenté qui les
décrit. Deux exécutions avec la même graine donnent les mêmes octets.

Exemple ::

    from pathlib import Path
    from observatoire.demo.generator import generate_demo
    config = generate_demo(Path("/tmp/demo"), n_quartiers=14, seed=2024)
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from observatoire.demo.geofiles import write_geography
from observatoire.demo.geography import build_geography
from observatoire.demo.indicator_files import write_indicators
from observatoire.demo.indicators import compute_values
from observatoire.demo.model import FICTIF, DemoModel

# générateurs des autres familles : module → fonction generate(dest, model, rng) -> str
EXTRA_GENERATORS = (
    "observatoire.demo.participation",
    "observatoire.demo.contrat",
    "observatoire.demo.democratie",
)
CONFIG_NAME = "observatoire.toml"


def generate_demo(dest: Path, n_quartiers: int = 14, seed: int = 2024) -> Path:
    """Écrit le territoire fictif sous ``dest`` ; renvoie le chemin de ``observatoire.toml``."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = np.random.SeedSequence(seed)
    geo_seed, ind_seed, *extra_seeds = root.spawn(2 + len(EXTRA_GENERATORS))
    geo = build_geography(np.random.default_rng(geo_seed), n_quartiers)
    geo.model.seed = seed
    values = compute_values(geo, np.random.default_rng(ind_seed))
    fragments = [_header(geo.model, n_quartiers, seed), write_geography(geo, dest)]
    fragments.append(write_indicators(values, geo.model, dest))
    for module_name, child in zip(EXTRA_GENERATORS, extra_seeds, strict=True):
        generate = _optional_generator(module_name)
        if generate is not None:
            fragment = generate(dest, geo.model, np.random.default_rng(child))
            fragments.append(str(fragment).strip("\n") + "\n")
    config = dest / CONFIG_NAME
    text = "\n".join(f.strip("\n") + "\n" for f in fragments)
    config.write_bytes(text.encode("utf-8"))
    (dest / "LISEZMOI.md").write_bytes(_readme(geo.model, n_quartiers, seed).encode("utf-8"))
    return config


def _optional_generator(module_name: str):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, "generate", None)


def _readme(model: DemoModel, n_quartiers: int, seed: int) -> str:
    communes = ", ".join(c.nom for c in model.communes[:8])
    more = " …" if len(model.communes) > 8 else ""
    return f"""# {model.nom}

**{FICTIF}.** Ce dossier a été généré par `observatoire demo --quartiers {n_quartiers}
--graine {seed}`. Rien n'y désigne un lieu réel : les noms sont inventés, les codes
utilisent des départements fictifs et les contours sont en plein océan Atlantique.

- {len(model.quartiers)} quartiers prioritaires 2024 et {len(model.quartiers_2015)} quartiers 2015 ;
- {len(model.communes)} communes ({communes}{more}) ;
- démocratie participative (`democratie/`) : concertations, pétitions, remontées, instances, budget participatif, vivier du panel ;
- indicateurs : {", ".join(map(str, model.annees))} (géographie 2024),
  {", ".join(map(str, model.annees_2015))} (géographie 2015).

Chaque fichier est décrit dans `observatoire.toml` (entièrement commenté).
Vérification : `observatoire valider --config observatoire.toml`.
Ne modifiez pas ces fichiers à la main : régénérez-les (`make demo-data`).
"""


def _header(model, n_quartiers: int, seed: int) -> str:
    return f'''# =====================================================================
# observatoire.toml — territoire de DÉMONSTRATION ({FICTIF.upper()})
# =====================================================================
# Ce fichier décrit où sont les données et comment les lire. C'est le seul
# fichier à modifier pour brancher l'atelier sur vos propres fichiers : copiez-le
# à côté de vos données, puis adaptez chaque section [sources.NOM].
#
# Tout ce qui suit est FICTIF : l'agglomération, ses communes, ses quartiers et
# tous les chiffres ont été générés par `observatoire demo --quartiers {n_quartiers}
# --graine {seed}`. Les coordonnées sont en plein océan Atlantique (vers 5,5° O,
# 46° N) : aucun lieu réel n'est représenté.
#
# Règles générales :
# - les chemins (« fichier ») sont relatifs au dossier de ce fichier ;
# - chaque source a un « type » (liste : `observatoire valider --help` et le
#   README) et des options propres à ce type ; une option inconnue est refusée
#   avec une suggestion ;
# - l'encodage (UTF-8, Windows-1252) et le séparateur (« ; », « , ») sont détectés ;
#   on peut les imposer avec « encodage » et « separateur » ;
# - vérifiez la configuration avec : observatoire valider --config CE_FICHIER

[territoire]
# Nom affiché dans les rapports ; « (données fictives) » rappelle que rien n'est réel.
nom = "{model.nom}"
# Génération des quartiers prioritaires en vigueur : 2024 (codes QN…) ou 2015 (QP…).
generation = 2024
# true : chaque sortie porte la mention « {FICTIF} ».
fictif = true
# Mention reprise en pied de page des rapports.
mention = "{FICTIF} — territoire de démonstration généré par observatoire"
# Territoires de comparaison utilisés dans les rapports, dans cet ordre.
references = ["commune", "epci", "departement", "france", "ensemble_qpv"]
# Effectif en dessous duquel une case de participation est masquée (« < 5 »).
seuil_petits_effectifs = 5

[cache]
# Tables canoniques mises en cache (Parquet) ; supprimable sans risque.
dossier = ".cache"
'''
