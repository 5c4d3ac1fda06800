"""Moteur papermill « observatoire » : exécute les cellules dans le processus courant.

Le moteur par défaut de papermill démarre un noyau Jupyter par notebook (≈ 2 s de
démarrage et d'imports à chaque fois). Ce moteur exécute les cellules dans un
``IPython.InteractiveShell`` du processus courant et remplit les sorties nbformat
comme le ferait le noyau (``stream``, ``display_data`` avec PNG/HTML,
``execute_result``, ``error``), de sorte que le rendu HTML/PDF est le même.

Il est fait pour tourner dans un processus neuf par rapport : le lot
(:mod:`observatoire.publish.warm`) forke un processus pré-chauffé (bibliothèques
importées, tables chargées) pour chaque rapport.

Exemple ::

    import papermill as pm
    from observatoire.publish import engine
    engine.register()
    pm.execute_notebook("in.ipynb", "out.ipynb", parameters={"quartier": "QN00001A"},
                        engine_name="observatoire", progress_bar=False)

En ligne de commande (point d'entrée ``papermill.engine``) :
``papermill --engine observatoire in.ipynb out.ipynb``.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from jupyter_client.jsonutil import json_default
from traitlets.config import Config

ENGINE_NAME = "observatoire"
SKIP_TAG = "skip-execution"
RAISES_TAG = "raises-exception"


class _Sink:
    """Liste des sorties de la cellule en cours (``None`` hors exécution)."""

    outputs: list | None = None
    execution_count: int | None = None
    display_ids: dict[str, list] = {}
    # Comme ipykernel : stdout et stderr sont tamponnés séparément et vidés (stdout
    # d'abord) avant chaque affichage et en fin de cellule.
    pending: dict[str, str] = {"stdout": "", "stderr": ""}

    @classmethod
    def add(cls, output: dict) -> None:
        if cls.outputs is None:
            return
        cls.flush()
        cls.outputs.append(nbformat.from_dict(output))

    @classmethod
    def stream(cls, name: str, text: str) -> None:
        if cls.outputs is not None and text:
            cls.pending[name] += text

    @classmethod
    def flush(cls) -> None:
        if cls.outputs is None:
            return
        for name in ("stdout", "stderr"):
            text, cls.pending[name] = cls.pending[name], ""
            if not text:
                continue
            last = cls.outputs[-1] if cls.outputs else None
            if (
                last is not None
                and last.get("output_type") == "stream"
                and last.get("name") == name
            ):
                last["text"] += text
            else:
                cls.outputs.append(
                    nbformat.from_dict({"output_type": "stream", "name": name, "text": text})
                )


def _jsonable(data: dict) -> dict:
    """Même transformation que le protocole Jupyter (octets → base64, dates → ISO)."""
    return json.loads(json.dumps(data, default=json_default))


class _StreamWriter(io.TextIOBase):
    """Remplace ``sys.stdout`` / ``sys.stderr`` pendant l'exécution d'une cellule."""

    def __init__(self, name: str) -> None:
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        _Sink.stream(self.name, str(text))
        return len(text)

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


class _Publisher(DisplayPublisher):
    """``display(...)`` → sortie ``display_data`` de la cellule en cours."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
        self._validate_data(data, metadata)
        content = _jsonable({"data": data, "metadata": metadata or {}})
        output = {"output_type": "display_data", **content}
        display_id = (transient or {}).get("display_id")
        if update and display_id:
            for target in _Sink.display_ids.get(display_id, []):
                target["data"], target["metadata"] = content["data"], content["metadata"]
            return
        _Sink.add(output)
        if display_id and _Sink.outputs:
            _Sink.display_ids.setdefault(display_id, []).append(_Sink.outputs[-1])

    def clear_output(self, wait: bool = False) -> None:
        _Sink.pending = {"stdout": "", "stderr": ""}
        if _Sink.outputs is not None:
            _Sink.outputs.clear()


class _DisplayHook(DisplayHook):
    """Valeur de la dernière expression → sortie ``execute_result``."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        content = _jsonable({"data": format_dict, "metadata": md_dict or {}})
        _Sink.add(
            {"output_type": "execute_result", "execution_count": _Sink.execution_count, **content}
        )

    def finish_displayhook(self) -> None:
        self._is_active = False


class CapturingShell(InteractiveShell):
    """Shell IPython dont l'affichage et les erreurs vont dans les sorties nbformat."""

    display_pub_class = _Publisher
    displayhook_class = _DisplayHook

    def _showtraceback(self, etype, evalue, stb) -> None:  # noqa: D401
        _Sink.add(
            {
                "output_type": "error",
                "ename": str(etype.__name__),
                "evalue": str(evalue),
                "traceback": list(stb),
            }
        )

    def init_io(self) -> None:  # pas de console : rien à configurer
        pass


def get_shell() -> CapturingShell:
    """Le shell du processus (créé au premier appel, historique désactivé).

    >>> shell = get_shell()  # doctest: +SKIP
    """
    if CapturingShell.initialized():
        return CapturingShell.instance()
    cfg = Config()
    cfg.HistoryManager.enabled = False
    cfg.InteractiveShell.colors = "nocolor"
    cfg.InteractiveShell.xmode = "Context"
    shell = CapturingShell.instance(config=cfg)
    # comme ipykernel : matplotlib en ligne (PNG) par défaut ; sans matplotlib,
    # les notebooks sans figure marchent quand même
    with contextlib.suppress(Exception):
        shell.enable_matplotlib("inline")
    return shell


def _fresh_namespace(shell: CapturingShell) -> None:
    """Espace de noms vierge si le shell a déjà servi (hors lot forké)."""
    if shell.execution_count > 1:
        shell.reset(new_session=False)
        shell.execution_count = 1


def run_cell(shell: CapturingShell, cell: Any) -> bool:
    """Exécute une cellule de code, remplit ``cell.outputs`` ; vrai si elle a levé."""
    cell.outputs = []
    _Sink.pending = {"stdout": "", "stderr": ""}
    _Sink.outputs, _Sink.execution_count = cell.outputs, shell.execution_count
    cell.execution_count = shell.execution_count
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _StreamWriter("stdout"), _StreamWriter("stderr")
    try:
        result = shell.run_cell(cell.source, store_history=True, silent=False)
    finally:
        _Sink.flush()
        sys.stdout, sys.stderr = saved
        _Sink.outputs = None
    failed = not result.success
    if failed and not any(o.get("output_type") == "error" for o in cell.outputs):
        exc = result.error_in_exec or result.error_before_exec
        cell.outputs.append(
            nbformat.from_dict(
                {
                    "output_type": "error",
                    "ename": type(exc).__name__ if exc else "Erreur",
                    "evalue": str(exc) if exc else "",
                    "traceback": [],
                }
            )
        )
    return failed


class InProcessEngine:
    """Moteur papermill exécutant les cellules dans le processus courant.

    S'arrête à la première cellule en erreur (sauf étiquette ``raises-exception``),
    comme nbclient ; papermill lève ensuite ``PapermillExecutionError``.

    Même interface que ``papermill.engines.Engine`` mais sans en hériter : ce module
    n'importe pas papermill à son chargement, car papermill charge lui-même ce module
    (point d'entrée ``papermill.engine``) pendant son propre import.
    """

    @classmethod
    def execute_notebook(cls, nb, kernel_name, **kwargs):
        from papermill.engines import Engine

        return Engine.execute_notebook.__func__(cls, nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb, name=None):
        from papermill.utils import nb_kernel_name

        return nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb, language=None):
        from papermill.utils import nb_language

        return nb_language(nb, language)

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # noqa: ARG003
        shell = get_shell()
        _fresh_namespace(shell)
        _Sink.display_ids = {}
        for index, cell in enumerate(nb_man.nb.cells):
            if cell.cell_type != "code" or SKIP_TAG in cell.metadata.get("tags", []):
                continue
            nb_man.cell_start(cell, index)
            failed = run_cell(shell, cell)
            if failed and RAISES_TAG not in cell.metadata.get("tags", []):
                nb_man.cell_exception(cell, index)
                nb_man.cell_complete(cell, index)
                break
            nb_man.cell_complete(cell, index)
        return nb_man.nb


def register() -> None:
    """Enregistre le moteur sous le nom ``observatoire`` auprès de papermill."""
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE_NAME, InProcessEngine)


register()
