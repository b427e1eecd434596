"""Small helpers shared by the statistics modules (argument checks, seeding, numeric input)."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ta_nlp.errors import StatsError


def bad_argument(message: str) -> StatsError:
    """An ``E505`` error (bad statistics argument) with ``message``."""
    return StatsError.make("E505", message=message)


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise bad_argument(f"{name}={value!r}; expected one of {', '.join(map(repr, choices))}.")
    return value


def check_confidence(confidence: float) -> float:
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        raise bad_argument(f"confidence={confidence!r}; expected a number between 0 and 1.") from None
    if not 0.0 < value < 1.0:
        raise bad_argument(f"confidence={confidence!r}; expected a number between 0 and 1, "
                           "e.g. 0.95.")
    return value


def as_float_array(values: Any, name: str) -> np.ndarray:
    """A 1-D float array from a list, array or Series; non-numbers raise ``E505``."""
    if isinstance(values, pd.Series):
        values = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        return values
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise bad_argument(f"{name} must contain numbers only.") from None
    if array.ndim != 1:
        raise bad_argument(f"{name} must be one-dimensional; found shape {array.shape}.")
    return array


def rng_kwargs(function: Any, seed: Any) -> dict[str, Any]:
    """``rng=seed`` for SciPy >= 1.15, ``random_state=seed`` before (the same generator)."""
    params = inspect.signature(function).parameters
    generator = np.random.default_rng(seed)
    if "rng" in params:
        return {"rng": generator}
    return {"random_state": generator}


def require_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise bad_argument(f"{what}: data must be a pandas DataFrame; found {type(data).__name__}.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise bad_argument(f"{what}: column(s) {missing} not in the data; found columns "
                           f"{list(data.columns)}.")
