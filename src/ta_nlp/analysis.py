"""Study analysis: behaviour counts and timing x alliance and outcomes, as tables and figures.

``analyze(encounters, outcomes, out=DIR)`` is what ``ta-nlp analyze`` runs. ``encounters`` is the
``encounters.csv`` of ``ta-nlp code`` (one row per transcript), ``outcomes`` an outcomes table
(:mod:`ta_nlp.outcomes`). Participants are linked to encounters by ``transcript_id``; what does not
link is listed in the ``linkage`` table, never dropped silently (``strict=True`` makes it an error).

Tables (``DIR/tables/<name>.csv`` and ``.md``; columns in the order of the ``*_COLUMNS`` constants):

==================== =============================================================================
``descriptives``     every measure per time point and every feature: n, mean, sd, median, quartiles
``alliance_outcomes`` alliance (WAI-SR total) vs each outcome at each time point: Spearman's rho with
                     the Bonett-Wright interval (default), a seeded BCa bootstrap interval, the p of
                     ``p_method`` and a permutation p; ``p_adj`` over this table
``correlations``     behaviour counts (``<code>_n``) and timing figures x alliance and outcome
                     measures at each time point, long, Holm-adjusted over the whole table
``partial``          alliance vs each later outcome controlling for its baseline value (and the
                     ``covariates`` given)
``change``           alliance vs change scores (baseline to each later time point)
``change_values``    the change scores themselves, per participant
``rm_corr``          repeated-measures correlations between outcomes measured at several time points
``mixed_model``      ``<outcome> ~ C(timepoint) + <alliance>`` with a random intercept per
                     participant (statsmodels MixedLM, REML, Wald z)
``power``            achieved power of each alliance-outcome correlation and the n for 80% power
``linkage``          participants and encounters that did not link
==================== =============================================================================

Figures (``DIR/figures/<name>.png`` and ``.svg``, matplotlib Agg): ``alliance_outcomes`` (alliance vs
each outcome at each time point with rho and its interval), ``heatmap`` (behaviours x outcomes,
rho, * where the adjusted p < .05) and ``profile`` (behaviour rates per encounter, encounters in
order of alliance). ``DIR/analysis.json`` records the settings, inputs and notes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ta_nlp import __version__
from ta_nlp.codes import CODES
from ta_nlp.errors import StatsError, TaNlpError
from ta_nlp.io import atomic_write_bytes, atomic_write_csv, atomic_write_json, atomic_write_text
from ta_nlp.outcomes import (
    DEFAULT_TIMEPOINTS,
    LINKAGE_COLUMNS,
    Measure,
    OutcomesTable,
    link_outcomes,
    read_outcomes,
)
from ta_nlp.stats import (
    CHANGE_COLUMNS,
    CORRELATION_COLUMNS,
    MIXED_COLUMNS,
    RM_CORR_COLUMNS,
    adjust_p,
    change_scores,
    correlation_matrix,
    correlation_power,
    mixed_model,
    partial_spearman,
    rm_corr,
    spearman,
)

#: Timing figures of the encounters table used as features when present.
TIMING_FEATURES: tuple[str, ...] = ("duration_s", "patient_talk_share", "patient_word_share",
                                    "latency_median_s", "n_interruptions",
                                    "longest_patient_stretch_s")
DESCRIPTIVE_COLUMNS: tuple[str, ...] = ("variable", "timepoint", "n", "mean", "sd", "median", "q1",
                                        "q3", "min", "max")
ALLIANCE_OUTCOME_COLUMNS: tuple[str, ...] = ("alliance", "measure", "timepoint", "n", "rho",
                                             "ci_low", "ci_high", "boot_ci_low", "boot_ci_high",
                                             "p_val", "p_perm", "p_adj", "p_adjust", "ci_method",
                                             "p_method")
PARTIAL_TABLE_COLUMNS: tuple[str, ...] = ("alliance", "measure", "timepoint", "covar", "n", "rho",
                                          "ci_low", "ci_high", "p_val")
CHANGE_TABLE_COLUMNS: tuple[str, ...] = ("alliance", "measure", "from_timepoint", "to_timepoint",
                                         "n", "rho", "ci_low", "ci_high", "p_val", "ci_method",
                                         "p_method")
RM_TABLE_COLUMNS: tuple[str, ...] = ("x", "y", *RM_CORR_COLUMNS)
MIXED_TABLE_COLUMNS: tuple[str, ...] = ("model", *MIXED_COLUMNS)
POWER_COLUMNS: tuple[str, ...] = ("label", "r", "n", "alpha", "power", "n_for_80")
#: Table names in report order.
TABLE_NAMES: tuple[str, ...] = ("descriptives", "alliance_outcomes", "correlations", "partial",
                                "change", "change_values", "rm_corr", "mixed_model", "power",
                                "linkage")
FIGURE_NAMES: tuple[str, ...] = ("alliance_outcomes", "heatmap", "profile")
#: The study's reported correlation (Musculoskeletal Care 2022): the power table says what n it needs.
STUDY_RHO = -0.39


@dataclass
class AnalysisResult:
    """What :func:`analyze` returns: tables by name, figure files, linkage and settings."""

    tables: dict[str, pd.DataFrame]
    figures: dict[str, dict[str, Path]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    out: Path | None = None

    @property
    def linkage(self) -> pd.DataFrame:
        return self.tables["linkage"]


# --------------------------------------------------------------------------- helpers

def _read_encounters(encounters: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(encounters, pd.DataFrame):
        return encounters.copy(), "<DataFrame>"
    path = Path(encounters)
    if not path.exists():
        raise TaNlpError.make("E001", path=path)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype={"transcript_id": str})
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        raise StatsError.make("E501", path=path, message=f"cannot read the encounters table "
                              f"({exc}); pass the encounters.csv written by `ta-nlp code`.") \
            from None
    return frame, str(path)


def default_features(encounters: pd.DataFrame) -> list[str]:
    """``<code>_n`` for every code, then the timing figures that are present and numeric."""
    features = [f"{code}_n" for code in CODES if f"{code}_n" in encounters.columns]
    for column in TIMING_FEATURES:
        if column in encounters.columns and pd.to_numeric(encounters[column],
                                                          errors="coerce").notna().any():
            features.append(column)
    return features


def _descriptives(data: pd.DataFrame, measures: Sequence[str], features: Sequence[str],
                  encounters: pd.DataFrame) -> pd.DataFrame:
    rows = []

    def describe(values: pd.Series, variable: str, timepoint: str) -> None:
        v = pd.to_numeric(values, errors="coerce").dropna()
        if v.empty:
            return
        rows.append({"variable": variable, "timepoint": timepoint, "n": int(v.size),
                     "mean": v.mean(), "sd": v.std(ddof=1) if v.size > 1 else np.nan,
                     "median": v.median(), "q1": v.quantile(0.25), "q3": v.quantile(0.75),
                     "min": v.min(), "max": v.max()})

    for measure in measures:
        for tp, part in data.groupby("timepoint", sort=False):
            describe(part[measure], measure, str(tp))
    for feature in features:
        if feature in encounters.columns:
            describe(encounters[feature], feature, "encounter")
    return pd.DataFrame(rows, columns=list(DESCRIPTIVE_COLUMNS))


def _per_participant(data: pd.DataFrame, column: str, timepoint: str) -> pd.Series:
    part = data[data["timepoint"] == timepoint].set_index("participant_id")[column]
    return pd.to_numeric(part, errors="coerce")


def _choose_alliance(table: OutcomesTable, alliance: str | None,
                     alliance_timepoint: str | None) -> tuple[str | None, str | None]:
    data = table.data
    if alliance is None:
        candidates = table.alliance_measures
        alliance = "wai_total" if "wai_total" in candidates else (candidates[0] if candidates
                                                                  else None)
    elif alliance not in data.columns:
        raise StatsError.make("E505", message=f"analyze: alliance measure {alliance!r} is not in "
                              f"the outcomes table; found {list(table.measures)}.")
    if alliance is None:
        return None, None
    if alliance_timepoint is None:
        counts = data.groupby("timepoint", sort=False)[alliance].count()
        counts = counts.reindex([t for t in table.timepoints if t in counts.index])
        if counts.empty or counts.max() == 0:
            return alliance, None
        alliance_timepoint = str(counts.idxmax())
    elif alliance_timepoint not in table.timepoints:
        raise StatsError.make("E505", message=f"analyze: alliance_timepoint "
                              f"{alliance_timepoint!r} is not one of {list(table.timepoints)}.")
    return alliance, alliance_timepoint


# --------------------------------------------------------------------------- main entry

def analyze(encounters: str | Path | pd.DataFrame,
            outcomes: str | Path | pd.DataFrame | OutcomesTable,
            out: str | Path | None = None, *,
            timepoints: Sequence[str] = DEFAULT_TIMEPOINTS,
            measures: Sequence[Measure | str] | None = None,
            features: Sequence[str] | None = None,
            alliance: str | None = None, alliance_timepoint: str | None = None,
            covariates: Sequence[str] = (),
            p_adjust: str = "holm", ci_method: str = "bonett-wright", p_method: str = "auto",
            n_resamples: int = 9999, seed: int = 0, strict: bool = False,
            figures: bool = True, min_participants: int = 4) -> AnalysisResult:
    """Correlate behaviours and timing with alliance and outcomes; write tables and figures.

    ``encounters``: encounters table (path or DataFrame). ``outcomes``: outcomes table (path,
    DataFrame or :class:`~ta_nlp.outcomes.OutcomesTable`). ``features``: encounter columns to
    correlate (default :func:`default_features`). ``alliance``: the alliance measure (default
    ``wai_total``) and ``alliance_timepoint`` where it was measured (default: the time point with
    most values). ``covariates``: outcome-table columns to control for in the partial
    correlations. ``n_resamples``: bootstrap and permutation resamples (0 skips both). Every
    random step uses ``seed``. ``strict``: unlinked participants or encounters are an error.
    Returns an :class:`AnalysisResult`; with ``out`` also writes the files listed in the module
    documentation.
    """
    table = outcomes if isinstance(outcomes, OutcomesTable) else read_outcomes(
        outcomes, timepoints=timepoints, measures=measures)
    enc, enc_label = _read_encounters(encounters)
    linkage = link_outcomes(table, enc, strict=strict)
    data = linkage.data
    notes: list[str] = []
    n_linked = linkage.n_linked
    if n_linked < min_participants:
        raise StatsError.make("E512", found=n_linked, need=min_participants, fix=(
            "Check that the transcript_id column of the outcomes table matches the transcript ids "
            f"of the encounters table (for example {', '.join(enc['transcript_id'].astype(str)[:3])})."
            if len(enc) else "The encounters table is empty."))
    if len(linkage.report):
        counts = linkage.report["issue"].value_counts()
        notes.append("Not linked (see the linkage table): " + ", ".join(
            f"{count} {issue.replace('_', ' ')}" for issue, count in counts.items()) + ".")

    features = list(features) if features is not None else default_features(enc)
    missing = [f for f in features if f not in data.columns]
    if missing:
        raise StatsError.make("E505", message=f"analyze: feature column(s) {missing} are not in "
                              f"the encounters table {enc_label}.")
    covariates = list(covariates)
    bad_cov = [c for c in covariates if c not in data.columns]
    if bad_cov:
        raise StatsError.make("E505", message=f"analyze: covariate column(s) {bad_cov} are not in "
                              "the outcomes or encounters table.")
    measure_names = list(table.measures)
    alliance, alliance_tp = _choose_alliance(table, alliance, alliance_timepoint)
    outcome_names = [m for m in table.outcome_measures if m in data.columns]
    tps = [tp for tp in table.timepoints if tp in set(data["timepoint"])]
    resamples = max(int(n_resamples), 0)

    tables: dict[str, pd.DataFrame] = {}
    tables["descriptives"] = _descriptives(
        data, measure_names, features,
        enc[enc["transcript_id"].astype(str).isin(set(data["transcript_id"]))])

    # ---- alliance vs outcomes at each time point
    ao_rows = []
    if alliance and alliance_tp:
        ta = _per_participant(data, alliance, alliance_tp)
        for measure in outcome_names:
            for tp in tps:
                y = _per_participant(data, measure, tp)
                pair = pd.concat([ta.rename("a"), y.rename("b")], axis=1, join="inner").dropna()
                if len(pair) < 4 or pair["a"].nunique() < 2 or pair["b"].nunique() < 2:
                    continue
                main = spearman(pair["a"], pair["b"], ci_method=ci_method, p_method=p_method,
                                n_resamples=max(resamples, 1), seed=seed).iloc[0]
                row = {"alliance": alliance, "measure": measure, "timepoint": tp,
                       **main.to_dict(), "boot_ci_low": np.nan, "boot_ci_high": np.nan,
                       "p_perm": np.nan}
                if resamples:
                    boot = spearman(pair["a"], pair["b"], ci_method="bootstrap", p_method="t",
                                    n_resamples=resamples, seed=seed).iloc[0]
                    perm = spearman(pair["a"], pair["b"], ci_method="fisher",
                                    p_method="permutation", n_resamples=resamples,
                                    seed=seed).iloc[0]
                    row.update(boot_ci_low=boot["ci_low"], boot_ci_high=boot["ci_high"],
                               p_perm=perm["p_val"])
                ao_rows.append(row)
    else:
        notes.append("No alliance measure (WAI-SR) in the outcomes table: alliance analyses "
                     "skipped.")
    ao = pd.DataFrame(ao_rows, columns=[c for c in ALLIANCE_OUTCOME_COLUMNS
                                        if c not in ("p_adj", "p_adjust")])
    ao["p_adj"] = adjust_p(ao["p_val"].to_numpy(dtype=float), p_adjust) if len(ao) else []
    ao["p_adjust"] = p_adjust
    tables["alliance_outcomes"] = ao[list(ALLIANCE_OUTCOME_COLUMNS)]

    # ---- features x measures at each time point
    corr_measures = [m for m in measure_names if m in data.columns]
    tables["correlations"] = correlation_matrix(
        data, features, corr_measures, by="timepoint", p_adjust=p_adjust, ci_method=ci_method,
        p_method=p_method, seed=seed) if features and corr_measures else pd.DataFrame(
        columns=list(CORRELATION_COLUMNS))

    # ---- partial correlations (baseline-adjusted), change scores, mixed models
    partial_rows, change_rows, change_values, mixed_tables = [], [], [], []
    baseline = tps[0] if tps else None
    if alliance and alliance_tp and baseline:
        ta = _per_participant(data, alliance, alliance_tp)
        covar_frame = data.groupby("participant_id", sort=False)[covariates].first() \
            if covariates else None
        for measure in outcome_names:
            base = _per_participant(data, measure, baseline)
            for tp in tps[1:]:
                frame = pd.concat([ta.rename("alliance"), _per_participant(data, measure, tp)
                                   .rename("outcome"), base.rename("baseline")], axis=1,
                                  join="inner")
                covar = ["baseline"]
                if covar_frame is not None:
                    frame = frame.join(covar_frame, how="left")
                    covar += covariates
                res = partial_spearman(frame, "alliance", "outcome", covar).iloc[0]
                if res["n"] >= 4 and np.isfinite(res["rho"]):
                    partial_rows.append({"alliance": alliance, "measure": measure,
                                         "timepoint": tp,
                                         "covar": ",".join([f"{measure}@{baseline}",
                                                            *covariates]),
                                         **{k: res[k] for k in ("n", "rho", "ci_low", "ci_high",
                                                                "p_val")}})
            if len(tps) > 1:
                values = change_scores(data, measure, baseline=baseline, followups=tps[1:])
                change_values.append(values)
                for tp in tps[1:]:
                    ch = values[values["to_timepoint"] == tp].set_index("participant_id")["change"]
                    pair = pd.concat([ta.rename("a"), ch.rename("b")], axis=1,
                                     join="inner").dropna()
                    if len(pair) < 4 or pair["a"].nunique() < 2 or pair["b"].nunique() < 2:
                        continue
                    res = spearman(pair["a"], pair["b"], ci_method=ci_method,
                                   p_method=p_method, seed=seed).iloc[0]
                    change_rows.append({"alliance": alliance, "measure": measure,
                                        "from_timepoint": baseline, "to_timepoint": tp,
                                        **res.to_dict()})
                long = data[["participant_id", "timepoint", measure]].copy()
                long[alliance] = long["participant_id"].map(ta)
                long = long.dropna()
                if long["participant_id"].nunique() >= min_participants and \
                        long["timepoint"].nunique() > 1:
                    formula = (f"{measure} ~ C(timepoint, Treatment('{baseline}')) + {alliance}")
                    try:
                        mm = mixed_model(long, formula, group="participant_id")
                        mm.insert(0, "model", formula)
                        mixed_tables.append(mm)
                    except (StatsError, np.linalg.LinAlgError, ValueError) as exc:
                        notes.append(f"Mixed model {formula} could not be fitted: {exc}")
    tables["partial"] = pd.DataFrame(partial_rows, columns=list(PARTIAL_TABLE_COLUMNS))
    tables["change"] = pd.DataFrame(change_rows, columns=list(CHANGE_TABLE_COLUMNS))
    tables["change_values"] = (pd.concat(change_values, ignore_index=True) if change_values
                               else pd.DataFrame(columns=list(CHANGE_COLUMNS)))
    tables["mixed_model"] = (pd.concat(mixed_tables, ignore_index=True) if mixed_tables
                             else pd.DataFrame(columns=list(MIXED_TABLE_COLUMNS)))

    # ---- repeated-measures correlations between measures observed at several time points
    rm_rows = []
    repeated = [m for m in corr_measures
                if data.groupby("participant_id")[m].count().max() > 1]
    for i, x in enumerate(repeated):
        for y in repeated[i + 1:]:
            res = rm_corr(data, x, y, "participant_id").iloc[0]
            if np.isfinite(res["r"]):
                rm_rows.append({"x": x, "y": y, **res.to_dict()})
    tables["rm_corr"] = pd.DataFrame(rm_rows, columns=list(RM_TABLE_COLUMNS))

    # ---- power
    power_rows = []
    for row in tables["alliance_outcomes"].itertuples():
        if abs(row.rho) < 1 and row.rho != 0 and row.n > 3:
            power_rows.append({"label": f"{row.alliance} ~ {row.measure} @ {row.timepoint}",
                               "r": row.rho, "n": int(row.n), "alpha": 0.05,
                               "power": correlation_power(row.rho, n=int(row.n)),
                               "n_for_80": correlation_power(row.rho, power=0.8)})
    power_rows.append({"label": "study figure (rho = -0.39)", "r": STUDY_RHO, "n": n_linked,
                       "alpha": 0.05, "power": correlation_power(STUDY_RHO, n=max(n_linked, 4)),
                       "n_for_80": correlation_power(STUDY_RHO, power=0.8)})
    tables["power"] = pd.DataFrame(power_rows, columns=list(POWER_COLUMNS))
    tables["linkage"] = linkage.report.reindex(columns=list(LINKAGE_COLUMNS))

    settings = {
        "toolkit": "ta-nlp", "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "encounters": enc_label, "outcomes": table.source, "outcomes_layout": table.layout,
        "timepoints": list(table.timepoints), "alliance": alliance,
        "alliance_timepoint": alliance_tp, "measures": {
            m: {"low": s.low, "high": s.high, "better": s.better, "kind": s.kind}
            for m, s in table.measures.items()},
        "features": features, "covariates": covariates, "p_adjust": p_adjust,
        "ci_method": ci_method, "p_method": p_method, "n_resamples": resamples, "seed": seed,
        "n_participants": linkage.n_participants, "n_encounters": linkage.n_encounters,
        "n_linked": n_linked,
        "mixed_model": "statsmodels MixedLM, REML, random intercept per participant; Wald z "
                       "p-values and normal intervals (lme4 gives no p; lmerTest uses "
                       "Satterthwaite t)",
    }
    result = AnalysisResult(tables=tables, settings=settings, notes=notes)
    if out is not None:
        result.out = Path(out)
        write_tables(result, result.out)
        if figures:
            result.figures = make_figures(result, data, enc, features, result.out / "figures")
        settings["figures"] = {k: {fmt: str(p) for fmt, p in v.items()}
                               for k, v in result.figures.items()}
        atomic_write_json(result.out / "analysis.json", {**settings, "notes": notes})
    return result


# --------------------------------------------------------------------------- writing

def _format_cell(column: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if column.startswith("p_"):
            return "<0.001" if v < 0.001 else f"{v:.3f}"
        if v.is_integer() and column in ("n", "n_obs", "n_groups", "dof", "n_for_80"):
            return str(int(v))
        if abs(v) >= 1000:
            return f"{v:.0f}"
        return f"{v:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (numbers rounded for reading; the CSV keeps them all)."""
    columns = list(frame.columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_format_cell(c, v) for c, v in zip(columns, row)) + " |")
    if frame.empty:
        lines.append("| " + " | ".join("" for _ in columns) + " |")
    return "\n".join(lines) + "\n"


def write_tables(result: AnalysisResult, out: Path) -> None:
    folder = out / "tables"
    for name in TABLE_NAMES:
        frame = result.tables[name]
        atomic_write_csv(folder / f"{name}.csv", frame)
        atomic_write_text(folder / f"{name}.md", f"# {name}\n\n" + to_markdown(frame))
    parts = [f"# Study analysis\n\nGenerated by ta-nlp {__version__}. Linked "
             f"{result.settings['n_linked']} of {result.settings['n_participants']} participants "
             f"to {result.settings['n_encounters']} coded encounters.\n"]
    parts += [f"- {note}\n" for note in result.notes]
    for name in TABLE_NAMES:
        if name == "change_values":
            continue
        parts.append(f"\n## {name}\n\n" + to_markdown(result.tables[name]))
    atomic_write_text(out / "summary.md", "".join(parts))


# --------------------------------------------------------------------------- figures

def _save(fig: Any, folder: Path, name: str) -> dict[str, Path]:
    import io

    paths = {}
    for fmt in ("png", "svg"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=110,
                    metadata={"Date": None} if fmt == "svg" else {"Software": None})
        path = folder / f"{name}.{fmt}"
        atomic_write_bytes(path, buffer.getvalue())
        paths[fmt] = path
    return paths


def make_figures(result: AnalysisResult, data: pd.DataFrame, encounters: pd.DataFrame,
                 features: Sequence[str], folder: Path) -> dict[str, dict[str, Path]]:
    """Write the three figures (PNG and SVG) and return their paths by name."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "ta-nlp"  # stable SVG ids
    figures: dict[str, dict[str, Path]] = {}
    alliance = result.settings["alliance"]
    alliance_tp = result.settings["alliance_timepoint"]
    ao = result.tables["alliance_outcomes"]
    tps = [tp for tp in result.settings["timepoints"] if tp in set(data["timepoint"])]

    # 1. alliance vs outcomes at each time point
    outcomes = list(dict.fromkeys(ao["measure"])) if len(ao) else []
    if outcomes:
        fig, axes = plt.subplots(len(outcomes), len(tps), figsize=(3.6 * len(tps),
                                                                   3.2 * len(outcomes)),
                                 squeeze=False, sharex=True)
        ta = _per_participant(data, alliance, alliance_tp)
        jitter = np.random.default_rng(0)
        for i, measure in enumerate(outcomes):
            for j, tp in enumerate(tps):
                ax = axes[i][j]
                y = _per_participant(data, measure, tp)
                pair = pd.concat([ta.rename("a"), y.rename("b")], axis=1, join="inner").dropna()
                ax.scatter(pair["a"] + jitter.uniform(-0.15, 0.15, len(pair)),
                           pair["b"] + jitter.uniform(-0.1, 0.1, len(pair)), s=14, alpha=0.6,
                           color="#1f5f99", edgecolor="none")
                row = ao[(ao["measure"] == measure) & (ao["timepoint"] == tp)]
                if len(row):
                    r = row.iloc[0]
                    ax.set_title(f"{tp}: ρ = {r['rho']:.2f} [{r['ci_low']:.2f}, "
                                 f"{r['ci_high']:.2f}], n = {int(r['n'])}", fontsize=9)
                    if len(pair) > 2:
                        slope, intercept = np.polyfit(pair["a"], pair["b"], 1)
                        xs = np.linspace(pair["a"].min(), pair["a"].max(), 10)
                        ax.plot(xs, intercept + slope * xs, color="#c0392b", lw=1)
                else:
                    ax.set_title(f"{tp}: too few data", fontsize=9)
                if j == 0:
                    ax.set_ylabel(measure)
                if i == len(outcomes) - 1:
                    ax.set_xlabel(f"{alliance} ({alliance_tp})")
        fig.suptitle(f"Alliance vs outcomes ({result.settings['ci_method']} 95% CI)",
                     fontsize=11)
        fig.tight_layout()
        figures["alliance_outcomes"] = _save(fig, folder, "alliance_outcomes")
        plt.close(fig)

    # 2. heatmap behaviours x outcomes
    corr = result.tables["correlations"]
    code_features = [f for f in features if f in set(corr["feature"])] if len(corr) else []
    if code_features:
        columns = list(dict.fromkeys(f"{m}@{tp}" for m, tp in zip(corr["measure"],
                                                                  corr["timepoint"])))
        grid = np.full((len(code_features), len(columns)), np.nan)
        star = np.zeros_like(grid, dtype=bool)
        for r in corr.itertuples():
            if r.feature in code_features:
                i, j = code_features.index(r.feature), columns.index(f"{r.measure}@{r.timepoint}")
                grid[i, j] = r.rho
                star[i, j] = bool(r.p_adj < 0.05)
        fig, ax = plt.subplots(figsize=(1.0 + 0.75 * len(columns), 0.9 + 0.38 * len(code_features)))
        image = ax.imshow(grid, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(code_features)), code_features, fontsize=8)
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                if np.isfinite(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.2f}{'*' if star[i, j] else ''}", ha="center",
                            va="center", fontsize=7,
                            color="white" if abs(grid[i, j]) > 0.6 else "black")
        fig.colorbar(image, ax=ax, label="Spearman ρ", shrink=0.8)
        ax.set_title(f"Behaviours x outcomes (* {result.settings['p_adjust']}-adjusted p < .05)",
                     fontsize=10)
        fig.tight_layout()
        figures["heatmap"] = _save(fig, folder, "heatmap")
        plt.close(fig)

    # 3. behaviour profile per encounter (rates per 100 clinician units), ordered by alliance
    rate_cols = [f"{c}_per100" for c in CODES if f"{c}_per100" in encounters.columns]
    linked = encounters[encounters["transcript_id"].astype(str).isin(set(data["transcript_id"]))]
    if rate_cols and len(linked):
        profile = linked.set_index(linked["transcript_id"].astype(str))[rate_cols]
        profile = profile.apply(pd.to_numeric, errors="coerce")
        if alliance and alliance_tp:
            ta = _per_participant(data, alliance, alliance_tp)
            by_tid = data.drop_duplicates("participant_id").set_index("participant_id")[
                "transcript_id"]
            order = ta.rename(index=by_tid).sort_values()
            profile = profile.reindex([t for t in order.index if t in profile.index]
                                      + [t for t in profile.index if t not in order.index])
        height = min(0.8 + 0.2 * len(profile), 9.0)
        fig, ax = plt.subplots(figsize=(1.5 + 0.55 * len(rate_cols), max(height, 2.5)))
        image = ax.imshow(profile.to_numpy(dtype=float), cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(rate_cols)), [c[: -len("_per100")] for c in rate_cols],
                      rotation=45, ha="right", fontsize=8)
        if len(profile) <= 40:
            ax.set_yticks(range(len(profile)), list(profile.index), fontsize=7)
        else:
            ax.set_yticks([])
        ax.set_ylabel(f"{len(profile)} encounters" + (" (lowest alliance at the top)"
                                                      if alliance else ""))
        fig.colorbar(image, ax=ax, label="per 100 clinician units", shrink=0.8)
        ax.set_title("Behaviour profile per encounter" + (f" (ordered by {alliance})"
                                                          if alliance else ""), fontsize=10)
        fig.tight_layout()
        figures["profile"] = _save(fig, folder, "profile")
        plt.close(fig)
    return figures
