"""The command line (DESIGN.md §5): argparse over ``app.core``, with no business logic of its own.

Each area registers its commands from its own module (``app.cli.<area>``) so that the command
line grows without one file becoming everyone's. Exit codes: 0 success, 1 check failed, 2 bad
usage or invalid input, 3 pack intact but signer not trusted, 4 vault cannot be unlocked.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from app import __version__
from app.cli.context import CliContext, print_error
from app.core.errors import FieldbookError, UsageError, ValidationError

# Modules that register commands; each has ``register(groups: dict[str, SubParsers], top: SubParsers)``.
COMMAND_MODULES = (
    "app.cli.vault_cmds",
    "app.cli.case_cmds",
    "app.cli.data_cmds",
    "app.cli.forms_cmds",
    "app.cli.deadline_cmds",
    "app.cli.share_cmds",
    "app.cli.pack_cmds",
    "app.cli.identity_cmds",
    "app.cli.ui_cmds",
    "app.cli.bench_cmds",
)

# Command groups with sub-commands ("fieldbook case add", "fieldbook vault check" …).
GROUPS = {
    "case": "cases and the people in them",
    "vault": "check, back up, restore, change passphrase",
    "forms": "list and check form definitions",
    "identity": "the practitioner's signing identity",
    "trust": "certificates this vault trusts",
}

Handler = Callable[[CliContext, argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors become exit 2 with our message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise FieldbookError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    # --json and --vault are accepted after the command too (scripts write them either way).
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    common.add_argument(
        "--vault",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the vault file (default: FIELDBOOK_VAULT or the user data folder)",
    )
    common.add_argument(
        "--forms",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="a folder of local form versions used beside the built-in forms",
    )

    parser = _Parser(
        prog="fieldbook", description="Fieldbook: offline safeguarding records.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"fieldbook {__version__}")
    top = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    groups = {}
    for name, help_text in GROUPS.items():
        gp = top.add_parser(name, help=help_text, parents=[common])
        groups[name] = gp.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=_Parser)
        gp.set_defaults(func=_group_help(gp))
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # that area is not built yet
                continue
            raise
        module.register(groups, top, common)
    return parser


def _group_help(parser: argparse.ArgumentParser) -> Handler:
    def show(ctx: CliContext, args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return show


def main(argv: list[str]) -> int:
    """Run one command; every outcome is an exit code and a message, never a traceback."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except FieldbookError as exc:
        print_error(exc.message)
        return 2
    except Exception as exc:  # a broken command module, say: still an answer, not a traceback
        return _unexpected(exc, "(reading the command line)", print_error)
    ctx = CliContext.from_args(args)
    func: Handler | None = getattr(args, "func", None)
    try:
        if args.command is None or func is None:
            from app.cli.ui_cmds import run_gui

            return run_gui(ctx, args)
        return func(ctx, args)
    except ValidationError as exc:
        ctx.fail(
            exc, problems=[{"field": p.field, "label": p.label, "message": p.message} for p in exc.problems]
        )
        return exc.exit_code
    except FieldbookError as exc:
        ctx.fail(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as exc:
        known = _known(exc)
        if known is not None:
            ctx.fail(known)
            return known.exit_code
        command = " ".join(str(x) for x in (args.command, getattr(args, "subcommand", None)) if x)
        return _unexpected(exc, command, lambda message: ctx.fail(FieldbookError(message)))
    finally:
        ctx.close()


def _known(exc: Exception) -> FieldbookError | None:
    """Failures with a plain answer: another Fieldbook writing, a file that cannot be written."""
    if type(exc).__module__.startswith("sqlcipher3"):
        from app.core.store.vault import busy_error

        return busy_error(exc)
    if isinstance(exc, IsADirectoryError):
        where = exc.filename2 or exc.filename
        return UsageError(f"{where} is a folder; give the name of a file to write")
    if isinstance(exc, OSError) and exc.filename:
        return UsageError(f"{exc.filename2 or exc.filename}: {exc.strerror or 'cannot be used'}")
    return None


def _unexpected(exc: Exception, command: str, say: Callable[[str], None]) -> int:
    """Log the error's type and code locations (no values: they may hold case data), then exit 2."""
    from app.cli import crashlog

    log = crashlog.write(exc, command)
    where = f" Details for support (no case data) are in {log}." if log else ""
    say(f"Fieldbook stopped on an unexpected problem ({type(exc).__name__}).{where}")
    return 2
