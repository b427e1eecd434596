"""Fixtures of the rule tests (see rules_helpers.py for building contexts)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def rule_coder():
    from rules_helpers import coder

    return coder()
