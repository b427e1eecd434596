"""Read transcripts from files and folders: ``read(paths) -> list[Transcript]``.

Formats (:data:`FORMATS`) and how they are recognised:

========== =================================== ==================================================
format     extensions                          content sniffed (for ``.txt`` and unknown names)
========== =================================== ==================================================
text       .txt .text                          anything else that decodes as text
vtt        .vtt                                starts with ``WEBVTT``; ``-->`` with ``.`` millis
srt        .srt                                index line then ``-->`` with ``,`` millis
textgrid   .TextGrid                           ``File type = "ooTextFile"``
csv, tsv   .csv / .tsv .tab                    —
jsonl      .jsonl .ndjson                      —
parquet    .parquet .pq                        ``PAR1`` magic
whisper    .json                               —
docx       .docx                               zip magic ``PK``                                
========== =================================== ==================================================

``format`` overrides detection for every file. Folders are read recursively (sorted, hidden files
and Office lock files ``~$…`` skipped) and only files with the extensions above are taken — unless
``format`` is given, then every file is.

Multi-file transcripts (one file per speaker channel):

1. **Manifest** — a CSV with exactly the columns ``transcript_id,file,speaker`` (``file`` relative to
   the manifest's folder), passed as ``manifest=`` or found among the inputs. The listed files are
   read as one transcript per ``transcript_id``, every unit of a file taking that row's speaker.
2. **Naming rule** — TextGrid files in one folder named ``<id>_<speaker>.TextGrid`` that share
   ``<id>`` and each hold a single interval tier (PriMock57's ``day1_consultation01_doctor.TextGrid``
   + ``…_patient.TextGrid``) form the transcript ``<id>``; the speaker is the ``<speaker>`` part of
   the name (or the tier name when only the tier name is a role word). Files of such a group with
   several tiers are read one by one instead.

Units of merged channels are ordered by start time. Transcript ids are the file stem, the group id,
or the table's ``transcript_id``. Reading file by file so that one bad file does not stop the
others: :func:`iter_read` yields ``(source_path, transcripts | TaNlpError)``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ta_nlp.errors import ReaderError, TaNlpError
from ta_nlp.model import Transcript
from ta_nlp.readers._common import finish

#: Format names accepted by ``format=`` / ``--format``.
FORMATS: tuple[str, ...] = (
    "text", "vtt", "srt", "textgrid", "csv", "tsv", "jsonl", "parquet", "whisper", "docx",
)
#: File extensions (lower case) → format.
EXTENSIONS: dict[str, str] = {
    ".txt": "text", ".text": "text", ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt",
    ".textgrid": "textgrid", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet", ".json": "whisper",
    ".docx": "docx",
}
_ALIASES = {"txt": "text", "plain": "text", "webvtt": "vtt", "subrip": "srt", "praat": "textgrid",
            "whisperx": "whisper", "faster-whisper": "whisper", "json": "whisper",
            "ndjson": "jsonl", "word": "docx", "table": None}
MANIFEST_COLUMNS: tuple[str, ...] = ("transcript_id", "file", "speaker")


def normalize_format(fmt: str | None) -> str | None:
    """A user's ``--format`` value → a name of :data:`FORMATS` (``table`` = by extension)."""
    if fmt is None:
        return None
    key = fmt.strip().casefold()
    if key in FORMATS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    raise ReaderError.make("E003", found=fmt, formats=", ".join(FORMATS + ("table",)))


def sniff_format(path: Path, head: bytes) -> str:
    """Format of a file from its first bytes (used for .txt and unknown extensions)."""
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith("WEBVTT"):
        return "vtt"
    if "ooTextFile" in text[:200]:
        return "textgrid"
    lines = [line.strip() for line in text.splitlines() if line.strip()][:3]
    if len(lines) >= 2 and lines[0].isdigit() and "-->" in lines[1]:
        return "srt" if "," in lines[1] else "vtt"
    if lines and "-->" in lines[0]:
        return "srt" if "," in lines[0].split("-->")[0] else "vtt"
    if text.startswith("{") and path.suffix.lower() not in (".txt", ".text"):
        return "whisper"
    return "text"


def detect_format(path: str | Path) -> str:
    path = Path(path)
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is not None and fmt != "text":
        return fmt
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise ReaderError.make("E001", path=path) from None
    except OSError as exc:
        raise ReaderError.make("E106", path=path, line=0,
                               message=f"cannot read the file ({exc.strerror}).") from None
    return sniff_format(path, head)


def _reader(fmt: str):
    from ta_nlp.readers import docx, srt, table, text, textgrid, vtt, whisper

    return {"text": text.read, "vtt": vtt.read, "srt": srt.read, "textgrid": textgrid.read,
            "whisper": whisper.read, "docx": docx.read, "csv": table.read, "tsv": table.read,
            "jsonl": table.read, "parquet": table.read}[fmt]


# ------------------------------------------------------------------ discovery
@dataclass
class Job:
    """One unit of reading work: a single file, or a group of channel files, or a bad input."""

    paths: list[Path]
    transcript_id: str | None = None
    speakers: list[str] = field(default_factory=list)  # group: one speaker per path
    rule: str = "file"                                   # file | manifest | naming | error
    error: TaNlpError | None = None

    @property
    def source(self) -> Path:
        return self.paths[0]


def _walk(folder: Path, fmt: str | None) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or path.name.startswith("~$"):
            continue
        if not path.is_file():
            continue
        if fmt is not None or path.suffix.lower() in EXTENSIONS:
            found.append(path)
    return found


def _is_manifest(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".tsv"):
        return False
    try:
        with open(path, "rb") as handle:
            first = handle.readline(500).decode("utf-8-sig", errors="ignore")
    except OSError:
        return False
    header = [h.strip().casefold() for h in first.replace("\t", ",").split(",")]
    return tuple(header) == MANIFEST_COLUMNS


def read_manifest(path: str | Path) -> list[Job]:
    """Groups of a manifest CSV ``transcript_id,file,speaker`` (paths relative to its folder)."""
    from ta_nlp.readers.encoding import read_text

    path = Path(path)
    text = read_text(path)
    dialect = "excel-tab" if "\t" in text.split("\n", 1)[0] else "excel"
    rows = list(csv.reader(io.StringIO(text), dialect=dialect))
    header = [h.strip().casefold() for h in rows[0]]
    if tuple(header) != MANIFEST_COLUMNS:
        raise ReaderError.make("E104", path=path,
                               missing=", ".join(c for c in MANIFEST_COLUMNS if c not in header)
                               or "(columns in this order)", found=", ".join(rows[0]),
                               fix="A manifest has the header line 'transcript_id,file,speaker'.")
    groups: dict[str, Job] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 3 or not all(c.strip() for c in row[:3]):
            raise ReaderError.make("E101", path=path, line=line, expected="transcript_id,file,speaker",
                                   found=",".join(row)[:60], fix="Fill in all three columns.")
        tid, file, speaker = (c.strip() for c in row[:3])
        target = (path.parent / file)
        job = groups.setdefault(tid, Job(paths=[], transcript_id=tid, rule="manifest"))
        job.paths.append(target)
        job.speakers.append(speaker)
    if not groups:
        raise ReaderError.make("E004", path=path)
    return list(groups.values())


def discover(paths: str | Path | Iterable[str | Path], format: str | None = None,
             manifest: str | Path | None = None) -> list[Job]:
    """Expand files and folders into reading jobs (files, channel groups, and input errors)."""
    fmt = normalize_format(format)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    jobs: list[Job] = []
    manifests: list[Path] = [Path(manifest)] if manifest is not None else []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _walk(path, fmt)
            if not found:
                exts = ", ".join(sorted(set(EXTENSIONS)))
                jobs.append(Job([path], rule="error", error=ReaderError.make("E007", path=path,
                                                                            exts=exts)))
            for f in found:
                (manifests if fmt is None and _is_manifest(f) else files).append(f)
        elif path.is_file():
            (manifests if fmt is None and _is_manifest(path) else files).append(path)
        else:
            jobs.append(Job([path], rule="error", error=ReaderError.make("E001", path=path)))
    claimed: set[Path] = set()
    for man in manifests:
        try:
            groups = read_manifest(man)
        except TaNlpError as exc:
            jobs.append(Job([man], rule="error", error=exc))
            continue
        for job in groups:
            claimed.update(p.resolve() for p in job.paths)
            jobs.append(job)
    seen: set[Path] = set()
    remaining = []
    for f in files:
        key = f.resolve()
        if key in claimed or key in seen:
            continue
        seen.add(key)
        remaining.append(f)
    # naming rule for TextGrid channel files
    by_stem: dict[tuple[Path, str], list[Path]] = {}
    for f in remaining:
        if (fmt or EXTENSIONS.get(f.suffix.lower())) == "textgrid" and "_" in f.stem:
            by_stem.setdefault((f.parent, f.stem.rsplit("_", 1)[0]), []).append(f)
    grouped = {p: key for key, members in by_stem.items() if len(members) >= 2 for p in members}
    emitted: set[tuple[Path, str]] = set()
    for f in remaining:
        key = grouped.get(f)
        if key is None:
            jobs.append(Job([f]))
        elif key not in emitted:
            emitted.add(key)
            members = sorted(by_stem[key])
            jobs.append(Job(members, transcript_id=key[1],
                            speakers=[m.stem.rsplit("_", 1)[1] for m in members], rule="naming"))
    return jobs


# ------------------------------------------------------------------ reading
def _read_file(path: Path, fmt: str | None, columns, allow_unordered: bool,
               errors: list[TaNlpError] | None = None) -> list[Transcript]:
    fmt = fmt or detect_format(path)
    # a column mapping only concerns tables; the other readers ignore it (mixed batches)
    return _reader(fmt)(path, fmt=fmt, columns=columns, allow_unordered=allow_unordered,
                        errors=errors)


def _read_group(job: Job, fmt: str | None, columns, allow_unordered: bool,
                parsed: list | None = None) -> Transcript:
    from ta_nlp.readers import textgrid
    from ta_nlp.readers.encoding import read_text
    from ta_nlp.roles import label_role

    formats = [fmt or detect_format(p) for p in job.paths]
    if all(f == "textgrid" for f in formats):
        if parsed is None:
            parsed = [[t for t in textgrid.parse_tiers(read_text(p), p) if t.kind == "IntervalTier"]
                      for p in job.paths]
        channels = []
        for path, speaker, tiers in zip(job.paths, job.speakers, parsed):
            if job.rule == "naming" and len(tiers) == 1 and label_role(speaker) is None \
                    and label_role(tiers[0].name) is not None:
                speaker = tiers[0].name
            channels.append((speaker, path, tiers))
        return textgrid.merge_channels(channels, job.transcript_id, allow_unordered)
    utterances = []
    for path, speaker, f in zip(job.paths, job.speakers, formats):
        for transcript in _read_file(path, f, columns, allow_unordered):
            for utt in transcript.utterances:
                utt.speaker = speaker
                utterances.append(utt)
    if all(u.start is not None for u in utterances):
        utterances.sort(key=lambda u: u.start)
    merge = formats[0] not in ("textgrid", "csv", "tsv", "jsonl", "parquet")
    transcript = Transcript(id=job.transcript_id, sources=list(job.paths), utterances=utterances,
                            metadata={"format": formats[0], "merge_turns": merge,
                                      "channels": list(job.speakers)})
    return finish(transcript, job.source)


def read_job(job: Job, format: str | None = None, columns=None, allow_unordered: bool = False
             ) -> Iterator[tuple[Path, list[Transcript] | TaNlpError]]:
    """Read one job; yields ``(source, transcripts)`` and ``(source, error)`` items."""
    fmt = normalize_format(format)
    if job.error is not None:
        yield job.source, job.error
        return
    if job.rule == "naming":
        from ta_nlp.readers import textgrid
        from ta_nlp.readers.encoding import read_text

        try:
            parsed = [[t for t in textgrid.parse_tiers(read_text(p), p) if t.kind == "IntervalTier"]
                      for p in job.paths]
        except TaNlpError as exc:
            yield (Path(exc.path) if exc.path else job.source), exc
            return
        if any(len(tiers) != 1 for tiers in parsed):  # not channel files: read each on its own
            for path in job.paths:
                yield from read_job(Job([path]), format, columns, allow_unordered)
            return
    else:
        parsed = None
    try:
        if len(job.paths) > 1 or job.rule in ("manifest", "naming"):
            yield job.source, [_read_group(job, fmt, columns, allow_unordered, parsed)]
        else:
            errors: list[TaNlpError] = []
            transcripts = _read_file(job.source, fmt, columns, allow_unordered, errors)
            if transcripts:
                yield job.source, transcripts
            for exc in errors:
                yield job.source, exc
    except TaNlpError as exc:
        yield (Path(exc.path) if exc.path else job.source), exc


def iter_read(paths: str | Path | Iterable[str | Path], format: str | None = None,
              columns: str | Mapping[str, str] | None = None, manifest: str | Path | None = None,
              allow_unordered: bool = False
              ) -> Iterator[tuple[Path, list[Transcript] | TaNlpError]]:
    """Read file by file: yields ``(source_path, list[Transcript])`` or ``(source_path, error)``.

    A failing file (or a failing transcript of a multi-transcript table) yields its error and the
    batch goes on.
    """
    for job in discover(paths, format=format, manifest=manifest):
        yield from read_job(job, format, columns, allow_unordered)


def read(paths: str | Path | Iterable[str | Path], format: str | None = None,
         columns: str | Mapping[str, str] | None = None, manifest: str | Path | None = None,
         allow_unordered: bool = False) -> list[Transcript]:
    """Read transcripts from files and folders (recursively); raise the first error.

    ``format`` overrides detection (:data:`FORMATS`); ``columns`` maps table columns
    (``{"text": "utterance_text"}`` or ``"text=utterance_text"``); ``manifest`` groups channel
    files; ``allow_unordered`` keeps units whose times go backwards in file order.
    """
    out: list[Transcript] = []
    for _, result in iter_read(paths, format, columns, manifest, allow_unordered):
        if isinstance(result, TaNlpError):
            raise result
        out.extend(result)
    return out


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "Job",
    "detect_format",
    "discover",
    "iter_read",
    "normalize_format",
    "read",
    "read_job",
    "read_manifest",
]
