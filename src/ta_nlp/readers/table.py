"""Utterance tables: CSV, TSV, JSON Lines and Parquet.

Standard columns: :data:`TABLE_COLUMNS` = ``transcript_id, utterance_id, speaker, start, end, text``
plus an optional ``role`` (clinician | patient | other, or a role word such as "therapist").
Only ``speaker`` and ``text`` are required. Other names are mapped with ``columns`` — a mapping
``{"text": "utterance_text", "speaker": "interlocutor"}`` or the string
``"text=utterance_text,speaker=interlocutor"`` (target=source). Extra columns are ignored.

- One table may hold many transcripts (grouped by ``transcript_id`` in order of first appearance;
  without that column the whole table is one transcript named after the file).
- **Rows are never merged or reordered.** ``utterance_id`` is kept as written (it must be unique
  within a transcript); without the column it is generated as ``<transcript_id>-0000``, ….
- ``start``/``end`` are seconds (``12.5``) or clock times (``00:01:23``, ``1:23.5``); empty means
  untimed. Within a transcript, starts must not go backwards (E102, unless ``allow_unordered``).
- Error lines are file lines for CSV/TSV (header = line 1) and JSON Lines, row numbers for Parquet.
"""

from __future__ import annotations

import difflib
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ta_nlp.errors import ReaderError, TaNlpError
from ta_nlp.model import Transcript, Utterance
from ta_nlp.readers._common import check_order, format_clock, parse_clock, utterance_id
from ta_nlp.readers.encoding import read_bytes, read_text

#: The standard columns of an utterance table, in order; ``role`` is optional as well.
TABLE_COLUMNS: tuple[str, ...] = ("transcript_id", "utterance_id", "speaker", "start", "end", "text")
TARGETS: tuple[str, ...] = TABLE_COLUMNS + ("role",)
REQUIRED: tuple[str, ...] = ("speaker", "text")
TABLE_FORMATS: tuple[str, ...] = ("csv", "tsv", "jsonl", "parquet")


def parse_columns(spec: str | Mapping[str, str] | None, path: str | Path = "--columns"
                  ) -> dict[str, str]:
    """``"text=utterance_text,speaker=interlocutor"`` or a mapping → ``{target: source}``."""
    if spec is None or spec == "":
        return {}
    if isinstance(spec, Mapping):
        pairs = [(str(k), str(v)) for k, v in spec.items()]
    else:
        pairs = []
        for part in (p for p in str(spec).split(",") if p.strip()):
            if "=" not in part:
                raise ReaderError.make("E105", path=path, found=spec, targets=", ".join(TARGETS))
            target, source = part.split("=", 1)
            pairs.append((target.strip(), source.strip()))
    mapping = {}
    for target, source in pairs:
        if target not in TARGETS or not source:
            raise ReaderError.make("E105", path=path, found=f"{target}={source}",
                                   targets=", ".join(TARGETS))
        mapping[target] = source
    return mapping


def _suggest(target: str, found: list[str]) -> str | None:
    contains = [c for c in found if target in c.casefold()]
    if contains:
        return contains[0]
    close = difflib.get_close_matches(target, found, n=1, cutoff=0.6)
    return close[0] if close else None


def _load(path: Path, fmt: str) -> tuple[pd.DataFrame, int, str]:
    """The raw table as strings/objects, the file line of its first row, and the row word."""
    if fmt in ("csv", "tsv"):
        text = read_text(path)
        sep = "\t" if fmt == "tsv" else ","
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                na_filter=False, skip_blank_lines=True)
        except pd.errors.EmptyDataError:
            raise ReaderError.make("E004", path=path) from None
        except (pd.errors.ParserError, ValueError, UnicodeError, OverflowError) as exc:
            raise ReaderError.make("E101", path=path, line=_csv_error_line(str(exc)),
                                   expected=f"a {fmt.upper()} table with one header line",
                                   found=str(exc).split("\n")[0][:80],
                                   fix="Check quoting and the separator, or pass --format.") from None
        return frame, 2, "line"
    if fmt == "jsonl":
        records = []
        lines = []
        for number, line in enumerate(read_text(path).split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                raise ReaderError.make("E101", path=path, line=number, expected="one JSON object",
                                       found=getattr(exc, "msg", "too deeply nested"),
                                       fix="Each line of a .jsonl file is one JSON object.") from None
            if not isinstance(record, dict):
                raise ReaderError.make("E101", path=path, line=number, expected="a JSON object",
                                       found=type(record).__name__,
                                       fix="Each line of a .jsonl file is one {...} object.")
            records.append(record)
            lines.append(number)
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
        frame.attrs["lines"] = lines
        return frame, 1, "line"
    if fmt == "parquet":
        import pyarrow.parquet as pq

        data = read_bytes(path)
        if not data:
            raise ReaderError.make("E004", path=path)
        try:
            frame = pq.read_table(io.BytesIO(data)).to_pandas()
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for corrupt files
            raise ReaderError.make("E101", path=path, line=0, expected="a Parquet file",
                                   found=type(exc).__name__,
                                   fix="Write it again with pandas.DataFrame.to_parquet.") from None
        return frame, 1, "row"
    raise ReaderError.make("E003", found=fmt, formats=", ".join(TABLE_FORMATS))


def _csv_error_line(message: str) -> int:
    import re

    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 1


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        if value is pd.NA or value is pd.NaT:
            return True
    except TypeError:
        pass
    return isinstance(value, str) and not value.strip()


def _as_text(value) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _times(values: list, path: Path, lines: list[int], column: str) -> list[float | None]:
    out: list[float | None] = []
    for value, line in zip(values, lines):
        if _is_missing(value):
            out.append(None)
            continue
        if isinstance(value, bool):
            bad = True
        elif isinstance(value, (int, float)):
            bad = not math.isfinite(float(value)) or value < 0
            if not bad:
                out.append(float(value))
                continue
        else:
            text = str(value).strip()
            try:
                number = parse_clock(text) if ":" in text else float(text)
                bad = not math.isfinite(number) or number < 0
            except (ValueError, OverflowError):
                bad = True
            if not bad:
                out.append(number)
                continue
        raise ReaderError.make("E101", path=path, line=line,
                               expected=f"a time in seconds or hh:mm:ss in column '{column}'",
                               found=str(value)[:40], fix="Fix the time, or leave it empty.")
    return out


def _roles(values: list, path: Path, lines: list[int]) -> list[str | None]:
    from ta_nlp.roles import label_role

    out: list[str | None] = []
    for value, line in zip(values, lines):
        if _is_missing(value):
            out.append(None)
            continue
        role = label_role(str(value))
        if role not in ("clinician", "patient", "other"):
            raise ReaderError.make("E106", path=path, line=line,
                                   message=f"role '{str(value)[:30]}' is not clinician, patient "
                                           "or other. Fix the role column, or drop it.")
        out.append(role)
    return out


def read(path: str | Path, fmt: str | None = None, columns: str | Mapping[str, str] | None = None,
         allow_unordered: bool = False, errors: list[TaNlpError] | None = None,
         **_) -> list[Transcript]:
    """All transcripts of one table. With ``errors`` (a list), a transcript that fails (e.g. its
    times go backwards) is reported there and the others are still returned."""
    path = Path(path)
    fmt = fmt or {".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                  ".parquet": "parquet", ".pq": "parquet"}.get(path.suffix.lower(), "csv")
    mapping = parse_columns(columns, path)
    frame, first_line, _ = _load(path, fmt)
    if frame.shape[0] == 0:
        raise ReaderError.make("E004", path=path)
    found = [str(c) for c in frame.columns]
    missing_sources = [s for s in mapping.values() if s not in found]
    if missing_sources:
        hints = [f"'{s}' (did you mean '{h}'?)" if (h := _suggest(s.casefold(), found)) else f"'{s}'"
                 for s in missing_sources]
        raise ReaderError.make("E104", path=path, missing=", ".join(hints), found=", ".join(found),
                               fix="Fix the --columns mapping (target=source).")
    source_of = {t: mapping.get(t, t) for t in TARGETS}
    missing = [t for t in REQUIRED if source_of[t] not in found]
    if missing:
        hints = []
        for target in missing:
            guess = _suggest(target, [c for c in found if c not in source_of.values()])
            hints.append(f"{target}=<column>" if guess is None else f"{target}={guess}")
        raise ReaderError.make("E104", path=path, missing=", ".join(missing), found=", ".join(found),
                               fix=f"Map them with --columns {','.join(hints)}.")
    n = frame.shape[0]
    if "lines" in frame.attrs:
        lines = list(frame.attrs["lines"])
    else:
        lines = list(range(first_line, first_line + n))

    def column(target: str) -> list | None:
        source = source_of[target]
        return frame[source].tolist() if source in found else None

    speakers = [(_as_text(v).strip() or "unknown") for v in column("speaker")]
    texts = [_as_text(v).strip() for v in column("text")]
    starts = _times(column("start"), path, lines, source_of["start"]) if column("start") is not None \
        else [None] * n
    ends = _times(column("end"), path, lines, source_of["end"]) if column("end") is not None \
        else [None] * n
    roles = _roles(column("role"), path, lines) if column("role") is not None else [None] * n
    tids_raw = column("transcript_id")
    if tids_raw is None:
        tids = [path.stem] * n
    else:
        tids = [_as_text(v).strip() for v in tids_raw]
        for tid, line in zip(tids, lines):
            if not tid:
                raise ReaderError.make("E106", path=path, line=line,
                                       message="empty transcript_id. Give every row its transcript.")
    uids_raw = column("utterance_id")

    groups: dict[str, list[int]] = {}
    for index, tid in enumerate(tids):
        groups.setdefault(tid, []).append(index)
    transcripts = []
    for tid, rows in groups.items():
        try:
            transcripts.append(_transcript(tid, rows, path, fmt, lines, speakers, texts, starts, ends,
                                           roles, uids_raw, allow_unordered))
        except TaNlpError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return transcripts


def _transcript(tid, rows, path, fmt, lines, speakers, texts, starts, ends, roles, uids_raw,
                allow_unordered) -> Transcript:
    utterances = []
    seen: dict[str, int] = {}
    for position, index in enumerate(rows):
        if uids_raw is None:
            uid = utterance_id(tid, position)
        else:
            uid = _as_text(uids_raw[index]).strip()
            if not uid:
                raise ReaderError.make("E106", path=path, line=lines[index],
                                       message="empty utterance_id. Fill it in, or drop the column "
                                               "to have ids generated.")
            if uid in seen:
                raise ReaderError.make("E106", path=path, line=lines[index],
                                       message=f"utterance_id '{uid}' of transcript '{tid}' is "
                                               f"already used on line {seen[uid]}. Ids must be "
                                               "unique within a transcript.")
            seen[uid] = lines[index]
        start, end = starts[index], ends[index]
        if start is not None and end is not None and end < start - 1e-6:
            raise ReaderError.make("E101", path=path, line=lines[index],
                                   expected="an end time after the start time",
                                   found=f"{format_clock(start)} .. {format_clock(end)}",
                                   fix="Fix the row's times.")
        utterances.append(Utterance(id=uid, speaker=speakers[index], text=texts[index], start=start,
                                    end=end, role=roles[index], line=lines[index]))
    check_order(utterances, path, allow_unordered)
    return Transcript(id=tid, sources=[path], utterances=utterances,
                      metadata={"format": fmt, "merge_turns": False})
