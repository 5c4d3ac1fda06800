"""Schémas de la famille contrat (en cours d'écriture)."""

SCHEMAS: dict = {}
