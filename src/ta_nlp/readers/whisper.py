"""Segment JSON from WhisperX or faster-whisper.

Accepted shapes: ``{"segments": [...]}`` (WhisperX, openai-whisper, faster-whisper dumps) or a bare
list of segments. A segment has ``start``, ``end``, ``text`` and, after diarization, ``speaker``
(``SPEAKER_00``…). When a segment has no ``speaker`` key, its words' speakers decide (majority); with
none either, the speaker is ``unknown`` (role *other*), so a partly diarized file still reads.
Segments are units; consecutive segments of one speaker become one turn in segmentation.
In errors about one segment, the "line" is the segment's number (1 = first segment).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from ta_nlp.errors import ReaderError
from ta_nlp.model import Transcript, Utterance
from ta_nlp.readers._common import check_order, check_span, finish
from ta_nlp.readers.encoding import read_text


def _time(value, path: Path, index: int, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0:
        raise ReaderError.make("E101", path=path, line=index + 1,
                               expected=f"'{key}' in seconds (a number)", found=str(value)[:30],
                               fix="Fix the segment's time.")
    return float(value)


def _speaker(segment: dict) -> str:
    speaker = segment.get("speaker")
    if isinstance(speaker, (str, int)) and str(speaker).strip():
        return str(speaker).strip()
    words = segment.get("words")
    if isinstance(words, list):
        votes = Counter(str(w["speaker"]) for w in words
                        if isinstance(w, dict) and isinstance(w.get("speaker"), (str, int)))
        if votes:
            return votes.most_common(1)[0][0]
    return "unknown"


def parse(text: str, path: str | Path, transcript_id: str | None = None,
          allow_unordered: bool = False) -> Transcript:
    path = Path(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReaderError.make("E101", path=path, line=exc.lineno, expected="JSON",
                               found=exc.msg, fix="The file may be cut short; export it again.") \
            from None
    except RecursionError:
        raise ReaderError.make("E101", path=path, line=1, expected="JSON",
                               found="too deeply nested data", fix="Export the transcript again.") \
            from None
    segments = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(segments, list):
        raise ReaderError.make(
            "E101", path=path, line=1,
            expected="a WhisperX/faster-whisper JSON object with a 'segments' list",
            found=f"keys {sorted(data)[:6]}" if isinstance(data, dict) else type(data).__name__,
            fix="Pass the JSON written by whisperx or faster-whisper, or pass --format.")
    utterances = []
    for index, segment in enumerate(segments):
        if not isinstance(segment, dict):
            raise ReaderError.make("E101", path=path, line=index + 1,
                                   expected="a segment object with start, end and text",
                                   found=type(segment).__name__, fix="Export the transcript again.")
        words = segment.get("text")
        if words is None and isinstance(segment.get("words"), list):
            words = " ".join(str(w.get("word", "")) for w in segment["words"] if isinstance(w, dict))
        if not isinstance(words, str):
            raise ReaderError.make("E101", path=path, line=index + 1,
                                   expected="a 'text' string", found=type(words).__name__,
                                   fix="Export the transcript again.")
        words = " ".join(words.split())
        if not words:
            continue
        utt = Utterance(id="", speaker=_speaker(segment), text=words,
                        start=_time(segment.get("start"), path, index, "start"),
                        end=_time(segment.get("end"), path, index, "end"), line=index + 1)
        check_span(utt, path)
        utterances.append(utt)
    check_order(utterances, path, allow_unordered)
    transcript = Transcript(id=transcript_id or path.stem, sources=[path], utterances=utterances,
                            metadata={"format": "whisper", "merge_turns": True})
    return finish(transcript, path)


def read(path: str | Path, allow_unordered: bool = False, **_) -> list[Transcript]:
    return [parse(read_text(path), path, allow_unordered=allow_unordered)]
