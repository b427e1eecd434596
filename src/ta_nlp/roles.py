"""Speaker roles: which speaker is the clinician, which the patient.

Resolution order for each speaker of a transcript (the first that applies wins):

1. ``roles`` given by the user (``{"Priya Nair": "clinician"}``, ``--roles "Priya Nair=clinician"``
   or a roles file with columns ``speaker,role`` and optionally ``transcript_id``); speaker names
   match exactly, then ignoring case and spacing.
2. A ``role`` column of an utterance table.
3. The label lexicon (:data:`LEXICON`): therapist, physio, physiotherapist, PT, clinician, provider,
   doctor, Dr …, interviewer → clinician; patient, client, participant → patient; interpreter,
   relative, unknown … → other. A label matches when it is a lexicon entry once case, punctuation
   and a trailing number are dropped ("Therapist 1", "Dr. Nair", "PATIENT:"), or when one of its words
   is (``"Sam (patient)"``). ``PT`` is ambiguous (physical therapist or patient): it means the
   clinician only when another speaker is a patient; otherwise the tool stops with E203.
4. Complement: with one clinician known and exactly one unresolved speaker left, that speaker is the
   patient (and the other way round).
5. Inference from the talk, for two name-labelled speakers (Zoom/Teams display names, "Speaker 1",
   "SPEAKER_00"): share of the questions asked, a clinician opening ("how can I help", "what brings
   you in"), a self-introduction as physio/doctor, examination talk ("I'm going to press here"), and
   first-person symptom talk for the patient. The evidence and a confidence are recorded; below
   :data:`MIN_CONFIDENCE` the tool stops with E201, listing the speakers and the option to set them.

Nothing is guessed silently: every decision carries its source and evidence, which ``ta-nlp segment``
writes to the ``role_evidence`` and ``role_confidence`` columns of ``encounters.csv``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ta_nlp.codes import ROLES
from ta_nlp.errors import ReaderError, RoleError
from ta_nlp.model import Transcript

#: Label word(s) → role. Keys are lower case, punctuation-free.
LEXICON: dict[str, str] = {
    **{k: "clinician" for k in (
        "therapist", "physio", "physiotherapist", "physical therapist", "clinician", "provider",
        "doctor", "dr", "doc", "gp", "physician", "interviewer", "counsellor", "counselor",
        "nurse", "practitioner", "consultant", "chiropractor", "osteopath", "psychologist",
        "psychotherapist", "dpt", "clin", "md", "rn", "np", "occupational therapist",
        "sports therapist", "kinesiologist", "surgeon", "health coach",
    )},
    **{k: "patient" for k in (
        "patient", "client", "participant", "interviewee", "service user",
    )},
    **{k: "other" for k in (
        "interpreter", "translator", "family", "relative", "carer", "caregiver", "parent", "mother",
        "father", "mum", "mom", "dad", "spouse", "partner", "wife", "husband", "son", "daughter",
        "friend", "student", "observer", "receptionist", "assistant", "researcher", "unknown",
        "unidentified", "other", "narrator", "crosstalk", "multiple", "all", "both",
    )},
}
#: Labels whose meaning depends on the other speakers.
AMBIGUOUS: dict[str, str] = {
    "pt": "'PT' can mean physical therapist or patient, and no other speaker is labelled as the "
          "patient",
}
#: Below this confidence an inferred role is not used (E201 instead).
MIN_CONFIDENCE = 0.9

_ID_TOKEN = re.compile(r"^(?:\d+|[a-z]{1,2}\d+|#\d+)$")


def normalize_label(label: str) -> str:
    text = label.casefold().replace("’", "'")
    text = re.sub(r"[_\-./:,;()\[\]{}<>\"*|]+", " ", text)
    return " ".join(text.split())


def label_role(label: str) -> str | None:
    """Role from the lexicon for a speaker label: a role, ``"ambiguous"``, or None (a name)."""
    norm = normalize_label(label)
    if not norm:
        return None
    tokens = norm.split()
    while len(tokens) > 1 and _ID_TOKEN.match(tokens[-1]):
        tokens.pop()
    whole = " ".join(tokens)
    if whole in AMBIGUOUS:
        return "ambiguous"
    if whole in LEXICON:
        return LEXICON[whole]
    if tokens[0] in ("dr", "doctor", "prof", "professor", "nurse", "physio", "therapist"):
        return "clinician"
    found = {LEXICON[t] for t in tokens if t in LEXICON and len(t) > 2}
    for i in range(len(tokens) - 1):
        pair = f"{tokens[i]} {tokens[i + 1]}"
        if pair in LEXICON:
            found.add(LEXICON[pair])
    if len(found) == 1:
        return found.pop()
    return None


# ------------------------------------------------------------------ user-given roles
def _check_role(value: str, speaker: str, path=None, line=None) -> str:
    role = value.strip().casefold()
    if role not in ROLES:
        err = RoleError.make("E202", found=value, speaker=speaker)
        if path is not None:
            err.path, err.line = str(path), line
            err.message = f"{path}:{line}: {err.message}"
        raise err
    return role


def parse_roles(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"A=clinician,B=patient"`` or a mapping → ``{speaker: role}`` (roles checked)."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {str(k).strip(): _check_role(str(v), str(k)) for k, v in spec.items()}
    out: dict[str, str] = {}
    for part in (p for p in str(spec).split(",") if p.strip()):
        if "=" not in part:
            raise RoleError.make("E204", found=part.strip())
        name, role = part.rsplit("=", 1)
        if not name.strip():
            raise RoleError.make("E204", found=part.strip())
        out[name.strip()] = _check_role(role, name.strip())
    return out


def read_roles_file(path: str | Path) -> dict[tuple[str | None, str], str]:
    """A CSV/TSV with columns ``speaker,role`` (and optionally ``transcript_id``).

    Returns ``{(transcript_id or None, speaker): role}``.
    """
    from ta_nlp.readers.encoding import read_text

    text = read_text(path)
    dialect = "excel-tab" if "\t" in text.split("\n", 1)[0] else "excel"
    rows = list(csv.reader(io.StringIO(text), dialect=dialect))
    header = [h.strip().casefold() for h in rows[0]]
    missing = [c for c in ("speaker", "role") if c not in header]
    if missing:
        raise ReaderError.make("E104", path=path, missing=", ".join(missing),
                               found=", ".join(rows[0]),
                               fix="A roles file has a header line 'speaker,role' (optionally "
                                   "'transcript_id,speaker,role').")
    i_speaker, i_role = header.index("speaker"), header.index("role")
    i_tid = header.index("transcript_id") if "transcript_id" in header else None
    out: dict[tuple[str | None, str], str] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(i_speaker, i_role):
            raise ReaderError.make("E101", path=path, line=line, expected="speaker,role",
                                   found=",".join(row), fix="Give both columns on every line.")
        speaker = row[i_speaker].strip()
        tid = row[i_tid].strip() if i_tid is not None and len(row) > i_tid else ""
        out[(tid or None, speaker)] = _check_role(row[i_role], speaker, path, line)
    return out


@dataclass
class RoleMap:
    """User-given roles: global ``{speaker: role}`` plus entries scoped to one transcript."""

    entries: dict[tuple[str | None, str], str] = field(default_factory=dict)

    @classmethod
    def build(cls, roles: str | Mapping[str, str] | RoleMap | None = None,
              roles_file: str | Path | None = None) -> RoleMap:
        if isinstance(roles, RoleMap):
            entries = dict(roles.entries)
        else:
            entries = {(None, k): v for k, v in parse_roles(roles).items()}
        if roles_file is not None:
            file_entries = read_roles_file(roles_file)
            entries = {**file_entries, **entries}  # the command line wins over the file
        return cls(entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def get(self, transcript_id: str, speaker: str) -> str | None:
        for key in ((transcript_id, speaker), (None, speaker)):
            if key in self.entries:
                return self.entries[key]
        folded = normalize_label(speaker)
        for (tid, name), role in self.entries.items():
            if tid in (None, transcript_id) and normalize_label(name) == folded:
                return role
        return None


# ------------------------------------------------------------------ inference from talk
_OPENER = re.compile(
    r"\b(how can i help|how may i help|what can i do for you|what (?:brings|brought) you|"
    r"what(?:'s| has) brought you|what seems to be the (?:problem|trouble)|"
    r"how (?:are|have) you (?:been )?(?:doing|feeling)|how are things|"
    r"tell me (?:a (?:bit|little) )?(?:about|what)|what's (?:been )?going on|come (?:on )?(?:in|through))",
    re.IGNORECASE)
_INTRO = re.compile(
    r"\b(?:i'?m|i am|my name'?s|my name is)\b[^.?!]{0,40}?\b(?:one of )?(?:the |your |a )?"
    r"(?:physio|physiotherapist|physical therapist|therapist|doctor|gp|nurse|clinician|"
    r"counsellor|counselor|chiropractor|osteopath)s?\b|\bi'?ll be (?:your|looking after you|seeing you)",
    re.IGNORECASE)
_EXAM = re.compile(
    r"\b(?:i'?m going to|i'?ll|let me|i'?d like to|can i|i want to)\s+(?:just\s+)?(?:gently\s+)?"
    r"(?:press|feel|check|have a (?:quick )?look|examine|test|move|lift|push|palpate|measure|"
    r"ask you|take a look)|\bon a scale of\b|\bany (?:numbness|tingling|pins and needles)|"
    r"\bdoes (?:it|that|this) (?:wake you|hurt|feel|get worse)|\bwhen did (?:it|this|the pain)|"
    r"\bhow long (?:have|has)\b|\bi'?d (?:recommend|suggest)|\bcan you (?:bend|lift|raise|turn|"
    r"stand|squeeze|push|point|show me|lie|sit|straighten|tell me)|\bany questions\b",
    re.IGNORECASE)
_SYMPTOM = re.compile(
    r"\b(?:my|the) (?:back|knee|shoulder|neck|hip|ankle|elbow|wrist|foot|feet|leg|arm|hand|head|"
    r"stomach|chest|pain)\b|\bit (?:hurts|aches|started|began|gets worse|kills)\b|"
    r"\bi'?ve (?:been|had) (?:having|getting|feeling|pain|this|some|a)\b|"
    r"\bi (?:hurt|injured|twisted|pulled|strained|fell|can'?t sleep|can'?t)\b|"
    r"\bmy (?:gp|doctor) (?:said|told|sent|referred)",
    re.IGNORECASE)
_YOU = re.compile(r"\b(?:you|your|you're|you've)\b", re.IGNORECASE)
_ME = re.compile(r"\b(?:i|my|me|i'm|i've|i'd|myself)\b", re.IGNORECASE)


@dataclass
class SpeakerTalk:
    units: int = 0
    questions: int = 0
    opener: int = 0
    intro: int = 0
    exam: int = 0
    symptom: int = 0
    you: int = 0
    me: int = 0


def _talk_features(transcript: Transcript, speakers: list[str]) -> dict[str, SpeakerTalk]:
    feats = {s: SpeakerTalk() for s in speakers}
    first_seen = False
    for utt in transcript.utterances:
        talk = feats.get(utt.speaker)
        text = utt.clean_text if utt.clean_text is not None else utt.text
        if talk is None:
            if len(text.split()) >= 3:
                first_seen = True
            continue
        talk.units += 1
        talk.questions += text.count("?") > 0
        if not first_seen and len(text.split()) >= 3:
            first_seen = True
            talk.opener += bool(_OPENER.search(text))
        talk.intro += bool(_INTRO.search(text))
        talk.exam += bool(_EXAM.search(text))
        talk.symptom += bool(_SYMPTOM.search(text))
        talk.you += len(_YOU.findall(text))
        talk.me += len(_ME.findall(text))
    return feats


def infer_clinician(transcript: Transcript, a: str, b: str) -> tuple[float, str]:
    """Probability that speaker ``a`` (not ``b``) is the clinician, and the evidence in words."""
    feats = _talk_features(transcript, [a, b])
    fa, fb = feats[a], feats[b]
    q_total = fa.questions + fb.questions
    margin = 0.0
    evidence = []
    if q_total:
        share = fa.questions / q_total
        # weight grows with the number of questions (few questions prove little)
        margin += 4.0 * (share - 0.5) * min(1.0, q_total / 10)
        evidence.append(f"{a} asks {share:.0%} of {q_total} questions")
    for name, f, sign in ((a, fa, 1), (b, fb, -1)):
        if f.opener:
            margin += sign * 1.5
            evidence.append(f"{name} opens with a clinician's question")
        if f.intro:
            margin += sign * 2.5
            evidence.append(f"{name} introduces themself as a clinician")
    exam = min(fa.exam, 6) - min(fb.exam, 6)
    if exam:
        margin += 0.35 * exam
        evidence.append(f"examination/history phrases {fa.exam} vs {fb.exam}")
    symptom = min(fa.symptom, 6) - min(fb.symptom, 6)
    if symptom:
        margin -= 0.3 * symptom
        evidence.append(f"first-person symptom talk {fa.symptom} vs {fb.symptom}")

    def you_share(f: SpeakerTalk) -> float:
        return f.you / (f.you + f.me) if f.you + f.me >= 5 else 0.5

    margin += 2.0 * (you_share(fa) - you_share(fb))
    if fa.units + fb.units < 4:
        margin *= 0.5
    probability = 1.0 / (1.0 + math.exp(-margin))
    return probability, "; ".join(evidence) if evidence else "no distinguishing talk"


# ------------------------------------------------------------------ resolution
@dataclass
class RoleDecision:
    role: str
    source: str  # explicit | column | label | complement | inferred
    confidence: float
    evidence: str

    def describe(self, speaker: str) -> str:
        return f"{speaker}={self.role} ({self.source}: {self.evidence})"


def _path_of(transcript: Transcript) -> str:
    return ";".join(str(p) for p in transcript.sources) or transcript.id


def _speakers_summary(transcript: Transcript, speakers: list[str]) -> str:
    counts: dict[str, int] = {}
    for utt in transcript.utterances:
        counts[utt.speaker] = counts.get(utt.speaker, 0) + 1
    return ", ".join(f"'{s}' ({counts.get(s, 0)} unit{'' if counts.get(s, 0) == 1 else 's'})"
                     for s in speakers)


def resolve_roles(transcript: Transcript, roles: RoleMap | Mapping[str, str] | str | None = None
                  ) -> dict[str, RoleDecision]:
    """Decide the role of every speaker of ``transcript`` (see the module docs); raise E201/E203."""
    role_map = roles if isinstance(roles, RoleMap) else RoleMap.build(roles)
    speakers = transcript.get_speakers()
    decisions: dict[str, RoleDecision] = {}
    ambiguous: list[str] = []
    unresolved: list[str] = []
    column_roles: dict[str, set] = {}
    for utt in transcript.utterances:
        if utt.role is not None:
            column_roles.setdefault(utt.speaker, set()).add(utt.role)
    for speaker in speakers:
        given = role_map.get(transcript.id, speaker) if role_map else None
        if given is not None:
            decisions[speaker] = RoleDecision(given, "explicit", 1.0, "set by the user")
            continue
        if len(column_roles.get(speaker, ())) == 1:
            decisions[speaker] = RoleDecision(next(iter(column_roles[speaker])), "column", 1.0,
                                              "role column")
            continue
        role = label_role(speaker)
        if role == "ambiguous":
            ambiguous.append(speaker)
        elif role is not None:
            decisions[speaker] = RoleDecision(role, "label", 1.0, f"label '{speaker}'")
        else:
            unresolved.append(speaker)
    for speaker in ambiguous:
        patients = [s for s, d in decisions.items() if d.role == "patient"]
        if patients:
            decisions[speaker] = RoleDecision(
                "clinician", "label", 1.0, f"'{speaker}' = physical therapist beside '{patients[0]}'")
        else:
            raise RoleError.make("E203", path=_path_of(transcript), label=speaker,
                                 reason=AMBIGUOUS[normalize_label(speaker)])
    if unresolved:
        _resolve_unlabelled(transcript, decisions, unresolved)
    if not any(d.role in ("clinician", "patient") for d in decisions.values()):
        # e.g. a faster-whisper file without diarization: every unit is 'unknown'
        raise RoleError.make(
            "E201", path=_path_of(transcript),
            speakers=_speakers_summary(transcript, speakers),
            evidence="No speaker is a clinician or a patient (a transcript without speaker labels, "
                     "such as undiarized Whisper output, has only 'unknown'): diarize it first. ",
            example=f"{speakers[0]}=clinician")
    return {s: decisions[s] for s in speakers}


def _resolve_unlabelled(transcript: Transcript, decisions: dict[str, RoleDecision],
                        unresolved: list[str]) -> None:
    known = {d.role for d in decisions.values()}
    path = _path_of(transcript)
    if len(unresolved) == 1 and ("clinician" in known) != ("patient" in known):
        other_role = "patient" if "clinician" in known else "clinician"
        anchor = next(s for s, d in decisions.items() if d.role in ("clinician", "patient"))
        decisions[unresolved[0]] = RoleDecision(other_role, "complement", 1.0,
                                                f"the other speaker beside '{anchor}'")
        return
    evidence = ""
    example_pair = unresolved[:2]
    if len(unresolved) == 2 and not known & {"clinician", "patient"}:
        a, b = unresolved
        p, why = infer_clinician(transcript, a, b)
        clinician, patient = (a, b) if p >= 0.5 else (b, a)
        confidence = max(p, 1 - p)
        if confidence >= MIN_CONFIDENCE:
            decisions[clinician] = RoleDecision("clinician", "inferred", round(confidence, 3), why)
            decisions[patient] = RoleDecision("patient", "inferred", round(confidence, 3),
                                              f"the other speaker beside '{clinician}'")
            return
        evidence = (f"Inference from the talk is not confident enough ({why}; confidence "
                    f"{confidence:.2f} < {MIN_CONFIDENCE}). ")
        example_pair = [clinician, patient]
    elif len(unresolved) > 2:
        evidence = "More than two speakers have no role. "
    elif len(unresolved) == 1:
        evidence = "Only one speaker and no label says its role. "
    example = ",".join(f"{s}={r}" for s, r in zip(example_pair, ("clinician", "patient")))
    raise RoleError.make("E201", path=path,
                         speakers=_speakers_summary(transcript, transcript.get_speakers()),
                         evidence=evidence, example=example)


def apply_roles(transcript: Transcript, roles: RoleMap | Mapping[str, str] | str | None = None
                ) -> Transcript:
    """Set ``utt.role`` for every unit without one, and record the evidence in the metadata."""
    decisions = resolve_roles(transcript, roles)
    for utt in transcript.utterances:
        decision = decisions[utt.speaker]
        if utt.role is None or decision.source == "explicit":
            utt.role = decision.role
    transcript.metadata["role_evidence"] = "; ".join(d.describe(s) for s, d in decisions.items())
    transcript.metadata["role_confidence"] = min((d.confidence for d in decisions.values()),
                                                 default=float("nan"))
    return transcript
