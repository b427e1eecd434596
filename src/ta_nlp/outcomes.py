"""Outcomes tables: read, validate and score alliance and outcome measures; link them to encounters.

An outcomes table has one row per participant and time point (**long**), or one row per participant
with ``<measure>_<timepoint>`` columns (**wide**), or ``participant_id, timepoint, measure, value``
rows (**tidy**), as CSV, TSV or Parquet. Columns:

- ``participant_id`` (required); ``transcript_id``: the coded encounter of the participant (the
  file stem of the transcript, as ``ta-nlp code`` names it; one per participant, it may be given on
  one row only); ``timepoint``: one of the study's time points, by default
  :data:`DEFAULT_TIMEPOINTS` (``pre_eval``, ``post_eval``, ``follow_up``), configurable.
- Measures, with their declared range and direction (:data:`MEASURES`):

  ============  ========  ==========  ==========================================================
  column        range     better      what
  ============  ========  ==========  ==========================================================
  wai_total     12..60    higher      Working Alliance Inventory, short revised (WAI-SR) total
  wai_goal      4..20     higher      WAI-SR goal subscale (items 4, 6, 8, 11)
  wai_task      4..20     higher      WAI-SR task subscale (items 1, 2, 10, 12)
  wai_bond      4..20     higher      WAI-SR bond subscale (items 3, 5, 7, 9)
  nprs          0..10     lower       Numeric Pain Rating Scale, pain intensity
  psfs          0..10     higher      Patient-Specific Functional Scale (mean activity score)
  ============  ========  ==========  ==========================================================

  Any other measure can be declared with its range and direction (``Measure`` or the text form
  ``"odi=0:100:lower"``, the CLI's ``--measure``).
- WAI-SR items ``wai_1`` ... ``wai_12`` (each 1..5, 1 = seldom, 5 = always) are scored by the
  toolkit: total = sum of the 12 items (12..60), subscales = sums of 4 items (4..20), using the
  item key of Hatcher & Gillaspy (2006), "Development and validation of a revised short version
  of the Working Alliance Inventory", Psychotherapy Research 16(1):12-25,
  doi:10.1080/10503300500352500: goal = items 4, 6, 8, 11; task = items 1, 2, 10, 12;
  bond = items 3, 5, 7, 9. The WAI-SR has no reverse-keyed items. A score is left missing when
  any of its items is missing (no prorating). When both items and ``wai_total`` are given they
  must agree.
- Any other column (age, sex, ...) is kept as a covariate, unvalidated.

Bad input raises :class:`ta_nlp.errors.StatsError` naming the file and row: a value out of range
(E502), a duplicate participant x time point (E503), an unknown time point (E504), a non-number
(E508), WAI-SR total not matching its items (E509), several transcript ids for one participant
(E510). Row numbers are CSV line numbers (the header is line 1); for Parquet files and DataFrames
they are 1-based row positions.

:func:`link_outcomes` joins outcomes to coded encounters and **reports** what does not link
(participants with no coded encounter, encounters with no participant) in a table, never dropping
anything silently; ``strict=True`` makes those errors (E506, E507).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ta_nlp.errors import StatsError, TaNlpError

#: The study's three time points, in order.
DEFAULT_TIMEPOINTS: tuple[str, ...] = ("pre_eval", "post_eval", "follow_up")
#: Identifier columns of the long outcomes table, in order.
ID_COLUMNS: tuple[str, ...] = ("participant_id", "transcript_id", "timepoint")
#: Columns of the linkage report, in order.
LINKAGE_COLUMNS: tuple[str, ...] = ("issue", "participant_id", "transcript_id", "detail")
#: Issues the linkage report can list.
LINKAGE_ISSUES: tuple[str, ...] = ("missing_transcript_id", "no_coded_encounter", "no_outcomes",
                                   "shared_transcript")

WAI_SR_ITEMS: tuple[str, ...] = tuple(f"wai_{i}" for i in range(1, 13))
#: WAI-SR item key (Hatcher & Gillaspy 2006): subscale -> item numbers.
WAI_SR_SUBSCALES: dict[str, tuple[int, ...]] = {
    "wai_goal": (4, 6, 8, 11),
    "wai_task": (1, 2, 10, 12),
    "wai_bond": (3, 5, 7, 9),
}
WAI_SR_ITEM_RANGE: tuple[int, int] = (1, 5)


@dataclass(frozen=True)
class Measure:
    """A measure with its valid range and which direction is better (``higher`` or ``lower``)."""

    name: str
    low: float
    high: float
    better: str = "higher"
    label: str = ""
    kind: str = "outcome"  # "alliance" or "outcome"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name) or not self.low < self.high or \
                self.better not in ("higher", "lower") or self.kind not in ("alliance", "outcome"):
            raise StatsError.make("E511", found=f"{self.name}={self.low}:{self.high}:{self.better}")


#: Built-in measures (see the module documentation).
MEASURES: dict[str, Measure] = {
    m.name: m for m in (
        Measure("wai_total", 12, 60, "higher", "WAI-SR total", "alliance"),
        Measure("wai_goal", 4, 20, "higher", "WAI-SR goal", "alliance"),
        Measure("wai_task", 4, 20, "higher", "WAI-SR task", "alliance"),
        Measure("wai_bond", 4, 20, "higher", "WAI-SR bond", "alliance"),
        Measure("nprs", 0, 10, "lower", "NPRS pain intensity (0-10)", "outcome"),
        Measure("psfs", 0, 10, "higher", "PSFS function (0-10)", "outcome"),
    )
}


def parse_measure(spec: str) -> Measure:
    """A :class:`Measure` from ``NAME=LOW:HIGH[:higher|lower][:alliance|outcome]``."""
    match = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([-+0-9.eE]+)\s*:\s*([-+0-9.eE]+)"
                         r"\s*(?::\s*(higher|lower))?\s*(?::\s*(alliance|outcome))?\s*", spec or "")
    if not match:
        raise StatsError.make("E511", found=spec)
    name, low, high, better, kind = match.groups()
    try:
        low_f, high_f = float(low), float(high)
    except ValueError:
        raise StatsError.make("E511", found=spec) from None
    try:
        return Measure(name.lower(), low_f, high_f, better or "higher", name, kind or "outcome")
    except StatsError:
        raise StatsError.make("E511", found=spec) from None


@dataclass
class OutcomesTable:
    """A validated, scored outcomes table in long form.

    ``data`` has :data:`ID_COLUMNS`, then the measure columns (built-in order, then declared), then
    WAI-SR items if given, then covariates. ``measures`` maps each measure column present to its
    :class:`Measure`; ``timepoints`` is the study's time-point order.
    """

    data: pd.DataFrame
    measures: dict[str, Measure]
    timepoints: tuple[str, ...]
    covariates: list[str] = field(default_factory=list)
    source: str = "<DataFrame>"
    layout: str = "long"

    @property
    def alliance_measures(self) -> list[str]:
        return [m for m, spec in self.measures.items() if spec.kind == "alliance"]

    @property
    def outcome_measures(self) -> list[str]:
        return [m for m, spec in self.measures.items() if spec.kind == "outcome"]

    @property
    def participants(self) -> list[str]:
        return list(dict.fromkeys(self.data["participant_id"]))


# --------------------------------------------------------------------------- reading

def _normalise_name(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip()).lower()


def _load(source: Any) -> tuple[pd.DataFrame, str, int]:
    """(frame, label for messages, offset from index to the row number reported)."""
    if isinstance(source, pd.DataFrame):
        return source.copy(), "<DataFrame>", 1
    path = Path(source)
    if not path.exists():
        raise TaNlpError.make("E001", path=path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path), str(path), 1
        if suffix in (".csv", ".tsv", ".txt"):
            sep = "\t" if suffix == ".tsv" else ","
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                                encoding="utf-8-sig")
            frame = frame.replace({"": np.nan, "NA": np.nan, "NaN": np.nan, "nan": np.nan})
            return frame, str(path), 2
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        raise StatsError.make("E501", path=path, message=f"cannot read the outcomes table "
                              f"({exc}). Save it as UTF-8 CSV or Parquet.") from None
    raise StatsError.make("E501", path=path, message=f"unknown outcomes file type '{suffix}': "
                          "expected .csv, .tsv or .parquet.")


def _as_measures(measures: Iterable[Measure | str] | Mapping[str, Any] | None) -> dict[str, Measure]:
    table = dict(MEASURES)
    if measures is None:
        return table
    items = measures.values() if isinstance(measures, Mapping) else measures
    for item in items:
        spec = parse_measure(item) if isinstance(item, str) else item
        if not isinstance(spec, Measure):
            raise StatsError.make("E511", found=str(item))
        table[spec.name] = spec
    return table


def _wide_to_long(frame: pd.DataFrame, label: str, timepoints: Sequence[str],
                  known: set[str]) -> pd.DataFrame:
    """Melt ``<name>_<timepoint>`` columns; other columns are per participant."""
    by_suffix: dict[str, dict[str, str]] = {tp: {} for tp in timepoints}
    per_participant: list[str] = []
    for column in frame.columns:
        matched = False
        for tp in sorted(timepoints, key=len, reverse=True):
            if column.endswith("_" + tp) and len(column) > len(tp) + 1:
                by_suffix[tp][column[: -len(tp) - 1]] = column
                matched = True
                break
        if matched:
            continue
        base = None
        for name in known:
            if column.startswith(name + "_") and column != name:
                base = name
                break
        if base is not None and column not in known:
            raise StatsError.make("E504", path=label, found=f"'{column[len(base) + 1:]}' "
                                  f"(column {column})", expected=", ".join(timepoints))
        if column in known:
            raise StatsError.make("E501", path=label, message=(
                f"column '{column}' has no time point in a wide table (no 'timepoint' column); "
                f"name it {column}_<timepoint>, e.g. {column}_{timepoints[0]}, or use one row per "
                "participant and time point with a 'timepoint' column."))
        per_participant.append(column)
    if not any(by_suffix.values()):
        raise StatsError.make("E501", path=label, message=(
            "found no 'timepoint' column and no <measure>_<timepoint> columns; expected a long "
            "table (participant_id, transcript_id, timepoint, measures...) or a wide one with "
            f"columns such as nprs_{timepoints[0]}."))
    parts = []
    for tp in timepoints:
        columns = by_suffix[tp]
        if not columns:
            continue
        part = frame[per_participant + list(columns.values())].rename(
            columns={v: k for k, v in columns.items()})
        part.insert(0, "timepoint", tp)
        part["_row"] = frame["_row"]
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    values = [c for c in long.columns if c not in per_participant and c not in ("timepoint",
                                                                               "_row")]
    return long[long[values].notna().any(axis=1)] if values else long


def _tidy_to_long(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    keys = ["participant_id", "timepoint", "measure"]
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        first = frame[dup].head(3)
        dups = "; ".join(f"({r.participant_id}, {r.timepoint}, {r.measure}) at row {r._row}"
                         for r in first.itertuples())
        raise StatsError.make("E503", path=label, dups=dups)
    frame = frame.assign(measure=frame["measure"].map(_normalise_name))
    wide = frame.pivot(index=["participant_id", "timepoint"], columns="measure", values="value")
    rows = frame.groupby(["participant_id", "timepoint"], sort=False)["_row"].min()
    wide = wide.reindex(rows.index)
    wide.columns.name = None
    extra = [c for c in frame.columns if c not in (*keys, "value", "_row")]
    result = wide.reset_index()
    if extra:
        firsts = frame.groupby(["participant_id", "timepoint"], sort=False)[extra].first()
        result = result.merge(firsts.reset_index(), on=["participant_id", "timepoint"], how="left")
    result["_row"] = rows.to_numpy()
    return result


def _numeric(frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        i = bad.idxmax()
        raise StatsError.make("E508", path=label, row=int(frame.at[i, "_row"]), column=column,
                              value=raw[i])
    return values.astype(float)


def _check_range(frame: pd.DataFrame, column: str, low: float, high: float, label: str,
                 fix: str) -> None:
    values = frame[column]
    bad = values.notna() & ((values < low) | (values > high))
    if bad.any():
        i = bad.idxmax()
        more = int(bad.sum()) - 1
        extra = f" ({more} more value(s) of {column} are out of range.)" if more else ""
        value = values[i]
        shown = int(value) if float(value).is_integer() else value
        raise StatsError.make("E502", path=label, row=int(frame.at[i, "_row"]), column=column,
                              value=shown, low=_fmt(low), high=_fmt(high), fix=fix + extra)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def score_wai_sr(items: pd.DataFrame) -> pd.DataFrame:
    """WAI-SR total and goal/task/bond subscales from the item columns ``wai_1`` ... ``wai_12``.

    Returns a DataFrame with ``wai_total, wai_goal, wai_task, wai_bond`` (NaN where an item of the
    score is missing). Items are not range-checked here; :func:`read_outcomes` does that.
    """
    missing = [c for c in WAI_SR_ITEMS if c not in items.columns]
    if missing:
        raise StatsError.make("E501", path="<items>", message=f"WAI-SR item column(s) {missing} "
                              "are missing; all 12 items wai_1..wai_12 are needed to score it.")
    values = items[list(WAI_SR_ITEMS)].apply(pd.to_numeric, errors="coerce")
    scores = pd.DataFrame(index=items.index)
    scores["wai_total"] = values.sum(axis=1, min_count=12)
    for name, numbers in WAI_SR_SUBSCALES.items():
        scores[name] = values[[f"wai_{i}" for i in numbers]].sum(axis=1, min_count=len(numbers))
    return scores


def read_outcomes(source: str | Path | pd.DataFrame, *,
                  timepoints: Sequence[str] = DEFAULT_TIMEPOINTS,
                  measures: Iterable[Measure | str] | None = None) -> OutcomesTable:
    """Read, validate and score an outcomes table (CSV, TSV, Parquet or a DataFrame).

    ``timepoints``: the study's time points in order. ``measures``: extra measures
    (:class:`Measure` or ``"name=low:high:lower"``) beside the built-in :data:`MEASURES`.
    Returns an :class:`OutcomesTable` in long form. See the module documentation for the accepted
    layouts and the errors.
    """
    timepoints = tuple(str(t) for t in timepoints)
    if not timepoints or len(set(timepoints)) != len(timepoints):
        raise StatsError.make("E505", message=f"timepoints={list(timepoints)}; expected distinct "
                              "time-point names in study order.")
    registry = _as_measures(measures)
    frame, label, offset = _load(source)
    frame.columns = [_normalise_name(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise StatsError.make("E501", path=label, message=f"duplicate column(s) {dup}.")
    frame = frame.reset_index(drop=True)
    frame["_row"] = np.arange(len(frame)) + offset
    if "participant_id" not in frame.columns:
        raise TaNlpError.make("E104", path=label, missing="participant_id",
                              found=", ".join(c for c in frame.columns if c != "_row"),
                              fix="Name the participant column participant_id.")
    if len(frame) == 0:
        raise StatsError.make("E501", path=label, message="the outcomes table has no rows.")

    known = set(registry) | set(WAI_SR_ITEMS)
    if {"timepoint", "measure", "value"} <= set(frame.columns):
        layout = "tidy"
        frame = _tidy_to_long(frame, label)
    elif "timepoint" in frame.columns:
        layout = "long"
    else:
        layout = "wide"
        frame = _wide_to_long(frame, label, timepoints, known)

    # identifiers
    frame["participant_id"] = frame["participant_id"].astype("string").str.strip()
    empty = frame["participant_id"].isna() | (frame["participant_id"] == "")
    if empty.any():
        row = int(frame.loc[empty.idxmax(), "_row"])
        raise StatsError.make("E501", path=label, message=f"row {row}: participant_id is empty; "
                              "every row needs the participant's id.")
    frame["participant_id"] = frame["participant_id"].astype(str)
    tps = frame["timepoint"].astype("string").str.strip()
    unknown = tps.isna() | ~tps.isin(timepoints)
    if unknown.any():
        found = []
        for value, rows in frame[unknown].groupby(tps[unknown].fillna("(empty)"), sort=False):
            found.append(f"'{value}' (row {', '.join(map(str, rows['_row'].head(3)))})")
        raise StatsError.make("E504", path=label, found="; ".join(found[:5]),
                              expected=", ".join(timepoints))
    frame["timepoint"] = tps.astype(str)
    dup = frame.duplicated(["participant_id", "timepoint"], keep=False)
    if dup.any():
        groups = frame[dup].groupby(["participant_id", "timepoint"], sort=False)["_row"]
        dups = "; ".join(f"({pid}, {tp}) at rows {', '.join(map(str, rows))}"
                         for (pid, tp), rows in list(groups)[:3])
        raise StatsError.make("E503", path=label, dups=dups)

    # transcript ids: one per participant, filled onto every row of that participant
    if "transcript_id" not in frame.columns:
        frame["transcript_id"] = pd.NA
    tid = frame["transcript_id"].astype("string").str.strip().replace("", pd.NA)
    frame["transcript_id"] = tid
    per = frame.dropna(subset=["transcript_id"]).groupby("participant_id")["transcript_id"]
    several = per.nunique()
    if (several > 1).any():
        pid = several[several > 1].index[0]
        found = ", ".join(sorted(set(frame.loc[frame["participant_id"] == pid,
                                               "transcript_id"].dropna())))
        raise StatsError.make("E510", path=label, participant=pid, found=found)
    mapping = per.first()
    frame["transcript_id"] = frame["participant_id"].map(mapping).astype(object)
    frame["transcript_id"] = frame["transcript_id"].where(frame["transcript_id"].notna(), None)

    # items and measures
    item_cols = [c for c in WAI_SR_ITEMS if c in frame.columns]
    if item_cols and len(item_cols) < len(WAI_SR_ITEMS):
        missing = [c for c in WAI_SR_ITEMS if c not in frame.columns]
        raise StatsError.make("E501", path=label, message=(
            f"WAI-SR item column(s) {missing} are missing; give all 12 items wai_1..wai_12 "
            "(or only the scores wai_total, wai_goal, wai_task, wai_bond)."))
    for column in item_cols:
        frame[column] = _numeric(frame, column, label)
        _check_range(frame, column, *WAI_SR_ITEM_RANGE, label,
                     "WAI-SR items are rated 1 (seldom) to 5 (always).")
    measure_cols = [m for m in registry if m in frame.columns]
    for column in measure_cols:
        frame[column] = _numeric(frame, column, label)
    if item_cols:
        scores = score_wai_sr(frame)
        for name in scores.columns:
            if name in frame.columns:
                both = frame[name].notna() & scores[name].notna()
                mismatch = both & ~np.isclose(frame[name].where(both, 0), scores[name].where(both, 0))
                if mismatch.any():
                    i = mismatch.idxmax()
                    if name == "wai_total":
                        raise StatsError.make("E509", path=label, row=int(frame.at[i, "_row"]),
                                              found=_fmt(frame.at[i, name]),
                                              expected=_fmt(scores.at[i, name]))
                    raise StatsError.make("E501", path=label, message=(
                        f"row {int(frame.at[i, '_row'])}: {name} = {_fmt(frame.at[i, name])} is "
                        f"not the sum of its WAI-SR items ({_fmt(scores.at[i, name])})."))
                frame[name] = frame[name].fillna(scores[name])
            else:
                frame[name] = scores[name]
        measure_cols = [m for m in registry if m in frame.columns]
    for column in measure_cols:
        spec = registry[column]
        _check_range(frame, column, spec.low, spec.high, label,
                     f"{spec.label or column} ranges {_fmt(spec.low)}..{_fmt(spec.high)}; check "
                     "the value, or declare another range with --measure "
                     f"{column}=LOW:HIGH:{spec.better}.")

    covariates = [c for c in frame.columns
                  if c not in (*ID_COLUMNS, *measure_cols, *item_cols, "_row")]
    for column in covariates:  # numbers stay numbers (CSV cells are read as text)
        converted = pd.to_numeric(frame[column], errors="coerce")
        if converted.notna().sum() == frame[column].notna().sum():
            frame[column] = converted
    order = {tp: i for i, tp in enumerate(timepoints)}
    first_seen = {pid: i for i, pid in enumerate(dict.fromkeys(frame["participant_id"]))}
    frame = frame.assign(_p=frame["participant_id"].map(first_seen),
                         _t=frame["timepoint"].map(order))
    frame = frame.sort_values(["_p", "_t"], kind="mergesort")
    columns = [*ID_COLUMNS, *measure_cols, *item_cols, *covariates]
    data = frame[columns].reset_index(drop=True)
    return OutcomesTable(data=data, measures={m: registry[m] for m in measure_cols},
                         timepoints=timepoints, covariates=covariates, source=label,
                         layout=layout)


# --------------------------------------------------------------------------- linking

@dataclass
class Linkage:
    """Outcomes joined to encounters, and what did not link.

    ``data``: the long outcomes rows of linked participants with the encounter columns added.
    ``report``: :data:`LINKAGE_COLUMNS`, one row per participant or encounter that did not link.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    n_participants: int
    n_encounters: int

    @property
    def n_linked(self) -> int:
        return int(self.data["participant_id"].nunique()) if len(self.data) else 0


def link_outcomes(outcomes: OutcomesTable | pd.DataFrame, encounters: pd.DataFrame, *,
                  strict: bool = False) -> Linkage:
    """Join outcomes to coded encounters on ``transcript_id``; report what does not link.

    Participants without a ``transcript_id`` (``missing_transcript_id``) or whose transcript is not
    among the encounters (``no_coded_encounter``), encounters that no participant names
    (``no_outcomes``) and transcripts named by several participants (``shared_transcript``) are
    listed in ``report``. With ``strict=True`` the first two kinds raise E506 and the third E507.
    """
    table = outcomes if isinstance(outcomes, OutcomesTable) else read_outcomes(outcomes)
    data = table.data
    label = table.source
    if "transcript_id" not in encounters.columns:
        raise TaNlpError.make("E104", path="encounters", missing="transcript_id",
                              found=", ".join(map(str, encounters.columns)),
                              fix="Pass the encounters.csv written by `ta-nlp code`.")
    enc = encounters.copy()
    enc["transcript_id"] = enc["transcript_id"].astype(str)
    known = list(dict.fromkeys(enc["transcript_id"]))
    known_set = set(known)
    per_participant = data.groupby("participant_id", sort=False)["transcript_id"].first()
    rows: list[dict[str, Any]] = []
    for pid, tid in per_participant.items():
        if tid is None or pd.isna(tid):
            rows.append({"issue": "missing_transcript_id", "participant_id": pid,
                         "transcript_id": None, "detail": "no transcript_id in the outcomes table"})
        elif tid not in known_set:
            rows.append({"issue": "no_coded_encounter", "participant_id": pid, "transcript_id": tid,
                         "detail": "transcript not among the coded encounters"})
    linked_tids = per_participant.dropna()
    counts = linked_tids.value_counts()
    for tid, count in counts[counts > 1].items():
        pids = ", ".join(linked_tids[linked_tids == tid].index)
        rows.append({"issue": "shared_transcript", "participant_id": pids, "transcript_id": tid,
                     "detail": f"named by {count} participants"})
    named = set(linked_tids)
    for tid in known:
        if tid not in named:
            rows.append({"issue": "no_outcomes", "participant_id": None, "transcript_id": tid,
                         "detail": "coded encounter with no participant in the outcomes table"})
    report = pd.DataFrame(rows, columns=list(LINKAGE_COLUMNS))
    if strict:
        unlinked = report[report["issue"].isin(["missing_transcript_id", "no_coded_encounter"])]
        if len(unlinked):
            found = ", ".join(f"{r.participant_id} ({r.transcript_id or 'no transcript_id'})"
                              for r in unlinked.head(10).itertuples())
            shown = ", ".join(known[:5]) + (", ..." if len(known) > 5 else "")
            raise StatsError.make("E506", path=label, count=len(unlinked), found=found,
                                  known=shown or "none")
        orphans = report[report["issue"] == "no_outcomes"]
        if len(orphans):
            found = ", ".join(orphans["transcript_id"].head(10))
            raise StatsError.make("E507", path=label, count=len(orphans), found=found)
    enc_cols = [c for c in enc.columns if c not in data.columns or c == "transcript_id"]
    merged = data[data["transcript_id"].isin(known_set)].merge(
        enc[enc_cols], on="transcript_id", how="left", validate="many_to_one")
    return Linkage(data=merged.reset_index(drop=True), report=report,
                   n_participants=len(per_participant), n_encounters=len(known))
