"""Schémas de la famille participation (en cours d'écriture)."""

SCHEMAS: dict = {}
