"""The `ckptlab` command line: argument parsing only; handlers are imported lazily."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from ckptlab._version import __version__
from ckptlab.errors import CkptlabError

# command -> "module:function" taking the parsed arguments and returning an exit code
HANDLERS: dict[str, str] = {
    "lab": "ckptlab.lab:run_from_cli",
}


def _add_lab(commands: argparse._SubParsersAction) -> None:
    lab = commands.add_parser(
        "lab",
        help="start JupyterLab on the tutorials (127.0.0.1 only)",
        description="Start JupyterLab on the ckptlab tutorials, bound to 127.0.0.1.",
    )
    lab.add_argument(
        "directory",
        nargs="?",
        help="folder to serve; default: the repository's tutorials/ or, after a pip "
        "install, a copy of the tutorials in ./ckptlab-tutorials",
    )
    lab.add_argument("--port", type=int, default=8888, help="port to try first (default 8888)")
    lab.add_argument("--dry-run", action="store_true", help="print the command, do not start")


PARSER_BUILDERS: list[Callable[[argparse._SubParsersAction], None]] = [_add_lab]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ckptlab",
        description="Learn, inspect and check TensorFlow checkpoints.",
    )
    parser.add_argument("--version", action="version", version=f"ckptlab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in PARSER_BUILDERS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    module_name, _, function = HANDLERS[args.command].partition(":")
    try:
        return int(getattr(import_module(module_name), function)(args) or 0)
    except CkptlabError as error:
        print(f"ckptlab {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
