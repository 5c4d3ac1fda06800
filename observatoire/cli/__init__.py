"""Interface en ligne de commande ``observatoire`` (messages en français).

Chaque sous-commande est un module de ce paquet qui expose ``register(sub)``
(déclare ses options) et ``run(args) -> int`` (code de sortie). Ajouter une
commande = un module + une ligne dans :data:`COMMANDS`.

Codes de sortie : 0 succès ; 1 certains rapports ont échoué ; 2 entrée ou
configuration invalide (message en français, sans trace Python sauf ``--debug``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from observatoire import __version__
from observatoire.errors import EXIT_BAD_INPUT, ObservatoireError

# Une ligne par sous-commande : nom → module.
COMMANDS = {
    "valider": "observatoire.cli.valider",
    "indicateurs": "observatoire.cli.indicateurs",
    "demo": "observatoire.cli.demo",
    "carte": "observatoire.cli.carte",
    "rapports": "observatoire.cli.rapports",
    "exporter": "observatoire.cli.exporter",
    "panel": "observatoire.cli.panel",
}


class FrenchFormatter(argparse.HelpFormatter):
    """Formateur d'aide : « Utilisation : » au lieu de « usage: »."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[override]
        return super().add_usage(
            usage, actions, groups, "Utilisation : " if prefix is None else prefix
        )


class FrenchParser(argparse.ArgumentParser):
    """ArgumentParser dont les messages d'usage sont en français."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", FrenchFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog} : erreur : {_fr(message)}\n")


def _fr(message: str) -> str:
    repl = {
        "the following arguments are required": "arguments obligatoires manquants",
        "unrecognized arguments": "arguments non reconnus",
        "invalid choice": "choix invalide",
        "expected one argument": "une valeur est attendue",
        "argument": "argument",
        "choose from": "choisir parmi",
        "invalid int value": "nombre entier invalide",
        "not allowed with argument": "incompatible avec l'argument",
    }
    for en, fr in repl.items():
        message = message.replace(en, fr)
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="observatoire",
        description=(
            "Atelier d'observation de la politique de la ville : indicateurs des quartiers "
            "prioritaires (QPV), participation des habitants, contrat de ville ; tableaux de "
            "bord par quartier et rapport d'évaluation en HTML et PDF."
        ),
        epilog="Aide d'une commande : observatoire COMMANDE --help",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    parser.add_argument(
        "--version",
        action="version",
        version=f"observatoire {__version__}",
        help="affiche la version",
    )
    parser.add_argument(
        "--debug", action="store_true", help="affiche la trace Python complète en cas d'erreur"
    )
    sub = parser.add_subparsers(dest="commande", metavar="COMMANDE", parser_class=FrenchParser)
    sub.required = True
    for module_name in COMMANDS.values():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # commande pas encore livrée
            if exc.name != module_name:
                raise
            continue
        module.register(sub)
    parser._positionals.title = "commandes"
    parser._optionals.title = "options"
    return parser


def add_parser(sub, name: str, help_text: str, description: str | None = None):
    """Crée une sous-commande avec une aide en français (``-h/--help``)."""
    p = sub.add_parser(name, help=help_text, description=description or help_text, add_help=False)
    p.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    p._optionals.title = "options"
    p._positionals.title = "arguments"
    return p


def add_config_option(p) -> None:
    p.add_argument(
        "--config",
        default="observatoire.toml",
        metavar="F",
        help="fichier de configuration (défaut : observatoire.toml)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.commande])
    try:
        return int(module.run(args) or 0)
    except ObservatoireError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"Erreur : {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except MemoryError:
        if args.debug:
            traceback.print_exc()
        print("Erreur : mémoire insuffisante pour traiter ces données.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # fichier ou dossier inaccessible, disque plein…
        if args.debug:
            traceback.print_exc()
        where = f" : {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"Erreur : opération sur un fichier impossible{where} ({_os_reason(exc)}).",
              file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT


def _os_reason(exc: OSError) -> str:
    """Raison française d'une erreur système (jamais le texte anglais de l'OS seul)."""
    import errno

    reasons = {
        errno.ENOSPC: "disque plein",
        errno.EACCES: "permission refusée",
        errno.EPERM: "opération non permise",
        errno.EROFS: "système de fichiers en lecture seule",
        errno.ENOENT: "fichier ou dossier introuvable",
        errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
        errno.EISDIR: "c'est un dossier",
        errno.ELOOP: "boucle de liens symboliques",
        errno.ENAMETOOLONG: "nom de fichier trop long",
    }
    return reasons.get(exc.errno, f"erreur système {exc.errno}" if exc.errno else "erreur système")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
