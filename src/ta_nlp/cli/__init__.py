"""Command line: ``ta-nlp COMMAND``. Importing the command modules registers them on :data:`app`."""

from ta_nlp.cli.app import app, main, run_app  # noqa: F401

# Command modules (each registers itself on ``app``). Keep one import per line.
from ta_nlp.cli import evaluate  # noqa: F401
from ta_nlp.cli import code  # noqa: F401
from ta_nlp.cli import segment  # noqa: F401
from ta_nlp.cli import simulate  # noqa: F401
from ta_nlp.cli import analyze  # noqa: F401
from ta_nlp.cli import run  # noqa: F401
from ta_nlp.cli import train  # noqa: F401
