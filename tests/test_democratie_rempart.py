"""Dernier rempart des données personnelles (``guarded``) sur les tables de la démocratie
participative : un passage identifiant qui aurait échappé au lecteur est refusé, ou retiré
avec ``pseudonymiser = true`` ; les textes longs (réponse, justification) ont leur limite."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from observatoire.config import SourceConfig
from observatoire.errors import PrivacyError
from observatoire.schemas import empty_table
from observatoire.sources.participation_privacy import guarded
from observatoire.sources.registry import LoadContext, adapters

AVIS = {"id": "A1", "instance": "CCSPL", "date": pd.Timestamp("2025-03-01"),
        "objet": "Tarifs de la cantine", "source": "avis", "ligne": 4}  # fmt: skip


def _source(pseudonymiser: bool = False) -> SourceConfig:
    options = {"pseudonymiser": True} if pseudonymiser else {}
    return SourceConfig("avis", "avis", Path("avis_instances.csv"), options, "observatoire.toml")


def _loader(**values):
    """Un adaptateur qui rend une table ``avis`` telle quelle (le lecteur aurait laissé
    passer ``values``) : seul le dernier rempart peut l'arrêter."""
    row = {**AVIS, **values}

    def load(source, ctx):
        frame = pd.concat([empty_table("avis"), pd.DataFrame([row])], ignore_index=True)
        return {"avis": frame}

    return guarded(load)


def test_reponse_avec_e_mail_et_telephone_refusee_en_nommant_la_ligne():
    load = _loader(reponse="Écrire à jeanne.dupont@example.org ou au 06 12 34 56 78.")
    with pytest.raises(PrivacyError) as info:
        load(_source(), LoadContext(config=None))
    text = str(info.value)
    assert "avis_instances.csv" in text and "ligne 4" in text
    assert "reponse (table avis)" in text


def test_reponse_pseudonymisee_sans_identifiant():
    ctx = LoadContext(config=None)
    tables = _loader(reponse="Écrire à jeanne.dupont@example.org ou au 06 12 34 56 78.")(
        _source(pseudonymiser=True), ctx
    )
    reponse = tables["avis"].loc[0, "reponse"]
    assert "example.org" not in reponse and "06 12" not in reponse
    assert reponse.startswith("Écrire à ")
    assert ctx.warnings  # le retrait est dit


def test_reponse_longue_admise_texte_demesure_refuse():
    phrase = "La commission a examiné la proposition et propose une expérimentation. "
    long = (phrase * 22).strip()  # ≈ 1 500 caractères : une vraie réponse de quelques phrases
    assert 1_400 < len(long) < 10_000
    tables = _loader(reponse=long)(_source(), LoadContext(config=None))
    assert tables["avis"].loc[0, "reponse"] == long
    with pytest.raises(PrivacyError, match="trop long"):
        _loader(reponse="a" * 10_001)(_source(), LoadContext(config=None))
    with pytest.raises(PrivacyError, match="trop long"):  # un titre reste court
        _loader(objet="a" * 1_001)(_source(), LoadContext(config=None))


def test_tous_les_lecteurs_de_la_democratie_participative_sont_gardes():
    types = ["concertations", "contributions", "petitions", "signatures", "remontees",
             "instances", "avis", "budget_participatif", "votes_budget_participatif",
             "vivier_panel"]  # fmt: skip
    registry = adapters()
    assert all(getattr(registry[t].load, "privacy_guarded", False) for t in types)
