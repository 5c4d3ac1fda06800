"""Données personnelles dans le texte libre des sources de participation (issue 16).

1. Reconnaissance : téléphones français sous toutes leurs formes et au milieu d'une
   phrase, e-mails, civilités, « NOM Prénom » hors de la liste de prénoms ; pas de faux
   positif sur des titres et lieux ordinaires.
2. Chaque adaptateur de participation (présent ou futur, dès qu'il produit
   ``evenements`` ou ``presences``) passe par le dernier rempart.
3. Vraie CLI : la démo (territoire FICTIF) + les fichiers du corpus
   ``tests/corpus/participation/pii_*.csv`` sous ``pseudonymiser = true`` → ``valider``
   (cache Parquet), ``rapports`` (HTML, PDF, notebooks), ``exporter tableaux`` (CSV) et
   ``exporter atlas`` ; on balaie le cache et CHAQUE fichier produit à la recherche de
   chaque identifiant de ces fichiers. Démocratie participative : remontées et
   contributions nominatives (``pii_remontees_*``, ``pii_contributions_*``) ; le rapport
   annuel de la participation citoyenne, les bilans de concertation et les fichiers
   d'``observatoire panel`` sont balayés comme les autres sorties.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fiabilite_outils import CORPUS, build_case, load_cases, run_cli

from observatoire.errors import PrivacyError
from observatoire.privacy import detect_identifiers
from observatoire.privacy_text import find_spans, is_name_cell, mask, redact
from observatoire.sources.participation_privacy import guarded
from observatoire.sources.registry import LoadContext, adapters
from observatoire.text_clean import clean_text, has_nul, visible

PII = CORPUS / "participation"
FIXTURES = [
    "pii_email_dans_titre.csv",
    "pii_telephones_dans_phrases.csv",
    "pii_colonne_civilites.csv",
    "pii_colonne_nom_prenom.csv",
    "pii_presences_noms_inconnus.csv",
    "pii_decidim_textes.csv",
    "pii_decidim_export.json",
    # démocratie participative : description libre des remontées, texte et justification
    # des contributions (et la démarche à laquelle elles se rattachent)
    "pii_remontees_descriptions.csv",
    "pii_concertation.csv",
    "pii_contributions_textes.csv",
]
# chaque identifiant des fichiers ci-dessus (insensible à la casse)
IDENTIFIERS = [
    "aurore.leblanc", "ysolde.ferrandiere", "leblanc", "aurore", "vauquelin", "rosalinde",
    "grandclément", "grandclement", "eudoxie", "ysolde", "ferrandière", "ferrandiere",
    "M. Martin", "castagnier", "philomène", "philomene", "quintavalle", "barnabé", "barnabe",
]  # fmt: skip
# injectés dans le nom d'un quartier de la démo : absents de toute sortie
INVISIBLE = ("\u202e", "\u2066", "\u200b", "\x1b")
# les 8 téléphones, quelle que soit la mise en forme (+33 (0)6…, 0033 6…, 06.11…)
PHONE_TRACE = re.compile(r"11\W{0,3}00\W{0,3}00\W{0,3}0[1-8](?!\d)")


# ------------------------------------------------------------------ reconnaissance


@pytest.mark.parametrize(
    "text",
    [
        "06 11 00 00 01",
        "06.11.00.00.01",
        "06-11-00-00-01",
        "0611000001",
        "+33 6 11 00 00 01",
        "+33611000001",
        "+33 (0)6 11 00 00 01",
        "0033 6 11 00 00 01",
        "Permanence : appeler le 06 11 00 00 01 avant 18 h",
        "Inscription (tél. +33 (0)6 11 00 00 01) auprès de l'accueil",
    ],
)
def test_telephone_sous_toutes_ses_formes(text):
    spans = find_spans(text)
    assert [s.kind for s in spans] == ["telephone"], text
    assert mask("telephone", spans[0].text) == "06 … 01"
    assert "11 00" not in redact(text, spans) and "[téléphone retiré]" in redact(text, spans)


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        ("Inscriptions auprès de aurore.leblanc@exemple-fictif.org", "email", "a…@….org"),
        ("Atelier animé par M. Martin", "nom", "M. M…"),
        ("Rencontre avec Mme LEBLANC", "nom", "Mme L…"),
        ("Accueil par Madame Rosalinde", "nom", "Madame R…"),
        ("Réunion préparée par Karim BENALI", "nom", "K… B…"),
        ("Compte rendu de BENALI Karim", "nom", "B… K…"),
    ],
)
def test_passages_identifiants_dans_une_phrase(text, kind, masked):
    spans = find_spans(text)
    assert [(s.kind, mask(s.kind, s.text)) for s in spans] == [(kind, masked)]
    assert redact(text, spans).endswith("retiré]")


@pytest.mark.parametrize(
    "text",
    [
        "Atelier mémoire",
        "Conseil citoyen des Tilleuls",
        "Madame la Maire présente le budget",
        "CCSPL Eau et assainissement",
        "Réunion QPV Hauts de Brume",
        "Rencontre n° 12",
        "Permanence n° 2 (2023-01-18)",
        "Projet NPNRU : 1 200 logements",
        "QN00001A ; QN00002B",
        "Secteur Cité des Embruns Nord",
        "1 rue des Embruns, 00101 (adresse fictive)",
        "VB-MEET-2024-001",
        "2024-11-21 18:00:00 UTC",
        "SIRET 123 456 789 00012",
    ],
)
def test_pas_de_faux_positif(text):
    assert find_spans(text) == [], text


def test_lieux_nommes_d_apres_une_personne_acceptes_en_lieu():
    assert find_spans("Salle Jean MOULIN", first_names=False) == []
    assert find_spans("Centre social Louise Michel", first_names=False) == []


def test_colonne_de_noms_reconnue_par_le_contenu_hors_liste_de_prenoms():
    for value in ("LEBLANC Aurore", "Ysolde FERRANDIÈRE", "M. Martin", "GRANDCLÉMENT Eudoxie"):
        assert is_name_cell(value), value
    frame = pd.DataFrame(
        {
            "Référent": ["LEBLANC Aurore", "GRANDCLÉMENT Eudoxie", "Ysolde FERRANDIÈRE"],
            "Animateur": ["", "M. Martin", ""],
            "Joindre": ["", "", "+33 (0)6 11 00 00 01"],
            "Objet": ["Atelier mémoire", "Conseil citoyen des Tilleuls", "CCSPL Eau"],
        }
    )
    found = {i.column: (i.kind, i.row, i.sample) for i in detect_identifiers(frame, [2, 3, 4])}
    assert found == {
        "Référent": ("nom", 2, "L… A…"),
        "Animateur": ("nom", 3, "M. M…"),
        "Joindre": ("telephone", 4, "06 … 01"),
    }


# ------------------------------------------------------------------ dernier rempart


def test_chaque_adaptateur_de_participation_passe_par_le_rempart():
    participation = [a for a in adapters().values() if {"evenements", "presences"} & set(a.tables)]
    assert {a.type for a in participation} >= {"evenements", "presences", "decidim"}
    for adapter in participation:
        assert getattr(adapter.load, "privacy_guarded", False), adapter.type


class _Source:
    """Source minimale vue par un adaptateur (nom, fichier, options)."""

    def __init__(self, **options):
        self.name, self.label, self.options = "future", "future.csv", options

    def get(self, key, default=None):
        return self.options.get(key, default)


def _future_adapter(source, ctx):
    titles = ["Atelier avec M. Martin (06 11 00 00 01)", "Atelier mémoire"]
    return {"evenements": pd.DataFrame({"titre": titles, "lieu": [None, None], "ligne": [2, 3]})}


def test_futur_adaptateur_refuse_ou_caviarde():
    load = guarded(_future_adapter)
    with pytest.raises(PrivacyError) as info:
        load(_Source(), LoadContext(config=None))
    text = str(info.value)
    assert "ligne 2, colonne « titre (table evenements) »" in text
    assert "« M. M… »" in text and "« 06 … 01 »" in text and "Martin" not in text
    ctx = LoadContext(config=None)
    out = load(_Source(pseudonymiser=True), ctx)["evenements"]
    assert out["titre"].tolist() == [
        "Atelier avec [nom retiré] ([téléphone retiré])",
        "Atelier mémoire",
    ]
    assert len(ctx.warnings) == 2 and all(w.severity == "avertissement" for w in ctx.warnings)


# ------------------------------------------------------------------ textes : contrôles, bidi, NUL


def test_nettoyage_des_caracteres_invisibles_et_de_controle():
    assert clean_text("Les\u200b Hauts\u202e de\u2066 Brume\ufeff") == "Les Hauts de Brume"
    assert clean_text("\x1b[2J\x1b[31mBilan\x1b[0m \x1b]0;pirate\x07annuel") == "Bilan annuel"
    assert clean_text("a\x07b\x85c\td\ne") == "abc\td\ne"
    assert clean_text("Cité des Embruns – Nord") == "Cité des Embruns – Nord"
    assert has_nul("x" * 5000 + "\x00") and not has_nul(clean_text("a\x00b").replace("\x00", ""))
    assert visible("a\x1b[2Jb\u202ec") == "a\\x1b[2Jb\\u202ec"


def test_rempart_nettoie_et_plafonne_les_titres():
    def adapter(source, ctx):
        titles = ["\u202eBilan\x1b[31m annuel\u200b", "x" * 10_000, "a\x00b"]
        return {
            "evenements": pd.DataFrame({"titre": titles, "lieu": [None] * 3, "ligne": [2, 3, 4]})
        }

    with pytest.raises(PrivacyError) as info:
        guarded(adapter)(_Source(), LoadContext(config=None))
    text = str(info.value)
    assert "ligne 3, colonne « titre (table evenements) » — texte trop long" in text
    assert "10\u202f000 caractères" in text and "ligne 4" in text and "NUL" in text
    assert "\x00" not in text


@pytest.mark.parametrize(
    ("case_id", "bad"),
    [
        ("participation-echappements-ansi-retires", "\x1b"),
        ("participation-bidi-et-largeur-nulle-nettoyes", "\u202e"),
        ("geographie-noms-bidi-et-largeur-nulle-nettoyes", "\u202e"),
        ("indicateurs-echappements-ansi-jamais-renvoyes-au-terminal", "\x1b"),
    ],
)
def test_aucun_caractere_de_controle_renvoye_au_terminal_ni_au_cache(case_id, bad, tmp_path):
    case = next(c for c in load_cases() if c["id"] == case_id)
    territory = build_case(case, tmp_path / "territoire")
    result = run_cli("valider", "--config", str(territory / "observatoire.toml"), cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == case["attendu"], output
    for char in ("\x1b", "\x07", "\u202e", "\u2066", "\u200b"):
        assert char not in output, (char, output)
    for path in (territory / ".cache").rglob("*.parquet"):
        assert bad not in _text(path), path.name


# ------------------------------------------------------------------ vraie CLI, cache et sorties

SOURCES = """
[sources.pii_titre]
type = "evenements"
fichier = "participation/pii_email_dans_titre.csv"
pseudonymiser = true
correspondance_quartiers = { "QN00002B" = "QN00002A", "QN00003C" = "QN00003A" }

[sources.pii_telephones]
type = "evenements"
fichier = "participation/pii_telephones_dans_phrases.csv"
pseudonymiser = true
correspondance_quartiers = { "QN00002B" = "QN00002A", "QN00003C" = "QN00003A" }

[sources.pii_civilites]
type = "evenements"
fichier = "participation/pii_colonne_civilites.csv"
pseudonymiser = true
correspondance_quartiers = { "QN00002B" = "QN00002A", "QN00003C" = "QN00003A" }

[sources.pii_noms]
type = "evenements"
fichier = "participation/pii_colonne_nom_prenom.csv"
pseudonymiser = true
correspondance_quartiers = { "QN00002B" = "QN00002A", "QN00003C" = "QN00003A" }

[sources.pii_presences]
type = "presences"
fichier = "participation/pii_presences_noms_inconnus.csv"
evenement = "T01"
pseudonymiser = true
cle_demonstration = true

[sources.pii_decidim]
type = "decidim"
fichier = "participation/pii_decidim_textes.csv"
prefixe_id = "pii-decidim-"
correspondance_scopes = { "Toute la ville" = "" }
pseudonymiser = true

[sources.pii_decidim_json]
type = "decidim"
fichier = "participation/pii_decidim_export.json"
prefixe_id = "pii-json-"
correspondance_scopes = { "Toute la ville" = "" }
pseudonymiser = true

[sources.pii_remontees]
type = "remontees"
fichier = "participation/pii_remontees_descriptions.csv"
pseudonymiser = true

[sources.pii_concertation]
type = "concertations"
fichier = "participation/pii_concertation.csv"

[sources.pii_contributions]
type = "contributions"
fichier = "participation/pii_contributions_textes.csv"
pseudonymiser = true
"""


@pytest.fixture(scope="module")
def territory(tmp_path_factory) -> Path:
    from observatoire.demo.generator import generate_demo

    root = tmp_path_factory.mktemp("pii")
    config = generate_demo(root / "territoire", n_quartiers=3)
    for name in FIXTURES:
        shutil.copy(PII / name, config.parent / "participation" / name)
    config.write_text(config.read_text(encoding="utf-8") + SOURCES, encoding="utf-8")
    liste = config.parent / "geographie" / "liste_qpv_2024.csv"
    text = liste.read_text(encoding="utf-8-sig")
    name = next(x.split(";")[1] for x in text.splitlines() if x.startswith("QN00001A;"))
    hostile = "\u202e" + name.replace(" ", "\u200b ", 1) + "\x1b[31m\u2066"
    liste.write_text(text.replace(f";{name};", f";{hostile};", 1), encoding="utf-8")
    out = config.parent / "sorties"
    commands = [
        ("valider", "--config", str(config)),
        ("rapports", "--config", str(config), "--quartier", "QN00001A", "--evaluation")
        + ("--participation", "--demarche", "PII-C1")
        + ("--format", "html,pdf", "--sortie", str(out), "--jobs", "2"),
        ("panel", "--config", str(config), "--sortie", str(out)),
        ("exporter", "tableaux", "--config", str(config), "--format", "csv")
        + ("--sortie", str(out / "exports")),
        ("exporter", "atlas", "--config", str(config), "--sortie", str(out / "exports"))
        + ("--rapports", str(out)),
        ("exporter", "tableaux", "--config", str(config), "--format", "xlsx")
        + ("--sortie", str(out / "exports")),
        ("exporter", "diaporama", "--config", str(config), "--quartier", "QN00001A")
        + ("--sortie", str(out / "exports")),
    ]
    for args in commands:
        result = run_cli(*args, cwd=root)
        log = result.stdout + result.stderr
        assert result.returncode == 0, f"observatoire {' '.join(args)}\n{log}"
        assert "Traceback" not in log
        (config.parent / f"journal-{args[0]}-{args[1]}.txt").write_text(log, encoding="utf-8")
    return config.parent


def _text(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    if path.suffix in (".xlsx", ".pptx"):  # classeur, diaporama : le texte de leurs XML
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
            parts = [archive.read(n).decode("utf-8") for n in names]  # images exclues
        xml = " ".join(p for p in parts if p.lstrip().startswith("<"))
        return html.unescape(re.sub(r"<[^>]+>", " ", xml))
    if path.suffix == ".parquet":
        frame = pq.read_table(path).to_pandas()
        cells = frame.map(lambda v: v.decode("latin-1") if isinstance(v, bytes) else str(v))
        return cells.to_csv()
    return path.read_bytes().decode("utf-8", errors="replace")


def _leaks(text: str) -> list[str]:
    low = text.lower()
    found = [i for i in IDENTIFIERS if i.lower() in low]
    return found + PHONE_TRACE.findall(text)


def test_le_cache_parquet_ne_contient_aucun_identifiant(territory):
    cache = sorted((territory / ".cache").rglob("*.parquet"))
    assert cache, "cache Parquet absent"
    events = pd.concat([pq.read_table(p).to_pandas() for p in cache if "evenements" in p.name])
    titles = dict(zip(events["id"], events["titre"], strict=False))
    # les lignes sont gardées, seuls les passages identifiants sont retirés
    assert titles["T01"] == "Bilan annuel — inscriptions auprès de [e-mail retiré]"
    assert titles["P02"] == "Permanence (inscription au [téléphone retiré])"
    assert titles["pii-decidim-501"] == "Rencontre avec [nom retiré]"
    assert titles["pii-json-601"] == "Atelier mémoire"  # l'export JSON est bien chargé
    # remontées et contributions nominatives : lignes gardées, textes libres jamais repris
    remontees = pd.concat([pq.read_table(p).to_pandas() for p in cache if "remontees" in p.name])
    assert {"PR1", "PR2", "PR3"} <= set(remontees["id"])
    contrib = pd.concat([pq.read_table(p).to_pandas() for p in cache if "contributions" in p.name])
    assert {"PK1", "PK2", "PK3"} <= set(contrib["id"])
    for path in cache:
        leaks = _leaks(_text(path)) + _leaks(path.read_bytes().decode("latin-1"))
        assert not leaks, (path.name, leaks)


def test_aucune_sortie_ne_contient_un_identifiant(territory):
    out = territory / "sorties"
    produced = [p for p in out.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in produced}
    assert {".html", ".pdf", ".csv", ".xlsx", ".pptx"} <= kinds, kinds
    names = {p.relative_to(out).as_posix() for p in produced}
    assert any(n.startswith("participation/participation-citoyenne-") for n in names), names
    assert "concertations/PII-C1.html" in names and "concertations/PII-C1.pdf" in names
    assert any(n.startswith("panel/") for n in names), names
    assert list((out / "exports").rglob("*.csv")) and list((out / "exports").rglob("*.html"))
    for path in produced:
        if path.suffix in (".png", ".woff", ".woff2", ".ico", ".jpg", ".svgz"):
            continue
        content = _text(path)
        leaks = _leaks(content)
        assert not leaks, (str(path.relative_to(out)), leaks)
        for char in INVISIBLE:
            assert char not in content, (str(path.relative_to(out)), hex(ord(char)))
    for log in territory.glob("journal-*.txt"):  # la console non plus (valeurs masquées)
        assert not _leaks(log.read_text(encoding="utf-8")), log.name
