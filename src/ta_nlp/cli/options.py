"""Parsing of option strings shared by several commands (``--columns``, ``--roles``)."""

from __future__ import annotations

from ta_nlp.errors import RoleError, TaNlpError

COLUMN_TARGETS = ("transcript_id", "utterance_id", "speaker", "role", "start", "end", "text")


def parse_columns(value: str | None) -> dict[str, str] | None:
    """``"text=utterance_text,speaker=interlocutor"`` -> ``{"text": "utterance_text", ...}``."""
    if not value:
        return None
    mapping: dict[str, str] = {}
    for item in value.split(","):
        target, sep, source = item.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not target or not source or target not in COLUMN_TARGETS:
            raise TaNlpError.make("E105", path="--columns", found=value,
                                  targets=", ".join(COLUMN_TARGETS))
        mapping[target] = source
    return mapping


def parse_roles(value: str | None) -> dict[str, str] | None:
    """``"Priya Nair=clinician,Sam=patient"`` -> ``{"Priya Nair": "clinician", "Sam": "patient"}``."""
    if not value:
        return None
    roles: dict[str, str] = {}
    for item in value.split(","):
        name, sep, role = item.rpartition("=")
        name, role = name.strip(), role.strip().lower()
        if not sep or not name:
            raise RoleError.make("E204", found=item)
        if role not in ("clinician", "patient", "other"):
            raise RoleError.make("E202", found=role, speaker=name)
        roles[name] = role
    return roles
