"""The typer application shared by every command module.

Each command lives in its own module (``cli/segment.py``, ``cli/code.py``, ...) and is a few lines
over the library function of the same name. Library errors (:class:`ta_nlp.errors.TaNlpError`) are
printed as ``Error [E###] ...`` with exit code 1, never as a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from ta_nlp import __version__
from ta_nlp.errors import TaNlpError

app = typer.Typer(
    name="ta-nlp",
    help="Code clinician behaviours linked to therapeutic alliance in clinician-patient transcripts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, highlight=False)
console = Console(highlight=False)


def _version(value: bool) -> None:
    if value:
        console.print(f"ta-nlp {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """ta-nlp: read transcripts, code behaviours, count them, correlate with alliance and outcomes."""


def run_app(argv: list[str] | None = None) -> int:
    """Run the CLI; turn toolkit errors into a one-line message and exit code 1."""
    try:
        rc = app(args=argv, standalone_mode=False)
    except TaNlpError as exc:
        err_console.print(f"[bold red]Error[/] [{exc.code}] {exc.message}", markup=True,
                          soft_wrap=True)
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("Aborted.")
        return 130
    except Exception as exc:  # click usage errors
        import click
        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return rc if isinstance(rc, int) else 0


def main() -> None:
    sys.exit(run_app())
