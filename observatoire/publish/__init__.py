"""Publication : exécution papermill, rendu HTML/PDF, lots, manifeste, page d'index."""

import sys


def _skip_slow_iri_checker() -> None:
    """Évite ≈ 2,6 s d'import à chaque processus de publication.

    nbformat importe jsonschema, dont le module des formats importe ``rfc3987_syntax``
    s'il est installé (extra ``format-nongpl``, tiré par jupyter-events) ; ce module
    compile 38 grammaires Lark à l'import (jsonschema, tickets 1392 et 1428). Les
    schémas de nbformat n'utilisent pas les formats ``iri`` qu'il vérifie : on le
    déclare absent, comme s'il n'était pas installé (jsonschema ne vérifie alors
    simplement pas ces deux formats). Sans effet si jsonschema est déjà importé.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


_skip_slow_iri_checker()
