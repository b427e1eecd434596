"""The annotated corpus: authored PT transcripts, PriMock57 labels, and train/dev/test splits.

``data/annotated/`` holds

- ``pt/<transcript_id>.txt``: physical-therapy transcripts written and labelled by the team, in the
  authoring format of ``data/annotated/pt/FORMAT.md`` (a ``# key: value`` header, then one unit a
  line, clinician lines ending in ``|| code, code``);
- ``primock57/*.csv``: labels for non-held-out PriMock57 consultations (``transcript_id,
  utterance_id, coder`` and one 0/1 column per code, clinician units only). The text is not
  committed: it is joined from ``../shared/data/primock57/utterances.csv`` at run time;
- ``splits.csv``: ``transcript_id, split`` (train | dev | test), written once by
  ``scripts/make_splits.py`` with :func:`assign_splits` and kept stable as transcripts are added.

:func:`read_annotated` reads one file, :func:`load_corpus` every annotated unit in one frame with
the columns of :data:`CORPUS_COLUMNS`, and :func:`load_splits` the frame cut into splits grouped by
transcript. Patient units are kept for context with role ``patient`` and NaN codes; a clinician
unit with NaN codes is context only (it was not labelled).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ta_nlp.codes import CODES
from ta_nlp.errors import AnnotationError
from ta_nlp.markup import clean
from ta_nlp.model import UTTERANCE_COLUMNS

#: Columns of :func:`load_corpus` and of every split of :func:`load_splits`, in order.
CORPUS_COLUMNS: tuple[str, ...] = ("source",) + UTTERANCE_COLUMNS + CODES
#: Columns of :func:`read_annotated`, in order (``coder``: the author of a .txt file, the
#: ``coder`` column of a labels file, NaN when unknown).
ANNOTATED_COLUMNS: tuple[str, ...] = UTTERANCE_COLUMNS + CODES + ("coder",)
#: Columns of ``splits.csv``, in order.
SPLITS_COLUMNS: tuple[str, ...] = ("transcript_id", "split")
SPLITS: tuple[str, ...] = ("train", "dev", "test")
#: Default fractions of transcripts per split (train, dev, test), within each source.
SPLIT_FRACTIONS: tuple[float, float, float] = (0.70, 0.15, 0.15)
SOURCES: tuple[str, ...] = ("pt", "primock57")

#: Header keys every authored ``.txt`` transcript must declare (FORMAT.md).
REQUIRED_HEADER: tuple[str, ...] = (
    "transcript_id", "region", "presentation", "setting", "clinician_style",
    "patient_temperament", "clinician", "patient", "author",
)
SETTINGS: tuple[str, ...] = ("in-person", "telehealth")

_HEADER_RE = re.compile(r"^#\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# Transcription markup (codebook: "not speech"). ``clean_text`` drops it; ``model_text`` keeps the
# events a coder may use (laughter is evidence for humour) as one canonical bracketed word each.
_MARKUP = [
    (re.compile(r"\[(?:laughs?|laughter|laughing|chuckles?)\]|\((?:laughs?|laughter|laughing)\)"
                r"|<LAUGH(?:TER)?/?>", re.IGNORECASE), "[laughs]"),
    (re.compile(r"\[(?:inaudible|unintelligible|unclear)[^\]]*\]|<UNIN/>|<INAUDIBLE_SPEECH/>"
                r"|\((?:inaudible|unintelligible)\)", re.IGNORECASE), "[inaudible]"),
    (re.compile(r"\(crosstalk\)|\[crosstalk\]|\[overlapping\]|\(overlapping\)", re.IGNORECASE), "[crosstalk]"),
    (re.compile(r"\[(?:pause|long pause|silence)[^\]]*\]|\((?:pause|long pause)\)", re.IGNORECASE), "[pause]"),
]
_UNSURE = re.compile(r"</?UNSURE>", re.IGNORECASE)
_OTHER_TAG = re.compile(r"<[^<>]{1,40}/>")
_SPACES = re.compile(r"\s+")
_SPACE_PUNCT = re.compile(r"\s+([,.;:!?])")


def model_text(text: object) -> str:
    """Text as the classifier reads it: markup normalised to ``[laughs]``, ``[inaudible]``,
    ``[crosstalk]``, ``[pause]``; ``<UNSURE>`` tags dropped (their words kept); spaces collapsed."""
    if not isinstance(text, str):
        return ""
    out = _UNSURE.sub("", text)
    for pattern, token in _MARKUP:
        out = pattern.sub(f" {token} ", out)
    out = _OTHER_TAG.sub(" ", out)
    return _SPACE_PUNCT.sub(r"\1", _SPACES.sub(" ", out)).strip()


def clean_text(text: object) -> str:
    """Speech only, as the segmenter writes ``clean_text`` (:func:`ta_nlp.markup.clean`)."""
    if not isinstance(text, str):
        return ""
    return clean(text)[0]


# --------------------------------------------------------------------------- reading one file

def _bad(path: Path, line: int, message: str) -> AnnotationError:
    return AnnotationError.make("E401", path=path, line=line, message=message)


def _parse_codes(raw: str, path: Path, line: int) -> list[str]:
    codes: list[str] = []
    for item in raw.split(","):
        code = item.strip()
        if not code:
            continue
        if code not in CODES:
            close = difflib.get_close_matches(code.lower().replace(" ", "_"), CODES, n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            raise _bad(path, line, f"unknown code '{code}' after '||'; expected codes from "
                                   f"{', '.join(CODES)}. {hint}Fix the code name.")
        if code not in codes:
            codes.append(code)
    return codes


def _read_txt(path: Path) -> pd.DataFrame:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationError.make("E005", path=path, reason=str(exc)) from None
    header: dict[str, str] = {}
    rows: list[dict] = []
    labels: dict[str, str] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if rows:
                continue  # a comment between units
            match = _HEADER_RE.match(stripped)
            if not match:
                raise _bad(path, number, f"expected a header line '# key: value', found "
                                         f"{stripped[:60]!r}. Write it as e.g. '# region: knee'.")
            key, value = match.group(1).lower(), match.group(2)
            if key in header:
                raise _bad(path, number, f"header key '{key}' is declared twice. Keep one.")
            header[key] = value
            continue
        if not rows:
            missing = [k for k in REQUIRED_HEADER if not header.get(k)]
            if missing:
                raise _bad(path, number, f"the header lacks required key(s) {', '.join(missing)} "
                                         "before the first unit. Add '# key: value' lines "
                                         "(see data/annotated/pt/FORMAT.md).")
            tid = header["transcript_id"]
            if not _ID_RE.match(tid) or tid != path.stem:
                raise _bad(path, 1, f"transcript_id '{tid}' must match the file name "
                                    f"'{path.stem}' (letters, digits, _ . -). Rename one of them.")
            if header["setting"] not in SETTINGS:
                raise _bad(path, 1, f"setting must be one of {', '.join(SETTINGS)}, found "
                                    f"{header['setting']!r}.")
            labels = {"clinician": header["clinician"], "patient": header["patient"]}
            if labels["clinician"] == labels["patient"]:
                raise _bad(path, 1, "the clinician and patient labels are the same "
                                    f"('{labels['clinician']}'). Use two different labels.")
        role = None
        # Longest label first, so that 'PT' does not shadow 'PT2' or similar.
        for candidate in sorted(labels, key=lambda r: -len(labels[r])):
            if stripped.startswith(labels[candidate] + ":"):
                role = candidate
                break
        if role is None:
            found = stripped.split(":", 1)[0][:30] if ":" in stripped else stripped[:30]
            raise _bad(path, number, f"expected a unit starting with '{labels['clinician']}:' or "
                                     f"'{labels['patient']}:', found {found!r}. Use one of the "
                                     "speaker labels declared in the header.")
        body = stripped[len(labels[role]) + 1:].strip()
        codes: list[str] = []
        if role == "clinician":
            if "||" not in body:
                raise _bad(path, number, "clinician unit has no '||' code list. End the line with "
                                         "'|| code, code' (or a bare '||' for no code).")
            body, _, code_part = body.rpartition("||")
            body = body.strip()
            codes = _parse_codes(code_part, path, number)
        elif "||" in body:
            raise _bad(path, number, "patient unit has a '||' code list; only clinician units are "
                                     "coded. Remove it.")
        if not body:
            raise _bad(path, number, "unit has no text after the speaker label. Write the words "
                                     "or delete the line.")
        row = {"speaker": labels[role], "role": role, "text": body, "line": number}
        for code in CODES:
            row[code] = (1.0 if code in codes else 0.0) if role == "clinician" else np.nan
        rows.append(row)
    if not rows:
        raise AnnotationError.make("E004", path=path)
    frame = pd.DataFrame(rows)
    tid = header["transcript_id"]
    frame.insert(0, "transcript_id", tid)
    frame.insert(1, "utterance_id", [f"{tid}-{i:04d}" for i in range(len(frame))])
    frame["start"] = np.nan
    frame["end"] = np.nan
    frame["clean_text"] = frame["text"].map(clean_text)
    frame["coder"] = header["author"]
    frame.attrs["header"] = dict(header)
    frame.attrs["kind"] = "txt"
    return frame[list(ANNOTATED_COLUMNS)]


def _check_codes(frame: pd.DataFrame, path: Path, allow_nan: pd.Series | None = None) -> None:
    for code in CODES:
        values = pd.to_numeric(frame[code], errors="coerce")
        ok = values.isin([0, 1])
        if allow_nan is not None:
            ok |= allow_nan & frame[code].isna()
        if not ok.all():
            row = int(np.flatnonzero(~ok.to_numpy())[0])
            raise _bad(path, row + 2, f"column {code} must be 0 or 1, found "
                                      f"{frame[code].iloc[row]!r}. Fix the value (1 = present).")
        frame[code] = values.astype("float64")


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    dtype = {"transcript_id": str, "utterance_id": str, "speaker": str, "coder": str}
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype=dtype,
                                keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise _bad(path, 1, f"cannot read the table ({exc}). Save it as UTF-8 CSV.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ("transcript_id", "utterance_id") + CODES if c not in frame.columns]
    if missing:
        raise AnnotationError.make(
            "E104", path=path, missing=", ".join(missing), found=", ".join(frame.columns),
            fix="A labels file needs transcript_id, utterance_id and one 0/1 column per code "
                "(an annotated table also has speaker/role and text).")
    for key in ("transcript_id", "utterance_id"):
        if frame[key].isna().any():
            row = int(np.flatnonzero(frame[key].isna().to_numpy())[0])
            raise _bad(path, row + 2, f"{key} is empty. Every row needs one.")
    frame = frame.copy()
    if "text" in frame.columns:  # an annotated table: utterance columns + codes
        if "role" not in frame.columns:
            raise AnnotationError.make(
                "E104", path=path, missing="role", found=", ".join(frame.columns),
                fix="An annotated table needs a role column (clinician | patient | other).")
        bad_role = ~frame["role"].isin(["clinician", "patient", "other"])
        if bad_role.any():
            row = int(np.flatnonzero(bad_role.to_numpy())[0])
            raise _bad(path, row + 2, f"role must be clinician, patient or other, found "
                                      f"{frame['role'].iloc[row]!r}.")
        _check_codes(frame, path, allow_nan=frame["role"] != "clinician")
        frame.loc[frame["role"] != "clinician", list(CODES)] = np.nan
        kind = "table"
    else:  # a labels file: clinician units only
        _check_codes(frame, path)
        frame["role"] = "clinician"
        kind = "labels"
    for column in ANNOTATED_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.Series(np.nan, index=frame.index,
                                      dtype="float64" if column in ("start", "end") else object)
    if kind == "table":
        missing_clean = frame["clean_text"].isna()
        frame.loc[missing_clean, "clean_text"] = frame.loc[missing_clean, "text"].map(clean_text)
    keys = ["transcript_id", "utterance_id", "coder"]
    dups = frame.duplicated(keys)
    if dups.any():
        row = int(np.flatnonzero(dups.to_numpy())[0])
        raise _bad(path, row + 2, f"utterance {frame['utterance_id'].iloc[row]} is labelled twice "
                                  "by the same coder. Keep one row.")
    out = frame[list(ANNOTATED_COLUMNS)].reset_index(drop=True)
    out["start"] = pd.to_numeric(out["start"], errors="coerce").astype("float64")
    out["end"] = pd.to_numeric(out["end"], errors="coerce").astype("float64")
    out.attrs["kind"] = kind
    return out


def read_annotated(path: str | Path) -> pd.DataFrame:
    """Read one annotated file into a frame with the columns of :data:`ANNOTATED_COLUMNS`.

    ``path`` is an authored transcript (``.txt``, FORMAT.md), an annotated table (``.csv``,
    ``.tsv`` or ``.parquet`` with utterance columns, ``role`` and the ten code columns) or a labels
    file (``transcript_id, utterance_id`` [``coder``] and the ten code columns, clinician units
    only; text and speaker are NaN, role is ``clinician``). Codes are 0.0/1.0 on clinician units
    and NaN on patient units. ``frame.attrs["kind"]`` says which of ``txt``, ``table``, ``labels``
    was read. Raises :class:`~ta_nlp.errors.AnnotationError` (E401 with file:line) on bad input.
    """
    path = Path(path)
    if not path.is_file():
        raise AnnotationError.make("E001", path=path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return _read_txt(path)
    if suffix in (".csv", ".tsv", ".parquet"):
        return _read_table(path)
    raise _bad(path, 1, f"unsupported annotated file type '{suffix}'. Use an authored .txt "
                        "transcript, or a .csv/.tsv/.parquet annotated table or labels file.")


# --------------------------------------------------------------------------- the whole corpus

def default_primock_dir(data_dir: str | Path = "data/annotated") -> Path:
    """Where the PriMock57 text is read from: ``$TA_NLP_PRIMOCK57``, else
    ``<project>/../shared/data/primock57`` where ``<project>`` holds ``data/annotated``."""
    env = os.environ.get("TA_NLP_PRIMOCK57")
    if env:
        return Path(env)
    project = Path(data_dir).resolve().parents[1]
    return project.parent / "shared" / "data" / "primock57"


def read_held_out(primock_dir: str | Path) -> set[str]:
    """The PriMock57 consultations that are a test set (``HELD_OUT.txt``); empty if absent."""
    path = Path(primock_dir) / "HELD_OUT.txt"
    if not path.is_file():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def _primary_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """One label row per unit. Where a unit was coded by several coders (the double-coded
    agreement sample), keep the coder who labelled most units of that transcript (ties: the coder
    name first in alphabetical order), so that each transcript is labelled by one hand."""
    if not labels.duplicated(["transcript_id", "utterance_id"]).any():
        return labels
    coder = labels["coder"].fillna("")
    counts = labels.assign(coder=coder).groupby(["transcript_id", "coder"]).size()
    primary = (counts.reset_index(name="n").sort_values(["transcript_id", "n", "coder"],
                                                          ascending=[True, False, True])
               .drop_duplicates("transcript_id").set_index("transcript_id")["coder"])
    keep = coder.to_numpy() == labels["transcript_id"].map(primary).to_numpy()
    kept = labels[keep]
    rest = labels[~keep & ~labels.set_index(["transcript_id", "utterance_id"]).index.isin(
        kept.set_index(["transcript_id", "utterance_id"]).index)]
    return pd.concat([kept, rest.drop_duplicates(["transcript_id", "utterance_id"])])


def _load_primock(label_files: Sequence[Path], primock_dir: Path) -> pd.DataFrame:
    labels = pd.concat([read_annotated(p).assign(_file=str(p)) for p in label_files],
                       ignore_index=True)
    held_out = read_held_out(primock_dir)
    leaked = sorted(set(labels["transcript_id"]) & held_out)
    if leaked:
        first = labels[labels["transcript_id"] == leaked[0]]["_file"].iloc[0]
        raise AnnotationError.make(
            "E411", path=first, transcripts=", ".join(leaked),
            fix="Held-out consultations (HELD_OUT.txt) are a test set and are never labelled: "
                "delete these rows.")
    labels = _primary_labels(labels)
    utterances = pd.read_csv(primock_dir / "utterances.csv",
                             dtype={"transcript_id": str, "utterance_id": str, "speaker": str})
    utterances = utterances[utterances["transcript_id"].isin(set(labels["transcript_id"]))]
    unknown = ~labels["utterance_id"].isin(set(utterances["utterance_id"]))
    if unknown.any():
        bad = labels[unknown].iloc[0]
        raise AnnotationError.make(
            "E412", path=bad["_file"], utterance=bad["utterance_id"],
            fix="Check the utterance_id against ../shared/data/primock57/utterances.csv.")
    frame = utterances.copy()
    frame["role"] = frame["speaker"].map({"doctor": "clinician", "patient": "patient"}).fillna("other")
    frame["clean_text"] = frame["text"].map(clean_text)
    merged = frame.merge(labels[["utterance_id", *CODES]], on="utterance_id", how="left")
    not_clinician = merged["role"] != "clinician"
    if (not_clinician & merged[list(CODES)].notna().any(axis=1)).any():
        bad = merged[not_clinician & merged[list(CODES)].notna().any(axis=1)].iloc[0]
        raise AnnotationError.make(
            "E412", path=label_files[0], utterance=bad["utterance_id"],
            fix="Only clinician (doctor) units are labelled; remove the patient unit's row.")
    merged["source"] = "primock57"
    return merged


def load_corpus(data_dir: str | Path = "data/annotated",
                primock_dir: str | Path | None = None) -> pd.DataFrame:
    """Every annotated unit in one frame with the columns of :data:`CORPUS_COLUMNS`.

    Reads ``<data_dir>/pt/*.txt`` (source ``pt``) and ``<data_dir>/primock57/*.csv`` labels
    (source ``primock57``), whose text and patient units are joined from ``utterances.csv`` in
    ``primock_dir`` (default :func:`default_primock_dir`); when that folder is absent the PriMock57
    rows are skipped with a warning. Rows keep document order within each transcript. Labels for
    held-out consultations raise E411.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise AnnotationError.make("E001", path=data_dir)
    frames: list[pd.DataFrame] = []
    for path in sorted((data_dir / "pt").glob("*.txt")):
        frames.append(read_annotated(path).assign(source="pt"))
    label_files = sorted(p for p in (data_dir / "primock57").glob("*.csv") if p.is_file())
    if label_files:
        primock_dir = Path(primock_dir) if primock_dir is not None else default_primock_dir(data_dir)
        if (primock_dir / "utterances.csv").is_file():
            frames.append(_load_primock(label_files, primock_dir))
        else:
            warnings.warn(f"{primock_dir} is absent: skipping the PriMock57 labels in "
                          f"{data_dir / 'primock57'} (their text is not committed).", stacklevel=2)
    if not frames:
        raise AnnotationError.make("E004", path=data_dir)
    corpus = pd.concat(frames, ignore_index=True)
    dup = corpus.duplicated(["transcript_id", "utterance_id"])
    if dup.any():
        row = corpus[dup].iloc[0]
        raise AnnotationError.make(
            "E413", path=data_dir, transcript=row["transcript_id"],
            fix="Two files define the same transcript_id; rename one of them.")
    corpus = corpus[list(CORPUS_COLUMNS)].reset_index(drop=True)
    for column in ("start", "end", *CODES):
        corpus[column] = pd.to_numeric(corpus[column], errors="coerce").astype("float64")
    return corpus


def labelled_mask(frame: pd.DataFrame) -> pd.Series:
    """True for the clinician units that carry labels (all ten codes known)."""
    return (frame["role"] == "clinician") & frame[list(CODES)].notna().all(axis=1)


# --------------------------------------------------------------------------- splits

def _order_key(seed: int, transcript_id: str) -> str:
    return hashlib.sha256(f"{seed}:{transcript_id}".encode()).hexdigest()


def assign_splits(transcripts: pd.DataFrame, existing: pd.DataFrame | None = None, seed: int = 0,
                  fractions: Sequence[float] = SPLIT_FRACTIONS) -> pd.DataFrame:
    """Assign transcripts to train/dev/test, stratified by source, keeping existing assignments.

    ``transcripts`` has columns ``transcript_id, source``; ``existing`` is a previous
    ``splits.csv`` frame (its rows are kept as they are, including transcripts no longer present).
    New transcripts are taken in a seeded pseudo-random order (SHA-256 of ``seed:transcript_id``)
    and each goes to the split of its source that is furthest below its target fraction, so the
    result is deterministic and stays near ``fractions`` as transcripts are added in batches.
    Returns a frame with :data:`SPLITS_COLUMNS`, sorted by transcript_id.
    """
    if len(fractions) != 3 or abs(sum(fractions) - 1) > 1e-6 or min(fractions) < 0:
        raise AnnotationError.make("E414", found=list(fractions))
    existing = (existing if existing is not None
                else pd.DataFrame(columns=list(SPLITS_COLUMNS)))[list(SPLITS_COLUMNS)]
    known = dict(zip(existing["transcript_id"].astype(str), existing["split"]))
    rows = dict(known)
    sources = transcripts.drop_duplicates("transcript_id")
    for _, group in sources.groupby("source", sort=True):
        ids = group["transcript_id"].astype(str)
        counts = {s: sum(1 for t in ids if known.get(t) == s) for s in SPLITS}
        new = sorted((t for t in ids if t not in known), key=lambda t: _order_key(seed, t))
        for tid in new:
            total = sum(counts.values()) + 1
            deficits = [fractions[i] * total - counts[s] for i, s in enumerate(SPLITS)]
            split = SPLITS[int(np.argmax(deficits))]  # ties: the first (train, dev, test)
            counts[split] += 1
            rows[tid] = split
    out = pd.DataFrame(sorted(rows.items()), columns=list(SPLITS_COLUMNS))
    return out


def read_splits(path: str | Path) -> pd.DataFrame:
    """Read and check a ``splits.csv`` (``transcript_id, split``)."""
    path = Path(path)
    if not path.is_file():
        raise AnnotationError.make(
            "E415", path=path, fix="Create it with `python scripts/make_splits.py`.")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in SPLITS_COLUMNS if c not in frame.columns]
    if missing:
        raise AnnotationError.make("E104", path=path, missing=", ".join(missing),
                                   found=", ".join(frame.columns),
                                   fix="splits.csv needs the columns transcript_id, split.")
    bad = ~frame["split"].isin(SPLITS)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise _bad(path, row + 2, f"split must be one of {', '.join(SPLITS)}, found "
                                  f"{frame['split'].iloc[row]!r}.")
    dup = frame.duplicated("transcript_id")
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise _bad(path, row + 2, f"transcript {frame['transcript_id'].iloc[row]} is listed twice; "
                                  "a transcript belongs to one split.")
    return frame[list(SPLITS_COLUMNS)]


def load_splits(data_dir: str | Path = "data/annotated", splits_file: str | Path | None = None,
                corpus: pd.DataFrame | None = None,
                primock_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The corpus cut into ``{"train", "dev", "test"}`` frames, grouped by transcript.

    Assignments come from ``splits_file`` (default ``<data_dir>/splits.csv``), so splits are
    deterministic and no transcript is in two splits. ``corpus`` is a frame from
    :func:`load_corpus` (loaded from ``data_dir`` when None). A transcript of the corpus that has no
    assignment raises E416 (run ``scripts/make_splits.py``). Each frame has :data:`CORPUS_COLUMNS`
    and keeps the corpus's row order (patient and unlabelled units included, for context).
    """
    data_dir = Path(data_dir)
    if corpus is None:
        corpus = load_corpus(data_dir, primock_dir=primock_dir)
    splits_path = Path(splits_file) if splits_file is not None else data_dir / "splits.csv"
    splits = read_splits(splits_path)
    mapping = dict(zip(splits["transcript_id"], splits["split"]))
    assigned = corpus["transcript_id"].map(mapping)
    if assigned.isna().any():
        missing = sorted(set(corpus.loc[assigned.isna(), "transcript_id"]))
        raise AnnotationError.make(
            "E416", path=splits_path, transcripts=", ".join(missing[:5]) +
            (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
            fix="Run `python scripts/make_splits.py` to assign them (existing assignments stay).")
    return {name: corpus[assigned == name].reset_index(drop=True) for name in SPLITS}


def iter_transcripts(frame: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    """(transcript_id, rows) in order of first appearance."""
    order = pd.unique(frame["transcript_id"])
    groups = dict(tuple(frame.groupby("transcript_id", sort=False)))
    for tid in order:
        yield tid, groups[tid]
