"""Exports pour les collègues et les élus : tableaux, diaporamas, figures, atlas.

Chaque module lit les mêmes tables canoniques et les mêmes analyses que les rapports
(aucun second chemin de calcul) et écrit ses fichiers de façon atomique.
"""
