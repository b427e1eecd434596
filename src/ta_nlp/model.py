"""The small data model: :class:`Transcript` and :class:`Utterance`.

Readers return transcripts whose utterances carry the raw speaker label and raw text; the segmenter
(:mod:`ta_nlp.segment`) fills ``role``, ``clean_text`` and ``events``. ``to_dataframe`` gives the tidy
table every later step works on, with the columns of :data:`UTTERANCE_COLUMNS` in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

#: Columns of ``utterances.csv`` written by ``ta-nlp segment`` (the output contract), in order.
UTTERANCE_COLUMNS: tuple[str, ...] = (
    "transcript_id", "utterance_id", "speaker", "role", "start", "end", "text", "clean_text",
)


@dataclass
class Utterance:
    """One unit of talk: a table row, a cue, an interval, or one speaker turn of free text."""

    id: str
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    role: str | None = None           # clinician | patient | other, once resolved
    clean_text: str | None = None     # text without transcription markup
    events: list[str] = field(default_factory=list)  # markup events: laughter, inaudible, ...
    line: int | None = None           # 1-based line (or row/cue) in the source, for messages

    @property
    def duration(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class Transcript:
    """One encounter: its id, the file(s) it came from, its utterances and metadata."""

    id: str
    sources: list[Path]
    utterances: list[Utterance] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.utterances)

    def iter_utterances(self, role: str | None = None) -> Iterator[Utterance]:
        for utt in self.utterances:
            if role is None or utt.role == role:
                yield utt

    def get_speakers(self) -> list[str]:
        """Speaker labels in order of first appearance."""
        seen: dict[str, None] = {}
        for utt in self.utterances:
            seen.setdefault(utt.speaker, None)
        return list(seen)

    @property
    def has_timing(self) -> bool:
        return any(u.start is not None for u in self.utterances)

    def to_dataframe(self, with_events: bool = False) -> pd.DataFrame:
        """One row per utterance with :data:`UTTERANCE_COLUMNS` (plus ``events`` if asked)."""
        rows = []
        for u in self.utterances:
            row = {
                "transcript_id": self.id,
                "utterance_id": u.id,
                "speaker": u.speaker,
                "role": u.role,
                "start": u.start,
                "end": u.end,
                "text": u.text,
                "clean_text": u.clean_text if u.clean_text is not None else u.text,
            }
            if with_events:
                row["events"] = ";".join(u.events)
            rows.append(row)
        columns = list(UTTERANCE_COLUMNS) + (["events"] if with_events else [])
        frame = pd.DataFrame(rows, columns=columns)
        frame["start"] = frame["start"].astype("float64")
        frame["end"] = frame["end"].astype("float64")
        return frame


def transcripts_to_dataframe(transcripts: list[Transcript], with_events: bool = False) -> pd.DataFrame:
    """Concatenate :meth:`Transcript.to_dataframe` of many transcripts (empty frame if none)."""
    frames = [t.to_dataframe(with_events=with_events) for t in transcripts]
    if not frames:
        columns = list(UTTERANCE_COLUMNS) + (["events"] if with_events else [])
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)
