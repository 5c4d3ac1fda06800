"""Territoire de démonstration fictif (générateur à graine fixe)."""
