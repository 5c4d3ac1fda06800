"""En cours d'écriture."""

ADAPTERS: list = []
