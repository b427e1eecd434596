"""``ta-nlp train``: a thin wrapper that trains, saves and reports errors without tracebacks."""

from __future__ import annotations

import json

import pytest

from ta_nlp.cli import run_app

pytest.importorskip("torch")


def test_train_command(tiny_data, tiny_base, tmp_path, capsys):
    out = tmp_path / "cli-model"
    code = run_app(["train", "--data", str(tiny_data), "--out", str(out), "--base", str(tiny_base),
                    "--epochs", "1", "--seed", "3", "--batch-size", "8", "--train-layers", "1"])
    assert code == 0
    captured = capsys.readouterr()
    assert f"Saved the model to {out}" in captured.out
    assert "epoch 1" in captured.err
    config = json.loads((out / "config.json").read_text())
    assert config["training"]["seed"] == 3 and config["training"]["epochs"] == 1
    # an existing model is not replaced without --force
    code = run_app(["train", "--data", str(tiny_data), "--out", str(out), "--base",
                    str(tiny_base), "--epochs", "1"])
    captured = capsys.readouterr()
    assert code == 1 and "E321" in captured.err and "Traceback" not in captured.err


def test_train_command_bad_data(tmp_path, capsys):
    code = run_app(["train", "--data", str(tmp_path / "missing"), "--out", str(tmp_path / "m")])
    captured = capsys.readouterr()
    assert code == 1 and "E001" in captured.err
