"""Nettoyage des textes lus dans les fichiers : caractères invisibles et de contrôle.

- :func:`clean_text` retire ce qui n'a rien à faire dans un nom ou un titre et qui
  trompe l'affichage : séquences d'échappement ANSI (``ESC[31m``), caractères de
  contrôle C0/C1 (sauf tabulation et saut de ligne), contrôles de direction bidi
  (U+202A…U+202E, U+2066…U+2069, U+200E, U+200F, U+061C) et espaces de largeur nulle
  (U+200B, U+200C, U+200D, U+2060, U+FEFF). Le caractère NUL n'est PAS retiré : une
  cellule qui en contient est refusée (:func:`has_nul`).
- :func:`visible` rend ces caractères visibles (``\\x1b``, ``\\u202e``) : tout texte
  affiché au terminal passe par là, une cellule ne pilote jamais la console.
- :data:`MAX_NAME_LENGTH` : longueur maximale d'un nom ou d'un titre.

Exemple ::

    clean_text("Les\u200b Hauts\u202e")   # 'Les Hauts'
    visible("\x1b[31mrouge")             # '\\x1b[31mrouge'
"""

from __future__ import annotations

import re

MAX_NAME_LENGTH = 1000  # caractères : un nom de quartier, de commune, un titre d'événement
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = "".join(chr(c) for c in [*range(1, 9), 11, 12, *range(14, 32), 127, *range(128, 160)])
_STRIP = re.compile("[" + re.escape(_CONTROL + BIDI + ZERO_WIDTH) + "]")
_SHOW = re.compile("[" + re.escape("\x00\r" + _CONTROL + BIDI + ZERO_WIDTH) + "]")


def clean_text(text: str) -> str:
    """``text`` sans échappements ANSI, contrôles, contrôles bidi ni espaces de largeur
    nulle (le NUL est gardé : voir :func:`has_nul`)."""
    if text.isprintable() and "\x1b" not in text:
        return text
    return _STRIP.sub("", _ANSI.sub("", text))


def has_nul(text: str) -> bool:
    """Vrai si ``text`` contient un caractère NUL (n'importe où, pas seulement au début)."""
    return "\x00" in text


def visible(text: str) -> str:
    """``text`` où chaque caractère invisible ou de contrôle (sauf le saut de ligne) est
    écrit ``\\xNN`` / ``\\uNNNN`` : sûr pour un terminal.

    >>> visible("a\\x1b[2Jb\\u202ec")
    'a\\\\x1b[2Jb\\\\u202ec'
    """
    if text.isprintable():
        return text
    return _SHOW.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def count_fr(value: int) -> str:
    """Entier à la française pour un message (« 10 000 », espace fine insécable)."""
    return f"{value:,}".replace(",", "\u202f")
