"""Chargement par la configuration seule d'un classeur de programmation réel (titres,
en-têtes fusionnés sur deux lignes, feuille « Notice », une feuille par année, cibles
« tous les QPV de … ») et d'un fichier SCDL Subventions en Windows-1252 (``31 000,00``).

Fixtures : tests/fixtures/contrat/ (classeur refait par fabriquer_classeurs.py).
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from observatoire.cli import main
from observatoire.errors import InputError
from observatoire.territory import Observatoire


@pytest.fixture()
def project(tmp_path, fixtures):
    """Copie du mini-territoire (le cache est écrit à côté de la configuration)."""
    dest = tmp_path / "projet"
    shutil.copytree(fixtures / "contrat", dest)
    return dest


@pytest.fixture()
def obs(project):
    return Observatoire.from_config(project / "observatoire.toml", use_cache=False)


def test_classeur_multi_feuilles_en_tetes_fusionnes(obs):
    a = obs.actions.set_index("id")
    prog = a[a["source"] == "programmation"]
    # feuille « Notice » ignorée ; intertitre, ligne TOTAL et note sous le tableau écartés
    assert sorted(prog.index) == [
        "2024-001", "2024-002", "2024-003", "2024-004", "2025-001", "2025-002", "2025-003",
    ]  # fmt: skip
    assert a.loc["2024-001", "feuille"] == "Prog 2024" and a.loc["2024-001", "ligne"] == 6
    assert a.loc["2024-004", "ligne"] == 10  # après l'intertitre fusionné de la ligne 9
    assert a.loc["2025-003", "annee"] == 2025  # année lue dans le nom de la feuille
    assert a.loc["2024-003", "pilier"] == "Développement économique et emploi"  # « Pilier 3 »
    assert a.loc["2025-003", "statut"] == "instruit"  # « En instruction »
    assert a.loc["2024-002", "porteur_id"] == "12345678900011"  # espaces retirés
    assert a.loc["2024-002", "cout_total_centimes"] == 650050  # « 6 500,50 »
    assert a.loc["2024-001", "beneficiaires_realises"] == 90
    f = obs.financements.set_index(["action", "financeur"])
    etat = "État (crédits politique de la ville)"
    assert f.loc[("2024-003", etat), "accorde_centimes"] == 600025  # « 6 000,25 »
    assert f.loc[("2024-002", etat), "demande_centimes"] == 300050  # nombre Excel 3000,5
    assert bool(f.loc[("2024-002", etat), "credits_pv"])
    assert not bool(f.loc[("2024-002", "CAF"), "credits_pv"])


def test_cibles_codes_noms_et_tous_les_qpv_de(obs):
    c = obs.cibles
    weights = {(r.action, r.quartier): r.poids for r in c.itertuples()}
    # liste de codes, pondérée par la population (2 000 et 1 000 habitants)
    assert weights[("2024-001", "QN00001A")] == pytest.approx(2 / 3)
    assert weights[("2024-001", "QN00002B")] == pytest.approx(1 / 3)
    # « tous les QPV de Port-Salé » : les deux quartiers qui touchent la commune
    assert {q for a, q in weights if a == "2024-002"} == {"QN00002B", "QN00003C"}
    # « tous les QPV de la commune » + colonne Commune = Brumeville
    assert {q for a, q in weights if a == "2025-002"} == {"QN00001A", "QN00002B"}
    assert {q for a, q in weights if a == "2024-003"} == {"QN00003C"}  # nom « La Lande »
    assert c.groupby("action")["poids"].sum().round(12).eq(1).all()


def test_subventions_scdl_cp1252_reliees_ou_signalees(obs):
    a = obs.actions.set_index("id")
    f = obs.financements.set_index("action")
    ref = "subventions_port_sale:DEL-2025-014"
    assert f.loc[ref, "accorde_centimes"] == 3100000  # « 31 000,00 »
    assert f.loc["subventions_port_sale:DEL-2025-015", "accorde_centimes"] == 250050
    # pourcentageSubvention « 0,5 » : coût du projet 5 001,00 €
    assert a.loc["subventions_port_sale:DEL-2025-015", "cout_total_centimes"] == 500100
    assert f.loc[ref, "financeur"] == "Ville de Port-Salé"
    assert a.loc[ref, "intitule"] == "Accompagnement à la scolarité"  # accents cp1252
    assert a.loc[ref, "annee"] == 2025 and a.loc[ref, "statut"] == "accorde"
    c = obs.cibles
    linked = {a: set(g["quartier"]) for a, g in c.groupby("action")}
    assert linked[ref] == {"QN00002B", "QN00003C"}  # fichier de liens
    assert linked["subventions_port_sale:DEL-2025-015"] == {"QN00003C"}  # par SIRET
    assert linked["subventions_port_sale:DEL-2025-022"] == {"QN00003C"}  # mot-clé « théâtre »
    assert a.loc["subventions_port_sale:DEL-2025-022", "pilier"] == "Cohésion sociale"
    unlinked = "subventions_port_sale:DEL-2025-023"
    assert unlinked in a.index and unlinked not in linked  # gardée, jamais supprimée
    assert f.loc[unlinked, "accorde_centimes"] == 80000
    warns = [w for w in obs.warnings if w.file == "subventions_port-sale_2025.csv"]
    detail = [w for w in warns if w.row == 5]
    assert detail and "non reliée" in detail[0].message
    assert "Amicale des anciens marins" in str(detail[0].found)


def test_accorde_superieur_au_demande_en_avertissement(obs):
    over = [w for w in obs.warnings if "supérieur au montant demandé" in w.message]
    assert len(over) == 1
    assert over[0].row == 7 and "Prog 2025" in over[0].file
    assert over[0].found == "2\u00a0500,00\u00a0€ accordés pour 2\u00a0000,00\u00a0€ demandés"


def test_totaux_exacts_du_classeur_et_des_subventions(obs):
    t = obs.contrat.totaux("annee").set_index("annee")
    # 2024 : 8 000 + 5 000 + 3 000,50 + 1 000 + 0 + 6 000,25 + 0 + 0
    assert t.loc[2024, "accorde"] == Decimal("23000.75")
    # 2025 : 10 000 + 5 000 + 2 500 + 31 000 + 2 500,50 + 1 200 + 800
    assert t.loc[2025, "accorde"] == Decimal("53000.50")
    q = obs.contrat.totaux("quartier")
    assert sum(q["accorde"]) == Decimal("76001.25")
    eph = obs.contrat.euros_par_habitant(2024).set_index("quartier")
    # 2024-001 : 13 000 € × 2/3 → 8 666,67 € pour 2 000 habitants
    assert eph.loc["QN00001A", "montant"] == Decimal("8666.67")
    assert eph.loc["QN00004D", "montant"] == Decimal("0.00")


def test_valider_liste_les_subventions_non_reliees(project, capsys):
    code = main(["valider", "--config", str(project / "observatoire.toml"), "--sans-cache"])
    out = capsys.readouterr().out
    assert code == 0
    assert "subventions_port-sale_2025.csv, ligne 5" in out
    assert "subvention non reliée" in out
    assert "1 subvention(s) sur 4 non reliée(s)" in out


def _config(project, body: str) -> str:
    text = (project / "observatoire.toml").read_text(encoding="utf-8")
    head = text.split("[sources.programmation]")[0]
    path = project / "anomalies.toml"
    path.write_text(head + body, encoding="utf-8")
    return str(path)


ANOMALIES = """
[sources.prog]
type = "programmation"
fichier = "programmation_anomalies.csv"
colonnes = { dossier = "N° dossier", annee = "Année", intitule = "Intitulé", porteur = "Porteur", pilier = "Pilier", statut = "Statut", quartiers = "Quartier(s)" }
financeurs = { etat = { demande = "État demandé", accorde = "État accordé" } }
"""


def test_classeur_en_anomalie_toutes_listees_code_2(project, capsys):
    config = _config(project, ANOMALIES)
    with pytest.raises(InputError) as err:
        Observatoire.from_config(config, use_cache=False)
    found = {(p.row, p.column, p.message.split(" (")[0]) for p in err.value.errors}
    assert (4, "État demandé", "montant négatif") in found
    assert (5, "Année", "année de programmation impossible") in found
    assert (6, "Quartier(s)", "quartier inconnu") in found
    assert (7, "Statut", "statut inconnu") in found
    assert (8, "État demandé", "montant illisible") in found
    assert (9, "N° dossier", "numéro de dossier en double") in found
    assert (10, "Pilier", "pilier inconnu") in found
    assert len(err.value.errors) == 7  # la ligne 11 (accordé > demandé) n'est qu'un avertissement
    unknown = next(p for p in err.value.errors if p.row == 6)
    assert unknown.found == "Les Mimosas" and "tous les QPV" in unknown.expected
    assert main(["valider", "--config", config, "--sans-cache"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "programmation_anomalies.csv, ligne 7, colonne « Statut »" in captured.err
    assert not (project / ".cache").exists()  # rien d'écrit


def test_subventions_en_anomalie(project):
    config = _config(
        project,
        '\n[sources.subv]\ntype = "subventions_scdl"\nfichier = "subventions_anomalies.csv"\n',
    )
    with pytest.raises(InputError) as err:
        Observatoire.from_config(config, use_cache=False)
    found = {(p.row, p.message) for p in err.value.errors}
    assert (2, "montant négatif") in found
    assert (3, "date de convention illisible") in found
    assert (4, "montant manquant") in found
    assert (5, "montant illisible") in found


def test_configuration_incomplete(project):
    config = _config(
        project,
        '\n[sources.prog]\ntype = "programmation"\nfichier = "programmation_anomalies.csv"\n',
    )
    from observatoire.errors import ConfigError

    with pytest.raises(ConfigError, match="numéro de dossier"):
        Observatoire.from_config(config, use_cache=False)


def test_reglages_d_analyse_invalides(project):
    from observatoire.errors import ConfigError

    path = project / "observatoire.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "\n[rapports.contrat]\nbesoin = { taux_pauvrete = 2, taux_misere = 1 }\n"
        'montant = "promis"\n',
        encoding="utf-8",
    )
    obs = Observatoire.from_config(path, use_cache=False)
    with pytest.raises(ConfigError, match="taux_misere"):
        obs.contrat.besoins_moyens()
    with pytest.raises(ConfigError, match="promis"):
        obs.contrat.euros_par_habitant()
    with pytest.raises(ValueError, match="regroupement inconnu"):
        obs.contrat.totaux("porteur_prefere")
