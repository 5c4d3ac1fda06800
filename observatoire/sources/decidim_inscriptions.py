"""Export des inscriptions à une rencontre Decidim → table ``inscriptions`` (inscrits ≠ présents).

Forme réelle (``Decidim::Meetings::RegistrationSerializer``, aplatie par ``/``) :
``id;code;user/name;user/email;user/user_group;registration_form_answers/…`` où les
réponses au formulaire d'inscription sont ``registration_form_answers/1. Vous êtes`` etc.
(« N. » + intitulé de la question, choix joints par « , »). Decidim exporte les
inscriptions **d'une** rencontre : l'option ``rencontre`` donne son identifiant.

Les inscrits ne sont pas des présents : ils vont dans la table ``inscriptions``
(``obs.tables["inscriptions"]``), jamais dans ``presences`` ; l'effectif présent de la
rencontre reste ``attendees`` de l'export des rencontres. Nom, e-mail, groupe, code
d'inscription, jeton de session et empreinte IP ne sont **jamais lus** (colonnes écartées
à la lecture, avec un avertissement qui les nomme).

Réponses usuelles des formulaires Decidim (:data:`REPONSES_SEXE`, bandes d'âge lues
par :func:`parse_band`) : « Une femme » → F, « Un homme » → H, « Je préfère ne pas
répondre » → non renseigné ; « Moins de 25 ans » → ``<25``, « 25-39 ans » → ``25-39``,
« 60 ans et plus » → ``60+`` (bande du formulaire, gardée telle quelle dans
``tranche_inscription`` ; ``tranche_age`` seulement si elle est une tranche de la pyramide).
D'autres libellés : ``correspondance_reponses = { "Femme" = "F", "Senior" = "60+" }``.

Exemple ::

    [sources.inscriptions_302]
    type = "decidim_inscriptions"
    fichier = "participation/inscriptions_rencontre_302.csv"
    rencontre = "302"
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.schemas.participation import TRANCHES_AGE
from observatoire.sources.decidim_read import read_export
from observatoire.sources.participation_fields import _option_table, parse_sexe, warning
from observatoire.sources.registry import Adapter
from observatoire.sources.tabular import normalise_label

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext

ANSWERS = "registration_form_answers/"
REPONSES_SEXE: dict[str, str | None] = {
    "une femme": "F", "un homme": "H", "femme": "F", "homme": "H",
    "je prefere ne pas repondre": None, "autre": None, "non binaire": None,
}  # fmt: skip
NOT_ANSWERED = {"", "je prefere ne pas repondre", "ne se prononce pas", "non renseigne"}
QUESTIONS = {
    "sexe": ("vous etes", "genre", "sexe", "civilite"),
    "tranche": ("age", "tranche"),
}
BAND_EXPECTED = (
    "une bande d'âge (« Moins de 25 ans », « 25-39 ans », « 60 ans et plus ») ou un libellé "
    "déclaré dans correspondance_reponses"
)
COLUMNS = ["evenement", "sexe", "tranche_inscription", "tranche_age", "source", "ligne"]


def is_registrations_export(columns: list[str]) -> bool:
    """Vrai pour l'export des inscriptions Decidim (``code`` + ``user/…`` ou réponses)."""
    names = [str(c) for c in columns]
    return "code" in names and any(c.startswith(("user/", ANSWERS[:-1])) for c in names)


def registrations_problem(problems: ProblemCollector) -> None:
    """Refus d'un export d'inscriptions lu comme présences : des inscrits, pas des présents."""
    problems.add(
        "ce fichier est l'export des inscriptions Decidim : des inscrits, pas des présents",
        column="code", expected='type = "decidim_inscriptions" et rencontre = "ID" (table '
        "inscriptions, à part des présences)",
    )  # fmt: skip


def parse_band(text: object) -> str | None:
    """« Moins de 25 ans » → ``<25`` ; « 25-39 ans » → ``25-39`` ; « 60 ans et plus » → ``60+``."""
    key = normalise_label(str(text or "").strip())
    if key in NOT_ANSWERED:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", key)]
    if len(numbers) == 1 and re.search(r"moins|inferieur|<", key):
        return f"<{numbers[0]}"
    if len(numbers) == 1 and re.search(r"plus|\+|superieur|>", key):
        return f"{numbers[0]}+"
    if len(numbers) == 2 and numbers[0] < numbers[1]:
        return f"{numbers[0]}-{numbers[1]}"
    raise ValueError(BAND_EXPECTED)


def _question(columns: list[str], key: str, source: SourceConfig) -> str | None:
    wanted = (source.get("questions") or {}).get(key)
    answers = [c for c in columns if c.startswith(ANSWERS)]
    if wanted:
        hits = [c for c in answers if normalise_label(c[len(ANSWERS) :]) == normalise_label(wanted)]
        if not hits:
            raise source.error(
                "question absente de l'export", f"questions.{key}", wanted,
                "une des questions : " + ", ".join(c[len(ANSWERS) :] for c in answers),
            )  # fmt: skip
        return hits[0]
    for col in answers:
        label = normalise_label(re.sub(r"^\d+\.\s*", "", col[len(ANSWERS) :]))
        if any(re.search(rf"\b{w}\b", label) for w in QUESTIONS[key]):
            return col
    return None


def load_inscriptions(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Inscriptions d'une rencontre Decidim → table ``inscriptions`` (sans identité)."""
    problems = ProblemCollector(source.label)
    meeting = source.get("rencontre")
    if not isinstance(meeting, (str, int)) or not str(meeting).strip():
        raise source.error(
            "identifiant de la rencontre manquant", "rencontre", meeting,
            'rencontre = "302" (id Decidim de la rencontre dont ce fichier liste les inscrits)',
        )  # fmt: skip
    questions = source.get("questions", {})
    if not isinstance(questions, dict) or set(questions) - set(QUESTIONS):
        raise source.error(
            "doit être une table sexe / tranche", "questions", questions,
            'questions = { sexe = "1. Vous êtes", tranche = "2. Votre âge" }',
        )  # fmt: skip
    aliases = {
        normalise_label(k): v for k, v in _option_table(source, "correspondance_reponses").items()
    }
    raw = read_export(source, problems, ["id", "code", "user/name", "user/email"])
    columns = list(raw.frame.columns)
    if not is_registrations_export(columns):
        problems.add(
            "ce fichier n'est pas un export des inscriptions Decidim", column="code",
            expected="les colonnes id;code;user/name;user/email;registration_form_answers/…",
        )  # fmt: skip
    problems.raise_if_any()
    event = str(source.get("prefixe_id", "decidim-")) + str(meeting).strip()
    events = ctx.tables.get("evenements")
    causes = ", ".join(dict.fromkeys(ctx.failed.get("evenements", [])))
    known = events is not None and event in set(events["id"])
    if not known and causes:  # la source des rencontres est en erreur : pas de cascade
        problems.add(
            f"rencontre non vérifiable : {causes} est en erreur (voir son anomalie ci-dessus)",
            column="rencontre (option)", found=str(meeting),
            expected=f"corriger d'abord {causes}, puis relancer",
        )  # fmt: skip
    elif not known:
        problems.add(
            "rencontre inconnue", column="rencontre (option)", found=str(meeting),
            expected="l'id d'une rencontre chargée par une source de type decidim",
        )  # fmt: skip
    sexe_col, band_col = _question(columns, "sexe", source), _question(columns, "tranche", source)
    ignored = [c for c in columns if c not in (sexe_col, band_col)]
    ctx.warnings.append(
        warning(source, None, None, "colonnes non importées (identité, codes, autres réponses) : "
                + ", ".join(ignored))
    )  # fmt: skip
    records = []
    for i in range(len(raw.frame)):
        row, line = raw.frame.iloc[i], raw.rows[i]
        sexe = band = None
        if sexe_col:
            text = str(row[sexe_col]).strip()
            key = normalise_label(text)
            try:
                sexe = (
                    aliases[key]
                    if key in aliases
                    else (REPONSES_SEXE[key] if key in REPONSES_SEXE else parse_sexe(text))
                )
            except ValueError as exc:
                problems.add("réponse invalide", row=line, column=sexe_col, found=text,
                             expected=f"« Une femme », « Un homme », « Je préfère ne pas répondre » "
                             f"ou un libellé déclaré dans correspondance_reponses ({exc})")  # fmt: skip
            sexe = sexe or None
            if sexe not in (None, "F", "H"):
                problems.add("correspondance_reponses : sexe F ou H attendu", row=line,
                             column=sexe_col, found=sexe, expected="F ou H")  # fmt: skip
        if band_col:
            text = str(row[band_col]).strip()
            key = normalise_label(text)
            try:
                band = aliases[key] if key in aliases else parse_band(text)
            except ValueError:
                problems.add("réponse invalide", row=line, column=band_col, found=text,
                             expected=BAND_EXPECTED)  # fmt: skip
        records.append({"evenement": event, "sexe": sexe or None, "tranche_inscription": band,
                        "tranche_age": band if band in TRANCHES_AGE else None, "ligne": line})  # fmt: skip
    problems.raise_if_any()
    ctx.warnings.append(
        warning(source, None, None, f"{len(records)} inscription(s) à la rencontre {event} : "
                "inscrits, pas présents (l'effectif présent reste « attendees » de l'export "
                "des rencontres)")
    )  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=[c for c in COLUMNS if c != "source"])
    for col in ("sexe", "tranche_inscription", "tranche_age"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["source"] = source.name
    frame["ligne"] = pd.array(frame["ligne"].tolist(), dtype="Int64")
    return {"inscriptions": frame[COLUMNS]}


ADAPTERS = [
    Adapter(
        type="decidim_inscriptions",
        tables=("inscriptions",),
        load=load_inscriptions,
        options={
            "rencontre": "identifiant Decidim de la rencontre dont le fichier liste les inscrits",
            "questions": "table sexe / tranche → intitulé de la question du formulaire "
            '(ex. { sexe = "1. Vous êtes" }) ; reconnues sinon par leurs mots',
            "correspondance_reponses": "table réponse du formulaire → F, H ou bande d'âge "
            "(« <25 », « 25-39 », « 60+ »)",
            "prefixe_id": "préfixe des identifiants d'événements de la source decidim ; défaut "
            "« decidim- »",
            "separateur": "séparateur du CSV (défaut « ; »)",
            "encodage": "encodage du CSV (détecté sinon)",
        },
        needs=("territoires", "evenements"),
        description="Export des inscriptions à une rencontre Decidim (inscrits, pas présents)",
    ),
]
