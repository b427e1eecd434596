"""Docs that cannot drift: every command is documented in the README and has help with an example;
the README's two set-up commands are the ones CI and the tests use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from ta_nlp.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> dict:
    group = typer.main.get_command(app)
    return dict(group.commands)


def test_every_command_is_in_the_readme():
    for name in _commands():
        assert f"ta-nlp {name}" in README, f"README does not mention `ta-nlp {name}`"


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_with_an_example(name):
    command = _commands()[name]
    assert command.help and len(command.help.strip()) > 20
    assert "Example" in command.help or "ta-nlp " in command.help, name


def _setup_commands() -> list[str]:
    section = README.split("## Set up and run", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    commands = _setup_commands()
    assert len(commands) == 2
    assert "ta-nlp run" in commands[0] and "data/examples" in commands[0]
    assert commands[1].strip() in (ROOT / ".ci" / "run").read_text()


def test_readme_main_job_paths_exist():
    main_job = _setup_commands()[0]
    for token in re.findall(r"data/examples/\S+", main_job):
        assert (ROOT / token).exists(), token
