"""Analyses : fonctions pures (tables canoniques → tables de résultats), sans E/S ni dessin."""
