"""Benchmark ``ta-nlp run`` (segment -> code -> analyze -> report): time per encounter.

Two studies: the bundled example (12 encounters in 8 formats, ``data/examples``) and a simulated
study (``ta-nlp simulate``, 200 participants by default). For each it times, in one process and on
fresh output folders:

- the whole ``ta_nlp.pipeline.run`` (what ``ta-nlp run`` does), and per encounter;
- its stages separately: coding (``ta_nlp.coding.code``: reading, segmentation, rule coding,
  counting), analysis (``ta_nlp.analysis.analyze``: statistics, bootstrap/permutation, figures) and
  the report (``ta_nlp.report.render_report``);
- the baseline, coding alone, measured again in the same run; the figure to compare across
  machines is the ratio run / coding.

It also prints the per-code precision and recall of the coder against the intended code of each
clinician unit of the simulated study (``truth_units.csv``): a check of the pipeline, not an
accuracy estimate (the simulated utterances come from small pools).

Usage: python scripts/bench_run.py [--n 200] [--resamples 9999] [--workers 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def bench_study(name: str, paths: list[Path], outcomes: Path, work: Path, resamples: int,
                workers: int, read_options: dict) -> dict:
    from ta_nlp.analysis import analyze
    from ta_nlp.coding import code
    from ta_nlp.pipeline import run
    from ta_nlp.report import render_report

    # warm-up: load spaCy and the rule patterns once so that no timing includes it
    code(paths[:1] if paths[0].is_file() else paths, coder="rules", **read_options)

    t_run, result = _time(lambda: run(paths, outcomes, work / "run", workers=workers,
                                      n_resamples=resamples, **read_options))
    n = int(result.coded.encounters.shape[0])
    t_code, coded = _time(lambda: code(paths, out=work / "stages" / "coded", workers=workers,
                                       **read_options))
    t_analyze, analysis = _time(lambda: analyze(coded.encounters, outcomes,
                                                work / "stages" / "analysis",
                                                n_resamples=resamples))
    t_report, _ = _time(lambda: render_report(analysis, work / "stages" / "report.html",
                                              utterances=coded.utterances,
                                              manifest=coded.manifest))
    t_base, _ = _time(lambda: code(paths, out=work / "baseline", workers=workers,
                                   **read_options))
    return {
        "study": name, "encounters": n,
        "utterances": len(result.coded.utterances),
        "run_s": round(t_run, 2), "run_s_per_encounter": round(t_run / n, 3),
        "code_s": round(t_code, 2), "analyze_s": round(t_analyze, 2),
        "report_s": round(t_report, 2), "baseline_code_s": round(t_base, 2),
        "ratio_run_to_code": round(t_run / t_base, 2),
        "report_bytes": result.report.stat().st_size,
    }


def truth_agreement(utterances, units):
    """Per-code precision and recall of the coder against the simulation's intended codes."""
    import pandas as pd

    from ta_nlp.codes import CODES

    clin = utterances[utterances["role"] == "clinician"].copy()
    clin["clinician_unit"] = clin.groupby("transcript_id").cumcount() + 1
    merged = clin.merge(units, on=["transcript_id", "clinician_unit"], how="inner")
    rows = []
    for code in CODES:
        gold = merged["code"].fillna("") == code
        pred = merged[code] == 1
        hit = int((gold & pred).sum())
        rows.append({"code": code, "intended": int(gold.sum()), "coded": int(pred.sum()),
                     "precision": round(hit / max(int(pred.sum()), 1), 2),
                     "recall": round(hit / max(int(gold.sum()), 1), 2)})
    return pd.DataFrame(rows), len(merged), len(clin)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="participants in the simulated study")
    parser.add_argument("--resamples", type=int, default=9999,
                        help="bootstrap and permutation resamples (the CLI default)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    from ta_nlp.simulate import simulate

    results = []
    with tempfile.TemporaryDirectory(prefix="bench_run_") as tmp:
        work = Path(tmp)
        examples = ROOT / "data" / "examples"
        if (examples / "outcomes.csv").exists():
            results.append(bench_study(
                "example (data/examples)", [examples / "transcripts"], examples / "outcomes.csv",
                work / "example", args.resamples, args.workers,
                {"roles_file": examples / "roles.csv"}))
        t_sim, _ = _time(lambda: simulate(args.n, work / "sim", seed=args.seed))
        row = bench_study(f"simulated ({args.n} participants)", [work / "sim" / "transcripts"],
                          work / "sim" / "outcomes.csv", work / "simulated", args.resamples,
                          args.workers, {})
        row["simulate_s"] = round(t_sim, 2)
        results.append(row)
        import pandas as pd

        coded = pd.read_csv(work / "simulated" / "run" / "coded" / "utterances.csv",
                            dtype={"transcript_id": str})
        units = pd.read_csv(work / "sim" / "truth_units.csv", dtype={"transcript_id": str},
                            keep_default_na=False)
        agreement, n_matched, n_clin = truth_agreement(coded, units)

    header = ("study", "encounters", "utterances", "run_s", "run_s_per_encounter", "code_s",
              "analyze_s", "report_s", "baseline_code_s", "ratio_run_to_code")
    print(f"python {platform.python_version()}, {platform.machine()}, resamples "
          f"{args.resamples}, workers {args.workers}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in results:
        print("| " + " | ".join(str(r[h]) for h in header) + " |")
    print(f"\nRule coder vs the simulation's intended codes ({n_matched} of {n_clin} clinician "
          "units matched by position):")
    print(agreement.to_string(index=False))
    if args.json:
        args.json.write_text(json.dumps({"studies": results,
                                         "agreement": agreement.to_dict("records")},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
