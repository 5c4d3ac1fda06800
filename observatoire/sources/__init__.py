"""Lecture, normalisation et validation des fichiers d'entrée (une famille par module)."""
