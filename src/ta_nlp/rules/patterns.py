"""Pattern files: one JSONL file per behaviour code, schema-checked at load.

Each line of ``<code>.jsonl`` is one pattern::

    {"id": "touch.press_on", "label": "touch", "pattern": [{"NORM": "press"}, ...]}
    {"id": "empathy.sorry_to_hear", "label": "empathy", "phrase": "sorry to hear"}

Keys:

- ``id`` (required): ``<code>.<short_name>``, unique across all files; it is the evidence id in the
  coder's output. Ids with a ``ctx_`` name are reserved for the contextual logic.
- ``label`` (required): the code, which must also be the file's name.
- exactly one of ``pattern`` (a spaCy token Matcher pattern: a list of token dicts) or ``phrase``
  (a string matched with the PhraseMatcher).
- ``attr`` (optional, phrases only): the token attribute a phrase is matched on; ``NORM`` (default:
  lower case, contractions expanded, British spellings mapped to American) or ``LOWER``.
- ``kind`` (optional): ``cue`` (default: a match is evidence for the code, within the limits of
  the code's contextual logic), ``block`` (a match vetoes the code in the sentence it is in) or
  ``context`` (a match is a feature the contextual logic reads but is not evidence alone, e.g.
  backchannel tokens for ``listening``).
- ``comment`` (optional): free text for the reader.

Patterns whose token dicts use ``POS``, ``TAG``, ``DEP``, ``MORPH`` or ``ENT_TYPE`` need a trained
pipeline; over the default blank pipeline they are skipped (and listed in the coder's config).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError

#: Values of a pattern's ``kind``.
KINDS: tuple[str, ...] = ("cue", "block", "context")
#: Token attributes that need a trained pipeline (tagger, parser, morphologizer or NER).
TRAINED_ATTRS: frozenset[str] = frozenset({"POS", "TAG", "DEP", "MORPH", "ENT_TYPE", "ENT_IOB",
                                           "ENT_ID"})
PHRASE_ATTRS: tuple[str, ...] = ("NORM", "LOWER")

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "label"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z][a-z_]*\.[a-z0-9][a-z0-9_]*$"},
        "label": {"enum": list(CODES)},
        "pattern": {"type": "array", "minItems": 1, "items": {"type": "object"}},
        "phrase": {"type": "string", "minLength": 1, "pattern": r"\S"},
        "attr": {"enum": list(PHRASE_ATTRS)},
        "kind": {"enum": list(KINDS)},
        "comment": {"type": "string"},
    },
    "oneOf": [{"required": ["pattern"]}, {"required": ["phrase"]}],
}


@dataclass(frozen=True)
class PatternRecord:
    """One line of a pattern file."""

    id: str
    label: str
    kind: str = "cue"
    pattern: tuple | None = None      # token pattern (list of dicts), stored as given
    phrase: str | None = None
    attr: str = "NORM"
    comment: str = ""
    source: str = ""                  # "file:line", for messages
    needs_trained: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The line as written in a pattern file."""
        out: dict[str, Any] = {"id": self.id, "label": self.label}
        if self.pattern is not None:
            out["pattern"] = list(self.pattern)
        else:
            out["phrase"] = self.phrase
            if self.attr != "NORM":
                out["attr"] = self.attr
        if self.kind != "cue":
            out["kind"] = self.kind
        if self.comment:
            out["comment"] = self.comment
        return out


def _validator():
    import jsonschema

    return jsonschema.Draft7Validator(SCHEMA)


def _uses_trained(pattern: list[dict]) -> bool:
    return any(key.upper() in TRAINED_ATTRS for token in pattern for key in token)


def _bad(path: str, line: int, message: str) -> CoderError:
    return CoderError.make("E301", path=path, line=line, message=message)


def parse_pattern_lines(text: str, path: str, code: str | None = None) -> list[PatternRecord]:
    """Parse and schema-check the lines of one pattern file (``code``: the label the file must use).

    Blank lines and lines starting with ``//`` are skipped. Raises :class:`CoderError` ``E301``
    with ``path:line`` for the first bad line.
    """
    validator = _validator()
    records: list[PatternRecord] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad(path, number, f"expected one JSON object per line, found invalid JSON "
                                     f"({exc.msg} at column {exc.colno}). Fix the line or "
                                     f"remove it.") from None
        errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
        if errors:
            err = errors[0]
            where = "/".join(str(p) for p in err.absolute_path) or "line"
            raise _bad(path, number, f"expected a pattern object {{id, label, pattern | phrase, "
                                     f"[kind], [attr], [comment]}}; at '{where}': {err.message}. "
                                     f"See the format in ta_nlp/rules/patterns.py.")
        pid, label = obj["id"], obj["label"]
        if code is not None and label != code:
            raise _bad(path, number, f"expected label '{code}' (the file's code), found "
                                     f"'{label}'. Move the pattern to {label}.jsonl.")
        if pid.split(".", 1)[0] != label:
            raise _bad(path, number, f"expected an id starting with '{label}.', found '{pid}'. "
                                     f"Rename it to '{label}.{pid.split('.', 1)[-1]}'.")
        if pid.split(".", 1)[1].startswith("ctx_"):
            raise _bad(path, number, f"id '{pid}' uses the prefix 'ctx_', which is reserved for "
                                     f"the coder's contextual logic. Rename the pattern.")
        if "attr" in obj and "phrase" not in obj:
            raise _bad(path, number, "expected 'attr' only with 'phrase'; token patterns name "
                                     "their attribute in each token dict. Remove 'attr'.")
        pattern = obj.get("pattern")
        records.append(PatternRecord(
            id=pid, label=label, kind=obj.get("kind", "cue"),
            pattern=tuple(pattern) if pattern is not None else None,
            phrase=obj.get("phrase"), attr=obj.get("attr", "NORM"),
            comment=obj.get("comment", ""), source=f"{path}:{number}",
            needs_trained=bool(pattern) and _uses_trained(pattern),
        ))
    return records


def _package_files() -> dict[str, tuple[str, str]]:
    folder = resources.files("ta_nlp.rules") / "patterns"
    out = {}
    for code in CODES:
        entry = folder / f"{code}.jsonl"
        if entry.is_file():
            out[code] = (f"ta_nlp/rules/patterns/{code}.jsonl", entry.read_text(encoding="utf-8"))
    return out


def _folder_files(folder: Path) -> dict[str, tuple[str, str]]:
    if not folder.is_dir():
        raise CoderError.make("E301", path=folder, line=0,
                              message="expected a folder of <code>.jsonl pattern files, found "
                                      "no such folder. Check --patterns.")
    out = {}
    for path in sorted(folder.glob("*.jsonl")):
        code = path.stem
        if code not in CODES:
            raise _bad(str(path), 0, f"expected a file named after a code ({', '.join(CODES)})"
                                     f", found '{path.name}'. Rename or remove it.")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise _bad(str(path), 0, f"expected UTF-8 text ({exc}). Save it as UTF-8.") from None
        out[code] = (str(path), text)
    if not out:
        raise _bad(str(folder), 0, "expected at least one <code>.jsonl pattern file, found "
                                   "none. Copy the package's patterns folder as a start.")
    return out


@dataclass(frozen=True)
class PatternSet:
    """All patterns of a folder, with a content hash per file."""

    records: tuple[PatternRecord, ...]
    hashes: dict[str, str]            # code -> sha256 of the file's bytes
    origin: str                       # "package" or the folder path

    def by_id(self) -> dict[str, PatternRecord]:
        return {r.id: r for r in self.records}


def load_patterns(patterns_dir: str | Path | None = None) -> PatternSet:
    """Load every ``<code>.jsonl`` of ``patterns_dir`` (None: the package's own patterns).

    Each file is schema-checked; ids must be unique across files. Raises :class:`CoderError`
    ``E301`` with ``file:line`` on the first problem.
    """
    if patterns_dir is None:
        files, origin = _package_files(), "package"
    else:
        files, origin = _folder_files(Path(patterns_dir)), str(patterns_dir)
    records: list[PatternRecord] = []
    seen: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for code in CODES:
        if code not in files:
            continue
        path, text = files[code]
        hashes[code] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        for record in parse_pattern_lines(text, path, code):
            if record.id in seen:
                file, line = record.source.rsplit(":", 1)
                raise _bad(file, int(line), f"duplicate pattern id '{record.id}' (first at "
                                            f"{seen[record.id]}). Give each pattern its own id.")
            seen[record.id] = record.source
            records.append(record)
    return PatternSet(records=tuple(records), hashes=hashes, origin=origin)
