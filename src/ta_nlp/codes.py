"""The behaviour codes of the codebook (docs/codebook.md), in their canonical order."""

from __future__ import annotations

CODES: tuple[str, ...] = (
    "information_gathering",
    "clarifying_question",
    "restating",
    "humour",
    "transition",
    "pain_education",
    "education",
    "touch",
    "empathy",
    "listening",
)

ROLES: tuple[str, ...] = ("clinician", "patient", "other")
