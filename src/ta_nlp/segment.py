"""Transcripts in, turns out: roles, markup cleaning, turn merging and timing per encounter.

``segment(paths, out=DIR)`` is what ``ta-nlp segment`` runs. For every transcript read by
:mod:`ta_nlp.readers` it

1. separates transcription markup from speech (:func:`ta_nlp.markup.clean` → ``clean_text`` and
   ``events``);
2. resolves speaker roles (:mod:`ta_nlp.roles`; evidence and confidence kept);
3. for free-text formats (plain text, VTT, SRT, Whisper JSON, docx) merges consecutive units of one
   speaker into one turn; table rows and TextGrid intervals stay as they are;
4. computes the encounter's timing figures (:func:`timing_metrics`).

Outputs (``out`` given), written atomically: ``utterances.csv`` (columns
:data:`ta_nlp.model.UTTERANCE_COLUMNS`), ``encounters.csv`` (:data:`ENCOUNTER_COLUMNS`) and, only when
some input failed, ``errors.csv`` (:data:`ERROR_COLUMNS`). A failing file never stops the batch.

Encounter columns (:data:`ENCOUNTER_COLUMNS`, in this order):

=============================== ====================================================================
``transcript_id``               file stem, group id or the table's transcript_id
``source``                      input file(s), ``;``-separated, as given
``format``                      reader used (:data:`ta_nlp.readers.FORMATS`)
``n_utterances``                units after turn merging (rows of utterances.csv)
``n_clinician_units``           … whose role is clinician
``n_patient_units``             … whose role is patient
``has_timing``                  every unit has a start time
``duration_s``                  first start to last end (or last start when there are no ends)
``clinician_talk_s``            summed unit durations of the clinician (see "start-only" below)
``patient_talk_s``              the same for the patient
``clinician_words``             words in the clinician's ``clean_text``
``patient_words``               words in the patient's ``clean_text``
``patient_talk_share``          patient_talk_s / (clinician_talk_s + patient_talk_s)
``patient_word_share``          patient_words / (clinician_words + patient_words)
``latency_median_s``            median clinician response latency (below)
``latency_iqr_s``               its interquartile range (numpy linear percentiles 75 − 25)
``n_overlaps``                  clinician units that start while a patient unit is under way
``n_backchannel_overlaps``      … of which backchannels ("mm-hmm", "yeah", "right", laughter)
``n_interruptions``             n_overlaps − n_backchannel_overlaps
``longest_patient_stretch_s``   longest time the patient holds the floor (below)
``role_evidence``               how each speaker's role was decided
``role_confidence``             lowest confidence of those decisions (1 for labels and user roles)
=============================== ====================================================================

Timing definitions (units ordered by start time; speakers with role *other* are ignored):

- A **backchannel** is a clinician unit whose clean text has at most four words, all minimal tokens
  (:data:`BACKCHANNEL_WORDS`), or no words at all (only ``[laughs]`` or ``<UNIN/>``). Backchannels
  never take the floor.
- **Response latency**: for each clinician unit that is not a backchannel and follows patient speech,
  its start minus the latest end of the patient units since the clinician last held the floor.
  Negative values are clinician starts before the patient finished (floor-transfer offset).
- **Overlap**: a clinician unit that starts while a patient unit is under way and at least
  :data:`OVERLAP_MIN_S` (0.5 s) before that patient unit ends (``p.start <= c.start < p.end - 0.5``,
  the patient unit ordered first). Shorter overlaps at the end of a patient unit are ordinary turn
  transitions (terminal overlap), and transcribed boundaries are not more precise than that: in
  PriMock57, half of the clinician starts inside a patient interval are within 0.3 s of its end.
- **Longest patient stretch**: from the start of a patient unit to the end of the patient's speech
  before the clinician next takes the floor (at most to that clinician start); patient pauses and
  clinician backchannels inside it do not break it.
- **Start-only sources** (tables with only ``start``, text with ``[00:01:23]`` stamps): a unit is
  taken to last until the next unit starts, so talk time, shares, duration and stretches are
  available, but latency and overlaps (which need real end times) are NaN.
- Untimed transcripts: every timing figure is NaN (counts are empty); word figures are still given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ta_nlp.errors import ReaderError, TaNlpError
from ta_nlp.io import atomic_write_csv
from ta_nlp.markup import clean as clean_markup_text
from ta_nlp.model import UTTERANCE_COLUMNS, Transcript, Utterance
from ta_nlp.readers import Job, discover, normalize_format, read_job
from ta_nlp.readers._common import utterance_id
from ta_nlp.roles import RoleMap, apply_roles

#: Columns of ``encounters.csv``, in order (documented in the module docstring).
ENCOUNTER_COLUMNS: tuple[str, ...] = (
    "transcript_id", "source", "format", "n_utterances", "n_clinician_units", "n_patient_units",
    "has_timing", "duration_s", "clinician_talk_s", "patient_talk_s", "clinician_words",
    "patient_words", "patient_talk_share", "patient_word_share", "latency_median_s",
    "latency_iqr_s", "n_overlaps", "n_backchannel_overlaps", "n_interruptions",
    "longest_patient_stretch_s", "role_evidence", "role_confidence",
)
#: Columns of ``errors.csv``.
ERROR_COLUMNS: tuple[str, ...] = ("file", "line", "error")
#: Encounter columns that are counts (nullable integers: empty when untimed).
_COUNT_COLUMNS = ("n_utterances", "n_clinician_units", "n_patient_units", "clinician_words",
                  "patient_words", "n_overlaps", "n_backchannel_overlaps", "n_interruptions")
#: Minimal tokens: a clinician unit made only of these (≤ 4 words) is a backchannel.
BACKCHANNEL_WORDS: frozenset[str] = frozenset({
    "mm", "mmm", "hmm", "hm", "mhm", "mhmm", "mmhmm", "uh", "huh", "uhhuh", "uh-huh", "mm-hmm",
    "mm-hm", "um", "erm", "er", "ah", "aha", "oh", "ooh", "yeah", "yes", "yep", "yup", "ya", "ok",
    "okay", "right", "sure", "alright", "i", "see", "got", "it", "gotcha", "wow", "really", "great",
    "good", "fine", "lovely", "cool", "exactly", "absolutely", "true", "indeed", "no", "nope",
    "sorry", "dear", "course", "of", "totally", "definitely", "fair", "enough",
})
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_EPS = 1e-6
#: A clinician start counts as an overlap only this many seconds or more before the patient's end.
OVERLAP_MIN_S = 0.5


@dataclass
class SegmentResult:
    """What :func:`segment` returns: three tables and the segmented transcripts."""

    utterances: pd.DataFrame
    encounters: pd.DataFrame
    errors: pd.DataFrame
    transcripts: list[Transcript] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return self.errors.empty


# ------------------------------------------------------------------ per transcript steps
def clean_markup(transcript: Transcript) -> Transcript:
    """Fill ``clean_text`` and ``events`` of every unit from its raw text."""
    for utt in transcript.utterances:
        utt.clean_text, utt.events = clean_markup_text(utt.text)
    return transcript


def merge_turns(transcript: Transcript) -> Transcript:
    """Consecutive units of one speaker become one turn (ids renumbered ``<id>-0000``…)."""
    merged: list[Utterance] = []
    for utt in transcript.utterances:
        last = merged[-1] if merged else None
        if last is not None and last.speaker == utt.speaker and last.role == utt.role:
            last.text = f"{last.text} {utt.text}".strip()
            last.clean_text = " ".join(x for x in (last.clean_text, utt.clean_text) if x)
            last.events = last.events + utt.events
            if utt.end is not None:
                last.end = utt.end if last.end is None else max(last.end, utt.end)
            if last.start is None:
                last.start = utt.start
            continue
        merged.append(Utterance(id=utt.id, speaker=utt.speaker, text=utt.text, start=utt.start,
                                end=utt.end, role=utt.role, clean_text=utt.clean_text,
                                events=list(utt.events), line=utt.line))
    for index, utt in enumerate(merged):
        utt.id = utterance_id(transcript.id, index)
    transcript.utterances = merged
    return transcript


def segment_transcript(transcript: Transcript, roles: RoleMap | Mapping[str, str] | str | None = None
                       ) -> Transcript:
    """Markup → roles → turn merging (free-text formats only), in place; raises E201/E203."""
    clean_markup(transcript)
    apply_roles(transcript, roles)
    if transcript.metadata.get("merge_turns", False):
        merge_turns(transcript)
    return transcript


def segment_transcripts(transcripts: Iterable[Transcript],
                        roles: RoleMap | Mapping[str, str] | str | None = None,
                        roles_file: str | Path | None = None) -> list[Transcript]:
    """:func:`segment_transcript` for each transcript; the first role error is raised."""
    role_map = RoleMap.build(roles, roles_file)
    return [segment_transcript(t, role_map) for t in transcripts]


# ------------------------------------------------------------------ timing
def count_words(text: str | None) -> int:
    return len(_WORD.findall(text)) if text else 0


def is_backchannel(text: str | None) -> bool:
    """A minimal response: ≤ 4 words, all in :data:`BACKCHANNEL_WORDS` (or no words at all)."""
    return _backchannel_words(_WORD.findall(text or ""))


def _backchannel_words(words: list[str]) -> bool:
    if not words:
        return True
    if len(words) > 4:
        return False
    words = [w.casefold() for w in words]
    return all(w in BACKCHANNEL_WORDS or w.replace("-", "") in BACKCHANNEL_WORDS for w in words)


def _nan_timing() -> dict:
    return {"duration_s": math.nan, "clinician_talk_s": math.nan, "patient_talk_s": math.nan,
            "patient_talk_share": math.nan, "latency_median_s": math.nan,
            "latency_iqr_s": math.nan, "n_overlaps": math.nan, "n_backchannel_overlaps": math.nan,
            "n_interruptions": math.nan, "longest_patient_stretch_s": math.nan}


def timing_metrics(transcript: Transcript) -> dict:
    """Counts, words and timing figures of one segmented transcript (a pure function).

    Keys: the encounter columns from ``n_utterances`` to ``longest_patient_stretch_s`` (see the
    module docs for the definitions). Unavailable figures are NaN.
    """
    units = transcript.utterances
    words = {"clinician": 0, "patient": 0}
    counts = {"clinician": 0, "patient": 0}
    backchannel_units: set[int] = set()
    for utt in units:
        if utt.role in words:
            tokens = _WORD.findall(utt.clean_text if utt.clean_text is not None else utt.text or "")
            counts[utt.role] += 1
            words[utt.role] += len(tokens)
            if utt.role == "clinician" and _backchannel_words(tokens):
                backchannel_units.add(id(utt))
    total_words = words["clinician"] + words["patient"]
    result = {
        "n_utterances": len(units),
        "n_clinician_units": counts["clinician"],
        "n_patient_units": counts["patient"],
        "has_timing": bool(units) and all(u.start is not None for u in units),
        "clinician_words": words["clinician"],
        "patient_words": words["patient"],
        "patient_word_share": words["patient"] / total_words if total_words else math.nan,
    }
    result.update(_nan_timing())
    if not result["has_timing"]:
        return _ordered(result)

    order = sorted(range(len(units)), key=lambda i: (units[i].start, i))
    ordered = [units[i] for i in order]
    has_ends = all(u.end is not None for u in ordered)
    # effective end: the real end, else the next unit's start (start-only sources)
    ends: list[float | None] = []
    for k, utt in enumerate(ordered):
        if utt.end is not None:
            ends.append(utt.end)
        else:
            nxt = next((o.start for o in ordered[k + 1:] if o.start > utt.start), None)
            ends.append(nxt)
    first = ordered[0].start
    last = max(e if e is not None else u.start for u, e in zip(ordered, ends))
    result["duration_s"] = last - first
    talk = {"clinician": 0.0, "patient": 0.0}
    for utt, end in zip(ordered, ends):
        if utt.role in talk and end is not None:
            talk[utt.role] += max(0.0, end - utt.start)
    result["clinician_talk_s"] = talk["clinician"]
    result["patient_talk_s"] = talk["patient"]
    both = talk["clinician"] + talk["patient"]
    result["patient_talk_share"] = talk["patient"] / both if both > 0 else math.nan

    latencies: list[float] = []
    overlaps = backchannel_overlaps = 0
    patient_until = -math.inf        # latest end of patient units so far
    pending_end: float | None = None  # patient speech since the clinician last held the floor
    stretch_start: float | None = None
    stretch_end = -math.inf
    longest = 0.0 if counts["patient"] else math.nan
    for utt, end in zip(ordered, ends):
        if utt.role == "patient":
            if stretch_start is None:
                stretch_start, stretch_end = utt.start, -math.inf
            if end is not None:
                stretch_end = max(stretch_end, end)
                patient_until = max(patient_until, end)
                pending_end = end if pending_end is None else max(pending_end, end)
            continue
        if utt.role != "clinician":
            continue
        backchannel = id(utt) in backchannel_units
        if has_ends and utt.start < patient_until - OVERLAP_MIN_S:
            overlaps += 1
            backchannel_overlaps += backchannel
        if backchannel:
            continue
        if has_ends and pending_end is not None:
            latencies.append(utt.start - pending_end)
        pending_end = None
        if stretch_start is not None:
            stop = min(stretch_end, utt.start) if stretch_end > -math.inf else utt.start
            longest = max(longest, stop - stretch_start)
            stretch_start = None
    if stretch_start is not None and stretch_end > -math.inf:
        longest = max(longest, stretch_end - stretch_start)
    result["longest_patient_stretch_s"] = longest
    if has_ends:
        result["n_overlaps"] = overlaps
        result["n_backchannel_overlaps"] = backchannel_overlaps
        result["n_interruptions"] = overlaps - backchannel_overlaps
        if latencies:
            q25, q50, q75 = np.percentile(latencies, [25, 50, 75])
            result["latency_median_s"] = float(q50)
            result["latency_iqr_s"] = float(q75 - q25)
    return _ordered(result)


def _ordered(result: dict) -> dict:
    keys = ENCOUNTER_COLUMNS[ENCOUNTER_COLUMNS.index("n_utterances"):
                             ENCOUNTER_COLUMNS.index("longest_patient_stretch_s") + 1]
    return {k: result[k] for k in keys}


def encounter_row(transcript: Transcript) -> dict:
    """One row of ``encounters.csv`` for a segmented transcript."""
    row = {"transcript_id": transcript.id,
           "source": ";".join(str(p) for p in transcript.sources),
           "format": transcript.metadata.get("format", "")}
    row.update(timing_metrics(transcript))
    row["role_evidence"] = transcript.metadata.get("role_evidence", "")
    row["role_confidence"] = transcript.metadata.get("role_confidence", math.nan)
    return row


def utterances_frame(transcripts: Iterable[Transcript]) -> pd.DataFrame:
    """All utterances in one table with :data:`ta_nlp.model.UTTERANCE_COLUMNS` (the same as
    :func:`ta_nlp.model.transcripts_to_dataframe`, built in one go: much faster for big batches)."""
    columns: dict[str, list] = {c: [] for c in UTTERANCE_COLUMNS}
    for t in transcripts:
        for u in t.utterances:
            columns["transcript_id"].append(t.id)
            columns["utterance_id"].append(u.id)
            columns["speaker"].append(u.speaker)
            columns["role"].append(u.role)
            columns["start"].append(u.start)
            columns["end"].append(u.end)
            columns["text"].append(u.text)
            columns["clean_text"].append(u.clean_text if u.clean_text is not None else u.text)
    frame = pd.DataFrame(columns)
    frame["start"] = frame["start"].astype("float64")
    frame["end"] = frame["end"].astype("float64")
    return frame


def encounters_frame(transcripts: Iterable[Transcript]) -> pd.DataFrame:
    frame = pd.DataFrame([encounter_row(t) for t in transcripts], columns=list(ENCOUNTER_COLUMNS))
    for column in _COUNT_COLUMNS:
        frame[column] = pd.array(frame[column].astype("float64"), dtype="Int64") \
            if len(frame) else frame[column].astype("Int64")
    frame["has_timing"] = frame["has_timing"].astype(bool)
    for column in ENCOUNTER_COLUMNS:
        if column.endswith(("_s", "_share")) or column == "role_confidence":
            frame[column] = frame[column].astype("float64")
    return frame


# ------------------------------------------------------------------ the batch
def _segment_job(job: Job, format: str | None, columns, allow_unordered: bool,
                 role_map: RoleMap) -> list[tuple[Path, Transcript | TaNlpError]]:
    """Read one job and segment its transcripts: ``(source, transcript or error)`` items."""
    out: list[tuple[Path, Transcript | TaNlpError]] = []
    try:
        results = list(read_job(job, format, columns, allow_unordered))
    except TaNlpError as exc:  # pragma: no cover - read_job yields its errors
        results = [(job.source, exc)]
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop a batch of thousands
        results = [(job.source, ReaderError.make("E108", path=job.source,
                                                 found=type(exc).__name__, stage="reading"))]
    for source, result in results:
        if isinstance(result, TaNlpError):
            out.append((source, result))
            continue
        for transcript in result:
            try:
                segment_transcript(transcript, role_map)
            except TaNlpError as exc:
                out.append((source, exc))
                continue
            out.append((source, transcript))
    return out


def _segment_jobs(args) -> list[list[tuple[Path, Transcript | TaNlpError]]]:
    jobs, format, columns, allow_unordered, role_map = args
    return [_segment_job(job, format, columns, allow_unordered, role_map) for job in jobs]


def _read_jobs(jobs: list[Job], format, columns, allow_unordered: bool, role_map: RoleMap,
               workers: int):
    """``(job, results)`` for every job in order; with ``workers`` > 1 the jobs are read and
    segmented in forked processes, in chunks."""
    import multiprocessing

    if workers <= 1 or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            yield job, _segment_job(job, format, columns, allow_unordered, role_map)
        return
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, min(64, len(jobs) // (workers * 4)))
    chunks = [jobs[k:k + size] for k in range(0, len(jobs), size)]
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("fork")) as pool:
        tasks = [(chunk, format, columns, allow_unordered, role_map) for chunk in chunks]
        for chunk, results in zip(chunks, pool.map(_segment_jobs, tasks)):
            yield from zip(chunk, results)


def _error_row(path, exc: TaNlpError) -> dict:
    line = exc.line if exc.line is not None else ""
    return {"file": str(exc.path or path), "line": line, "error": f"[{exc.code}] {exc.message}"}


def segment(paths: str | Path | Iterable[str | Path], out: str | Path | None = None,
            format: str | None = None, columns: str | Mapping[str, str] | None = None,
            roles: str | Mapping[str, str] | None = None, roles_file: str | Path | None = None,
            manifest: str | Path | None = None, allow_unordered: bool = False,
            progress: Callable[[int, int, Path], None] | None = None,
            workers: int = 1) -> SegmentResult:
    """Read, clean, assign roles, merge turns and time every transcript under ``paths``.

    ``format``/``columns``/``manifest``/``allow_unordered`` go to :mod:`ta_nlp.readers`; ``roles``
    (``"A=clinician,B=patient"`` or a mapping) and ``roles_file`` (CSV ``speaker,role``) set roles
    by hand. ``progress(done, total, path)`` is called after each input. ``workers``: processes
    that read and segment files (the result is the same for any number). With ``out``, writes
    ``utterances.csv``, ``encounters.csv`` and (only when something failed) ``errors.csv``.
    Options that are wrong for the whole batch (a bad ``--roles`` string, unknown format) raise;
    problems of single files are collected in ``errors``.
    """
    role_map = RoleMap.build(roles, roles_file)
    format = normalize_format(format)
    if columns is not None and not isinstance(columns, Mapping):
        from ta_nlp.readers.table import parse_columns

        columns = parse_columns(columns)
    jobs: list[Job] = discover(paths, format=format, manifest=manifest)
    transcripts: list[Transcript] = []
    errors: list[dict] = []
    owner: dict[str, str] = {}
    for done, (job, results) in enumerate(
            _read_jobs(jobs, format, columns, allow_unordered, role_map, workers), start=1):
        for source, result in results:
            if isinstance(result, TaNlpError):
                errors.append(_error_row(source, result))
                continue
            transcript = result
            src = ";".join(str(p) for p in transcript.sources)
            if transcript.id in owner:
                exc = ReaderError.make("E107", path=src, tid=transcript.id,
                                       other=owner[transcript.id])
                errors.append(_error_row(source, exc))
                continue
            owner[transcript.id] = src
            transcripts.append(transcript)
        if progress is not None:
            progress(done, len(jobs), job.source)
    result = SegmentResult(
        utterances=utterances_frame(transcripts),
        encounters=encounters_frame(transcripts),
        errors=pd.DataFrame(errors, columns=list(ERROR_COLUMNS)),
        transcripts=transcripts,
    )
    if out is not None:
        write_outputs(result, out)
    return result


def write_outputs(result: SegmentResult, out: str | Path) -> None:
    """Write the tables of ``result`` into ``out`` atomically (errors.csv only when non-empty)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_csv(out / "utterances.csv", result.utterances)
    atomic_write_csv(out / "encounters.csv", result.encounters)
    errors_path = out / "errors.csv"
    if result.errors.empty:
        errors_path.unlink(missing_ok=True)  # a stale list from an earlier run would mislead
    else:
        atomic_write_csv(errors_path, result.errors)
