"""Publication : exécution papermill, rendu HTML/PDF, lots, manifeste, page d'index."""
