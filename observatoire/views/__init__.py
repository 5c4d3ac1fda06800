"""Vues : figures, cartes, tableaux mis en forme, formats français (aucun chargement de données)."""
