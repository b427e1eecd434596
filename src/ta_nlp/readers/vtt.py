"""WebVTT captions from Zoom, Teams and others.

- Zoom: ``Name: text`` in the cue payload; cue ids are numbers.
- Teams: ``<v Name>text</v>``, GUID cue ids, unpadded times (``0:0:0.570``), several voices in one
  cue, and sometimes a missing ``</v>``.
- ``NOTE``, ``STYLE`` and ``REGION`` blocks are skipped; other inline tags (``<c>``, ``<i>``,
  ``<00:00:01.000>``) are removed and HTML entities decoded.

A cue without a speaker continues the previous speaker's talk. A missing ``WEBVTT`` header is
tolerated (some tools omit it). Cues must not start before the previous cue (E102), a cue cannot end
before it starts (E101), and a cue cut short at the end of the file is E103.
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
        head = block.lines[0].lstrip()
        if index == 0 and head.startswith("WEBVTT"):
            if len(block.lines) > 1 and any("-->" in line for line in block.lines[1:3]):
                # header glued to the first cue (no blank line): keep the cue
                block = type(block)(block.line + 1, block.lines[1:])
            else:
                continue
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        cue = parse_cue(block, path, last=index == len(found) - 1, fmt="WebVTT")
        if cue is not None:
            pieces.extend(split_payload(cue))
    utterances = pieces_to_utterances(pieces, path)
    check_order(utterances, path, allow_unordered)
    transcript = Transcript(id=transcript_id or path.stem, sources=[path], utterances=utterances,
                            metadata={"format": "vtt", "merge_turns": True})
    return finish(transcript, path)


def read(path: str | Path, allow_unordered: bool = False, **_) -> list[Transcript]:
    return [parse(read_text(path), path, allow_unordered=allow_unordered)]
