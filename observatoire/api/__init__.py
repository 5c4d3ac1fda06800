"""Accès aux analyses depuis l'objet Observatoire (``obs.indicateurs``, ``obs.participation``,
``obs.contrat``) : ces classes passent les tables canoniques aux fonctions pures de
:mod:`observatoire.analysis` et aux vues de :mod:`observatoire.views`."""
