"""Write the bundled example transcripts in data/examples/transcripts/ from the team's dialogues.

    python scripts/make_examples.py

The dialogues (synthetic physical-therapy initial evaluations, our own words) are in
``scripts/_example_dialogues.py``. Timing is simulated with a fixed seed: speech at about 2.6 words/s
(clinician) and 2.3 words/s (patient); a warm clinician waits 0.8–1.8 s before answering, a rushed one
0.1–0.5 s; ``!`` lines cut in before the patient finishes and ``~`` lines are backchannels spoken
during the patient's turn. Each file is then written in the format an export tool would produce,
with that tool's quirks (see data/examples/README.md).
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _example_dialogues as D

OUT = Path(__file__).resolve().parents[1] / "data" / "examples" / "transcripts"


@dataclass
class Turn:
    who: str      # C or P
    text: str
    start: float
    end: float
    marker: str = ""


def timeline(dialogue, style: str, seed: int) -> list[Turn]:
    rng = random.Random(seed)
    turns: list[Turn] = []
    floor_end = rng.uniform(0.8, 2.5)
    for who, text in dialogue:
        marker = who[0] if who[0] in "~!" else ""
        who = who[-1]
        words = len(text.replace("\n", " ").split())
        duration = words / (2.6 if who == "C" else 2.3) + rng.uniform(0.2, 0.6)
        if marker == "~":
            host = turns[-1]
            start = host.start + 0.45 * (host.end - host.start)
            turns.append(Turn(who, text, round(start, 3), round(start + 0.7, 3), marker))
            continue
        if marker == "!":
            start = floor_end - rng.uniform(0.9, 1.4)
        elif who == "C":
            start = floor_end + {"warm": rng.uniform(0.8, 1.8), "mixed": rng.uniform(0.4, 1.0),
                                 "rushed": rng.uniform(0.1, 0.5)}[style]
        else:
            start = floor_end + rng.uniform(0.3, 0.9)
        end = start + duration
        turns.append(Turn(who, text, round(start, 3), round(end, 3), marker))
        floor_end = end
    return turns


def flat(text: str) -> str:
    return " ".join(text.split())


def hms(t: float, sep: str = ".") -> str:
    h, rem = divmod(t, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}".replace(".", sep)


def split_sentences(text: str, max_words: int) -> list[str]:
    """Split a long turn into caption-sized pieces at sentence ends."""
    import re

    sentences = re.split(r"(?<=[.?!])\s+", flat(text))
    pieces, current = [], ""
    for sentence in sentences:
        if current and len((current + " " + sentence).split()) > max_words:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def pieces_with_times(turn: Turn, max_words: int):
    pieces = split_sentences(turn.text, max_words)
    total = sum(len(p.split()) for p in pieces)
    t = turn.start
    for piece in pieces:
        share = (turn.end - turn.start) * len(piece.split()) / total
        yield piece, round(t, 3), round(t + share - 0.05, 3)
        t += share


# ------------------------------------------------------------------ writers
def write(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    path = OUT / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    print(f"wrote {path.relative_to(OUT.parents[2])}")


def text_stamped(turns, labels, title) -> str:
    lines = [title, ""]
    for turn in turns:
        first, *rest = turn.text.split("\n")
        lines.append(f"[{hms(turn.start)[:8]}] {labels[turn.who]}: {first}")
        lines.extend(rest)  # continuation lines of the same turn
    return "\n".join(lines) + "\n"


def otter(turns, names) -> str:
    blocks = []
    for turn in turns:
        m, s = divmod(int(turn.start), 60)
        blocks.append(f"{names[turn.who]}  {m}:{s:02d}\n{flat(turn.text)}")
    return "\n\n".join(blocks) + "\n"


def zoom_vtt(turns, names) -> str:
    cues, n = ["WEBVTT"], 0
    for turn in turns:
        for piece, start, end in pieces_with_times(turn, 22):
            n += 1
            cues.append(f"{n}\n{hms(start)} --> {hms(end)}\n{names[turn.who]}: {piece}")
    return "\n\n".join(cues) + "\n"


def teams_time(t: float) -> str:
    h, rem = divmod(t, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h)}:{int(m)}:{s:.3f}"


def teams_vtt(turns, names, seed) -> str:
    rng = random.Random(seed)
    guid = (f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}-"
            f"{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}")
    cues = ["WEBVTT", "NOTE\nTranscript exported from the meeting (synthetic example)."]
    i, n = 0, 0
    missing_close_done = False
    while i < len(turns):
        turn = turns[i]
        nxt = turns[i + 1] if i + 1 < len(turns) else None
        n += 1
        cue_id = f"{guid}/{n + 10}-0"
        if (turn.who == "P" and nxt is not None and nxt.who == "C" and len(turn.text.split()) <= 4
                and len(nxt.text.split()) <= 12):
            body = f"<v {names['P']}>{flat(turn.text)}</v><v {names['C']}>{flat(nxt.text)}</v>"
            cues.append(f"{cue_id}\n{teams_time(turn.start)} --> {teams_time(nxt.end)}\n{body}")
            i += 2
            continue
        for piece, start, end in pieces_with_times(turn, 25):
            close = "</v>"
            if not missing_close_done and turn.who == "P" and len(piece.split()) > 8:
                close, missing_close_done = "", True  # Teams sometimes drops the closing tag
            cues.append(f"{cue_id}\n{teams_time(start)} --> {teams_time(end)}\n"
                        f"<v {names[turn.who]}>{piece}{close}")
            n += 1
            cue_id = f"{guid}/{n + 10}-0"
        i += 1
    return "\n\n".join(cues) + "\n"


def srt(turns, labels) -> str:
    cues, n, i = [], 0, 0
    dash_done = False
    while i < len(turns):
        turn = turns[i]
        nxt = turns[i + 1] if i + 1 < len(turns) else None
        if (not dash_done and turn.who == "P" and nxt is not None and nxt.who == "C"
                and len(turn.text.split()) <= 8 and len(nxt.text.split()) <= 10):
            n += 1
            dash_done = True
            cues.append(f"{n}\n{hms(turn.start, ',')} --> {hms(nxt.end, ',')}\n"
                        f"- {labels['P']}: {flat(turn.text)}\n- {labels['C']}: {flat(nxt.text)}")
            i += 2
            continue
        for k, (piece, start, end) in enumerate(pieces_with_times(turn, 16)):
            n += 1
            prefix = f"{labels[turn.who]}: " if k == 0 else ""  # later cues continue the speaker
            cues.append(f"{n}\n{hms(start, ',')} --> {hms(end, ',')}\n{prefix}{piece}")
        i += 1
    return "\n\n".join(cues) + "\n"


def tier_intervals(turns, who, xmax):
    intervals, t = [], 0.0
    for turn in sorted((x for x in turns if x.who == who), key=lambda x: x.start):
        if turn.start > t:
            intervals.append((t, turn.start, ""))
        intervals.append((turn.start, turn.end, flat(turn.text)))
        t = turn.end
    if t < xmax:
        intervals.append((t, xmax, ""))
    return intervals


def q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def textgrid_long(tiers: list[tuple[str, list]], xmax: float) -> str:
    out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0 ",
           f"xmax = {xmax} ", "tiers? <exists> ", f"size = {len(tiers)} ", "item []: "]
    for k, (name, intervals) in enumerate(tiers, start=1):
        out += [f"    item [{k}]:", '        class = "IntervalTier" ', f"        name = {q(name)} ",
                "        xmin = 0 ", f"        xmax = {xmax} ",
                f"        intervals: size = {len(intervals)} "]
        for j, (a, b, text) in enumerate(intervals, start=1):
            out += [f"        intervals [{j}]:", f"            xmin = {a} ", f"            xmax = {b} ",
                    f"            text = {q(text)} "]
    return "\n".join(out) + "\n"


def textgrid_short(name: str, intervals, xmax: float) -> str:
    out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "0", str(xmax), "<exists>",
           "1", '"IntervalTier"', q(name), "0", str(xmax), str(len(intervals))]
    for a, b, text in intervals:
        out += [str(a), str(b), q(text)]
    return "\n".join(out) + "\n"


def whisperx(turns, speakers, seed, drop_speaker_at=None, unknown_after=None) -> str:
    rng = random.Random(seed)
    segments = []
    for index, turn in enumerate(turns):
        for piece, start, end in pieces_with_times(turn, 18):
            tokens = piece.split()
            step = (end - start) / len(tokens)
            words = [{"word": w, "start": round(start + k * step, 3),
                      "end": round(start + (k + 0.85) * step, 3),
                      "score": round(rng.uniform(0.55, 0.99), 3), "speaker": speakers[turn.who]}
                     for k, w in enumerate(tokens)]
            segment = {"start": start, "end": end, "text": " " + piece, "words": words,
                       "speaker": speakers[turn.who]}
            if drop_speaker_at is not None and len(segments) == drop_speaker_at:
                del segment["speaker"]  # not covered by diarization: words still carry speakers
            segments.append(segment)
        if unknown_after is not None and index == unknown_after:
            t = turn.end + 0.05
            segments.append({"start": round(t, 3), "end": round(t + 0.4, 3), "text": " Mm."})
    word_segments = [w for s in segments for w in s.get("words", [])]
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    lines = ",\n  ".join(json.dumps(s, **compact) for s in segments)
    return ('{"segments": [\n  ' + lines + '\n],\n"word_segments": '
            + json.dumps(word_segments, **compact) + "}\n")


def table_rows(turns, tid, speakers, ids=None, timed=True, roles=None):
    import csv
    import io

    buffer = io.StringIO()
    columns = ["transcript_id", "utterance_id", "speaker", "start", "end", "text"]
    if not timed:
        columns = ["transcript_id", "speaker", "role", "text"]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for k, turn in enumerate(turns):
        if timed:
            writer.writerow([tid, ids(k), speakers[turn.who], f"{turn.start:.3f}", f"{turn.end:.3f}",
                             flat(turn.text)])
        else:
            writer.writerow([tid, speakers[turn.who], roles[turn.who], flat(turn.text)])
    return buffer.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    t = timeline(D.EX01_LOWBACK_WARM, "warm", 1)
    write("ex01_lowback_warm.txt", text_stamped(t, {"C": "PT", "P": "Patient"},
          "Initial evaluation: low back (synthetic example)"), newline="\r\n")
    t = timeline(D.EX02_KNEE_RUSHED, "rushed", 2)
    write("ex02_knee_rushed.txt", otter(t, {"C": "Mark Ellis", "P": "Joan Baptiste"}))
    t = timeline(D.EX03_NECK_WARM, "warm", 3)
    write("ex03_neck_warm.vtt", zoom_vtt(t, {"C": "Anita Rao", "P": "Sam Okafor"}),
          encoding="utf-8-sig")
    t = timeline(D.EX04_SHOULDER_RUSHED, "rushed", 4)
    write("ex04_shoulder_rushed.vtt", teams_vtt(t, {"C": "Tom Becker", "P": "Linda Osei"}, 4))
    t = timeline(D.EX05_ANKLE_WARM, "warm", 5)
    write("ex05_ankle_warm.srt", srt(t, {"C": "THERAPIST", "P": "PATIENT"}))
    t = timeline(D.EX06_HIP_MIXED, "mixed", 6)
    text = srt(t, {"C": "PHYSIO", "P": "CLIENT"}).replace("'", "\u2019")
    write("ex06_hip_mixed.srt", text, encoding="cp1252", newline="\r\n")
    t = timeline(D.EX07_LOWBACK_RUSHED, "rushed", 7)
    xmax = round(max(x.end for x in t) + 1.5, 3)
    write("ex07_lowback_rushed.TextGrid", textgrid_long(
        [("Physiotherapist", tier_intervals(t, "C", xmax)), ("Patient", tier_intervals(t, "P", xmax))],
        xmax))
    t = timeline(D.EX08_KNEE_WARM, "warm", 8)
    xmax = round(max(x.end for x in t) + 1.5, 3)
    write("ex08_knee_warm_therapist.TextGrid",
          textgrid_short("Therapist", tier_intervals(t, "C", xmax), xmax))
    write("ex08_knee_warm_patient.TextGrid",
          textgrid_short("Patient", tier_intervals(t, "P", xmax), xmax), encoding="utf-16")
    t = timeline(D.EX09_PLANTAR_WARM, "warm", 9)
    write("ex09_plantar_warm.csv", table_rows(t, "ex09_plantar_warm",
                                              {"C": "Therapist", "P": "Patient"},
                                              ids=lambda k: f"u{k + 1:03d}"))
    t = timeline(D.EX10_WRIST_RUSHED, "rushed", 10)
    write("ex10_wrist_rushed.csv", table_rows(t, "ex10_wrist_rushed",
                                              {"C": "Kim Hall", "P": "Peter Ahmed"}, timed=False,
                                              roles={"C": "clinician", "P": "patient"}))
    t = timeline(D.EX11_ELBOW_WARM, "warm", 11)
    write("ex11_elbow_warm.json", whisperx(t, {"C": "SPEAKER_00", "P": "SPEAKER_01"}, 11,
                                           drop_speaker_at=5))
    t = timeline(D.EX12_NECK_RUSHED, "rushed", 12)
    write("ex12_neck_rushed.json", whisperx(t, {"C": "SPEAKER_01", "P": "SPEAKER_00"}, 12,
                                            unknown_after=6))


if __name__ == "__main__":
    main()
