"""Données personnelles : rien d'identifiant ni de petit effectif dans les fichiers produits.

Le territoire de test est la démo (générateur du dépôt) : sa feuille d'émargement
``participation/emargement_atelier.csv`` contient des noms, prénoms, e-mails et
téléphones (fictifs), lus ici dans le fichier source. Après ``observatoire
rapports`` (HTML, PDF, notebooks exécutés, manifeste, journaux) et ``observatoire
carte``, on balaie TOUT ce qui a été écrit — sorties et cache Parquet des tables
canoniques — sans trouver une seule de ces valeurs.

Petits effectifs : le territoire est modifié pour qu'un quartier n'ait que 2
participants de 75 ans et plus ; les effectifs bruts (API non publiée) le
confirment, et le tableau publié de représentativité n'en montre pas la part. Plus
largement, chaque groupe publié (âge, sexe, habitant d'un QPV) de chaque quartier,
dans le HTML et dans le notebook exécuté, est confronté à son effectif brut : de 1 à
4 personnes, sa part n'est pas affichée.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fiabilite_outils import HOSTILE, RARE_CODE, RARE_GROUP, RARE_LABEL, hostile_run

IDENTIFYING = ("Nom", "Prénom", "E-mail", "Téléphone")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return hostile_run(tmp_path_factory)


def identifiers(sheet: Path) -> set[str]:
    """Valeurs des colonnes identifiantes de la feuille d'émargement (ligne de titre sautée)."""
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig")), delimiter=";"))
    header = rows[1]
    assert set(IDENTIFYING) <= set(header), header
    return {
        row[header.index(col)].strip()
        for row in rows[2:]
        for col in IDENTIFYING
        if len(row) == len(header) and row[header.index(col)].strip()
    }


def file_text(path: Path) -> str:
    """Texte lisible d'un fichier produit, tel qu'un lecteur ou un outil le verrait."""
    if path.suffix == ".pdf":
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip
    if path.suffix == ".parquet":  # colonnes compressées : on relit la table
        table = pq.read_table(path)
        columns = [c for c in table.column_names if c != "geometry"]
        frame = table.select(columns).to_pandas()
        return "\n".join([*map(str, frame.columns), *(str(v) for c in frame for v in frame[c])])
    if path.suffix == ".ipynb":  # toutes les chaînes du notebook (sources, sorties, métadonnées)
        return "\n".join(_strings(json.loads(path.read_text(encoding="utf-8"))))
    text = path.read_bytes().decode("utf-8", errors="replace")
    return text + "\n" + html.unescape(text)


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node, html.unescape(node)]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in [str(key), *_strings(value)]]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [str(node)]


def generated_files(run) -> list[Path]:
    files = [p for p in run.out.rglob("*") if p.is_file()]
    files += [p for p in (run.territory / ".cache").rglob("*") if p.is_file()]
    return sorted(files)


def _pattern(value: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)", re.IGNORECASE)


def test_scan_covers_every_kind_of_output(run):
    kinds = {p.suffix for p in generated_files(run)}
    assert {".html", ".pdf", ".ipynb", ".json", ".log", ".parquet"} <= kinds, kinds
    # témoin : le balayage voit bien le contenu (nom de quartier dans PDF, ipynb, Parquet)
    name = re.sub(r"\s+", "", HOSTILE["QN00001A"])  # avec « " », « < », « / »
    for suffix in (".pdf", ".ipynb", ".parquet", ".html"):
        assert any(
            name in re.sub(r"\s+", "", file_text(p))
            for p in generated_files(run)
            if p.suffix == suffix
        ), suffix


def test_no_identifier_from_the_sign_in_sheet_in_any_generated_file(run):
    values = identifiers(run.territory / "participation" / "emargement_atelier.csv")
    assert len(values) >= 20 and any("@" in v for v in values)
    patterns = {v: _pattern(v) for v in values}
    phones = {re.sub(r"\D", "", v) for v in values if re.fullmatch(r"[\d .+]{10,}", v)}
    assert phones
    leaks = []
    for path in generated_files(run):
        text = file_text(path)
        digits = re.sub(r"[ .\u00a0\u202f]", "", text)
        leaks += [f"{path.name} : {v}" for v, pat in patterns.items() if pat.search(text)]
        leaks += [f"{path.name} : {p}" for p in phones if p in digits]
    assert leaks == [], leaks


class _Tables(HTMLParser):
    """Tableaux HTML : liste de lignes (textes des cellules), en-têtes compris."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables_of(path: Path) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return [t for t in parser.tables if t]


def test_small_group_really_exists_in_the_raw_data(run):
    """Garde-fou : le territoire de test a bien un petit effectif à masquer."""
    import observatoire

    obs = observatoire.open(run.config)
    raw = obs.participation.representativite_brute(RARE_CODE)
    count = raw.loc[raw["groupe"] == RARE_GROUP, "participants"].iloc[0]
    assert 1 <= count < obs.config.territoire.seuil_petits_effectifs


def test_published_representativeness_hides_the_small_group(run):
    rows = [
        row
        for table in tables_of(run.out / "quartiers" / f"{RARE_CODE}.html")
        if any("Part parmi les participants" in c for c in table[0])
        for row in table
        if row and row[0] == RARE_LABEL
    ]
    assert rows, "ligne « 75 ans et plus » absente du tableau de représentativité"
    for row in rows:
        assert row[1].startswith("<") or not re.search(r"\d", row[1]), row


def _published_shares(run, code: str) -> list[list[str]]:
    """Lignes (groupe, part parmi les participants…) publiées pour ``code`` : HTML + ipynb."""
    rows = [
        row
        for table in tables_of(run.out / "quartiers" / f"{code}.html")
        if any("Part parmi les participants" in c for c in table[0])
        for row in table[1:]
    ]
    nb = json.loads((run.out / "quartiers" / f"{code}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            block = output.get("data", {}).get("application/vnd.observatoire.bloc+json", {})
            if "Part parmi les participants" in block.get("colonnes", []):
                rows += block["lignes"]
    return rows


@pytest.mark.parametrize("code", ["QN00001A", "QN00002A", RARE_CODE])
def test_no_published_breakdown_cell_below_the_threshold(code, run):
    """Chaque groupe publié (âge, sexe, QPV) : effectif brut de 1 à 4 → part masquée."""
    import observatoire

    obs = observatoire.open(run.config)
    seuil = obs.config.territoire.seuil_petits_effectifs
    raw = obs.participation.representativite_brute(code)
    counts = dict(zip(raw["libelle"], raw["participants"], strict=True))
    rows = _published_shares(run, code)
    assert len(rows) >= 8, rows  # tableau HTML et bloc du notebook
    for row in rows:
        count = counts.get(row[0])
        assert count is not None, f"groupe publié inconnu : {row}"
        if 1 <= count < seuil:
            assert not re.search(r"\d+,\d", row[1]), f"{code} : petit effectif publié {row}"
