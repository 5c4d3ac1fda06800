"""Progression d'un lot : barre sur un terminal, lignes simples sinon, fichier journal.

Sur un terminal, une ligne réécrite en place montre la barre, les compteurs et le
temps restant estimé. Hors terminal (cron, Airflow, redirection), chaque rapport
terminé donne une ligne horodatée. Le journal (``journal.log`` du dossier de
sortie) reçoit toujours les lignes horodatées.

Exemple ::

    with Progress(total=40, log_path=Path("reports/journal.log")) as progress:
        progress.info("40 rapports à produire")
        progress.done("quartiers/QN00001A", "ok", 1.2)
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TextIO

BAR_WIDTH = 24


def format_duration(seconds: float) -> str:
    """Durée lisible en français : ``4,2 s``, ``3 min 05 s``, ``1 h 02 min``.

    >>> format_duration(185)
    '3 min 05 s'
    """
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".", ",")
    minutes, sec = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Compteurs d'un lot, affichés en barre (terminal) ou en lignes (journal)."""

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        log_path: Path | None = None,
        tty: bool | None = None,
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115
        self.ok = 0
        self.failed = 0
        self.started = time.monotonic()
        self._bar_shown = False

    @property
    def finished(self) -> int:
        return self.ok + self.failed

    def eta(self) -> float | None:
        """Temps restant estimé (secondes) d'après le débit observé."""
        if not self.finished or self.finished >= self.total:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed / self.finished * (self.total - self.finished)

    def _log(self, text: str) -> None:
        if self.log is not None:
            self.log.write(f"{datetime.now():%Y-%m-%d %H:%M:%S} {text}\n")
            self.log.flush()

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.stream.write("\r\033[K")
            self._bar_shown = False

    def info(self, text: str) -> None:
        """Message général (journal + écran)."""
        self._log(text)
        self._clear_bar()
        stamp = "" if self.tty else f"{datetime.now():%H:%M:%S} "
        self.stream.write(f"{stamp}{text}\n")
        self._draw()

    def done(self, key: str, status: str, duration: float, error: str | None = None) -> None:
        """Un rapport terminé (``ok`` ou ``erreur``)."""
        if status == "ok":
            self.ok += 1
        else:
            self.failed += 1
        line = f"[{self.finished}/{self.total}] {key} : {status} ({format_duration(duration)})"
        if error:
            line += f" — {error.splitlines()[0] if error.strip() else error}"
        self._log(line)
        if self.tty:
            if status != "ok":
                self._clear_bar()
                self.stream.write(line + "\n")
            self._draw(current=key)
        else:
            self.stream.write(f"{datetime.now():%H:%M:%S} {line}\n")
            self.stream.flush()

    def _draw(self, current: str = "") -> None:
        if not self.tty or not self.total:
            return
        filled = int(BAR_WIDTH * self.finished / self.total)
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        eta = self.eta()
        remaining = f" — reste ≈ {format_duration(eta)}" if eta is not None else ""
        failed = f", {self.failed} en échec" if self.failed else ""
        text = f"{bar} {self.finished}/{self.total}{failed}{remaining}"
        width = shutil.get_terminal_size((100, 20)).columns
        if current and len(text) + len(current) + 3 < width:
            text += f" — {current}"
        self.stream.write("\r\033[K" + text[: width - 1])
        self.stream.flush()
        self._bar_shown = True

    def close(self) -> None:
        self._clear_bar()
        self.stream.flush()
        if self.log is not None:
            with contextlib.suppress(OSError):
                self.log.close()
            self.log = None

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
