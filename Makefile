# observatoire — deux commandes : `make demo` puis `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installe
CONFIG ?= data/demo/observatoire.toml
JOBS   ?= 2

.PHONY: demo test install lint format kernel bench clean demo-data

# Paquets système manquants (module venv, Pango, polices ; Chromium et poppler pour les
# tests) : installés par .ci/paquets-systeme (apt-get, en root ou par sudo).
PAQUETS := bash .ci/paquets-systeme

$(STAMP): pyproject.toml
	@test -x $(BIN)/pip || { PYTHON="$(PYTHON)" $(PAQUETS) venv && $(PYTHON) -m venv --clear $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

## make demo : environnement, validation des données fictives, tous les rapports dans reports/
## (tableaux de bord, évaluation, bilans de concertation, rapport de la participation citoyenne),
## le panel citoyen tiré au sort (reports/panel/), les exports (tableaux XLSX et CSV,
## diaporamas, figures, atlas) dans reports/exports/
demo: $(STAMP)
	@$(PAQUETS) rapports
	$(BIN)/observatoire valider --config $(CONFIG)
	$(BIN)/observatoire rapports --config $(CONFIG) --tous --evaluation --concertations --participation --format html,pdf --sortie reports
	$(BIN)/observatoire panel --config $(CONFIG) --sortie reports
	$(BIN)/observatoire exporter tableaux --config $(CONFIG) --tous --format xlsx --sortie reports/exports
	$(BIN)/observatoire exporter tableaux --config $(CONFIG) --tous --format csv --sortie reports/exports
	$(BIN)/observatoire exporter diaporama --config $(CONFIG) --tous --sortie reports/exports
	$(BIN)/observatoire exporter figures --config $(CONFIG) --tous --sortie reports/exports
	$(BIN)/observatoire exporter atlas --config $(CONFIG) --rapports reports --sortie reports/exports

## make test : paquets système manquants, lint, toute la suite (tests ignorés listés ;
## avec CI définie, un seul test ignoré fait échouer)
test: $(STAMP)
	@$(PAQUETS) tests
	$(BIN)/ruff check observatoire tests benchmarks
	$(BIN)/ruff format --check observatoire tests benchmarks
	$(BIN)/python -m pytest -n $(JOBS)

lint: $(STAMP)
	$(BIN)/ruff check observatoire tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format observatoire tests benchmarks
	$(BIN)/ruff check --fix observatoire tests benchmarks

## noyau Jupyter « observatoire » pour JupyterLab
kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name observatoire --display-name "Python (observatoire)"

## régénère les données fictives versionnées sous data/demo/
demo-data: $(STAMP)
	$(BIN)/observatoire demo --dest data/demo

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_rapports.py

clean:
	rm -rf $(VENV) .cache data/demo/.cache reports/quartiers reports/evaluation reports/concertations reports/participation reports/panel reports/index.html reports/manifest.json reports/exports
