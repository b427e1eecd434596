"""SubRip (``.srt``) captions with speaker prefixes.

Cues are ``index`` / ``00:00:01,000 --> 00:00:04,000`` / text lines. Speakers are named at the start
of a line: ``NAME: text``, ``- NAME: text`` (two speakers in one cue), ``>> NAME: text`` or
``[NAME] text``. A line without a prefix continues the speaker before it (also across cues). The
index line may be missing; ``.`` is accepted as the decimal mark. Order and truncation are checked as
for WebVTT.
"""

from __future__ import annotations

from pathlib import Path

from ta_nlp.model import Transcript
from ta_nlp.readers._common import check_order, finish
from ta_nlp.readers._cues import blocks, parse_cue, pieces_to_utterances, split_payload
from ta_nlp.readers.encoding import read_text


def parse(text: str, path: str | Path, transcript_id: str | None = None,
          allow_unordered: bool = False) -> Transcript:
    path = Path(path)
    found = blocks(text)
    pieces = []
    for index, block in enumerate(found):
        cue = parse_cue(block, path, last=index == len(found) - 1, fmt="SRT")
        if cue is not None:
            pieces.extend(split_payload(cue))
    utterances = pieces_to_utterances(pieces, path)
    check_order(utterances, path, allow_unordered)
    transcript = Transcript(id=transcript_id or path.stem, sources=[path], utterances=utterances,
                            metadata={"format": "srt", "merge_turns": True})
    return finish(transcript, path)


def read(path: str | Path, allow_unordered: bool = False, **_) -> list[Transcript]:
    return [parse(read_text(path), path, allow_unordered=allow_unordered)]
