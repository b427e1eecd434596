"""Outcomes tables: layouts, WAI-SR scoring, validation errors and linkage to encounters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ta_nlp.errors import StatsError, TaNlpError
from ta_nlp.outcomes import (
    ID_COLUMNS,
    LINKAGE_COLUMNS,
    MEASURES,
    WAI_SR_SUBSCALES,
    Measure,
    link_outcomes,
    parse_measure,
    read_outcomes,
    score_wai_sr,
)

ITEMS = [f"wai_{i}" for i in range(1, 13)]
# hand-made answers of one participant (items 1..12)
ANSWERS = [4, 3, 5, 2, 5, 3, 4, 2, 5, 4, 3, 4]


def _write(tmp_path: Path, text: str, name: str = "outcomes.csv") -> Path:
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


LONG = """
participant_id,transcript_id,timepoint,wai_total,nprs,psfs,age
P1,t1,pre_eval,,7,3.5,54
P1,,post_eval,48,5,5,
P1,,follow_up,,3,6.5,
P2,t2,pre_eval,,6,4,61
P2,t2,post_eval,40,6,4.5,61
"""


def test_long_table_is_read_ordered_and_typed(tmp_path):
    table = read_outcomes(_write(tmp_path, LONG))
    data = table.data
    assert list(data.columns[:3]) == list(ID_COLUMNS)
    assert list(table.measures) == ["wai_total", "nprs", "psfs"]
    assert table.covariates == ["age"]
    assert table.layout == "long"
    # the transcript id given on one row is carried to every row of the participant
    assert list(data["transcript_id"]) == ["t1", "t1", "t1", "t2", "t2"]
    assert list(data["timepoint"]) == ["pre_eval", "post_eval", "follow_up", "pre_eval",
                                       "post_eval"]
    assert data["nprs"].tolist() == [7, 5, 3, 6, 6]
    assert data["age"].dtype.kind == "f"


def test_wai_sr_scoring_uses_the_hatcher_gillaspy_key():
    # Hatcher & Gillaspy (2006): goal 4, 6, 8, 11; task 1, 2, 10, 12; bond 3, 5, 7, 9.
    assert WAI_SR_SUBSCALES == {"wai_goal": (4, 6, 8, 11), "wai_task": (1, 2, 10, 12),
                                "wai_bond": (3, 5, 7, 9)}
    frame = pd.DataFrame([dict(zip(ITEMS, ANSWERS))])
    scores = score_wai_sr(frame).iloc[0]
    # by hand: goal 2+3+2+3 = 10, task 4+3+4+4 = 15, bond 5+5+4+5 = 19, total 44
    assert scores["wai_goal"] == 10
    assert scores["wai_task"] == 15
    assert scores["wai_bond"] == 19
    assert scores["wai_total"] == 44 == sum(ANSWERS)


def test_items_are_scored_and_a_missing_item_leaves_the_score_missing(tmp_path):
    row1 = ",".join(map(str, ANSWERS))
    row2 = ",".join(map(str, ANSWERS[:-1])) + ","
    text = ("participant_id,transcript_id,timepoint," + ",".join(ITEMS) + "\n"
            f"P1,t1,post_eval,{row1}\nP2,t2,post_eval,{row2}\n")
    data = read_outcomes(_write(tmp_path, text)).data
    assert data.loc[0, ["wai_total", "wai_goal", "wai_task", "wai_bond"]].tolist() == [44, 10, 15,
                                                                                       19]
    assert np.isnan(data.loc[1, "wai_total"]) and np.isnan(data.loc[1, "wai_task"])
    assert data.loc[1, "wai_bond"] == 19  # its items are all there


def test_wai_total_that_disagrees_with_its_items_is_e509(tmp_path):
    text = ("participant_id,timepoint,wai_total," + ",".join(ITEMS) + "\n"
            "P1,post_eval,45," + ",".join(map(str, ANSWERS)) + "\n")
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    assert info.value.code == "E509"
    assert "row 2" in info.value.message and "45" in info.value.message
    assert "44" in info.value.message


def test_wide_table_is_melted(tmp_path):
    text = """
participant_id,transcript_id,nprs_pre_eval,nprs_post_eval,nprs_follow_up,wai_total_post_eval,sex
P1,t1,7,5,3,48,f
P2,t2,6,,4,40,m
"""
    table = read_outcomes(_write(tmp_path, text))
    assert table.layout == "wide"
    data = table.data.set_index(["participant_id", "timepoint"])
    assert data.loc[("P1", "follow_up"), "nprs"] == 3
    assert data.loc[("P2", "post_eval"), "wai_total"] == 40
    assert np.isnan(data.loc[("P2", "post_eval"), "nprs"])
    assert data.loc[("P2", "pre_eval"), "sex"] == "m"
    assert set(data["transcript_id"]) == {"t1", "t2"}


def test_tidy_table_is_pivoted_and_parquet_works(tmp_path):
    tidy = pd.DataFrame({
        "participant_id": ["P1", "P1", "P1", "P2"],
        "transcript_id": ["t1", "t1", "t1", "t2"],
        "timepoint": ["pre_eval", "pre_eval", "post_eval", "pre_eval"],
        "measure": ["nprs", "psfs", "nprs", "nprs"],
        "value": [7.0, 3.0, 5.0, 6.0],
    })
    path = tmp_path / "tidy.parquet"
    tidy.to_parquet(path)
    table = read_outcomes(path)
    assert table.layout == "tidy"
    data = table.data.set_index(["participant_id", "timepoint"])
    assert data.loc[("P1", "pre_eval"), "psfs"] == 3.0
    assert data.loc[("P1", "post_eval"), "nprs"] == 5.0


def test_out_of_range_value_is_e502_with_row_and_range(tmp_path):
    text = LONG.replace("P1,,follow_up,,3,6.5,", "P1,,follow_up,,11,6.5,")
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    err = info.value
    assert err.code == "E502"
    # line 4 of the file (the header is line 1)
    assert "row 4" in err.message and "nprs = 11" in err.message and "0..10" in err.message
    assert err.path and err.path.endswith("outcomes.csv")


def test_out_of_range_wai_item_is_e502(tmp_path):
    answers = list(ANSWERS)
    answers[6] = 6
    text = ("participant_id,timepoint," + ",".join(ITEMS) + "\n"
            "P1,post_eval," + ",".join(map(str, answers)) + "\n")
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    assert info.value.code == "E502" and "wai_7 = 6" in info.value.message


def test_duplicate_participant_timepoint_is_e503(tmp_path):
    text = LONG + "P2,t2,pre_eval,,5,4,61\n"
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    assert info.value.code == "E503"
    assert "(P2, pre_eval) at rows 5, 7" in info.value.message


def test_unknown_time_point_is_e504(tmp_path):
    text = LONG.replace("P2,t2,post_eval", "P2,t2,week6")
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    assert info.value.code == "E504"
    assert "'week6' (row 6)" in info.value.message
    assert "pre_eval, post_eval, follow_up" in info.value.message


def test_configured_time_points_are_accepted(tmp_path):
    text = LONG.replace("pre_eval", "baseline").replace("post_eval", "week6").replace(
        "follow_up", "month6")
    table = read_outcomes(_write(tmp_path, text), timepoints=["baseline", "week6", "month6"])
    assert list(table.data["timepoint"][:3]) == ["baseline", "week6", "month6"]


def test_unknown_time_point_suffix_in_wide_table_is_e504(tmp_path):
    text = "participant_id,nprs_pre_eval,nprs_week6\nP1,5,4\n"
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    assert info.value.code == "E504" and "week6" in info.value.message


def test_non_number_is_e508(tmp_path):
    text = LONG.replace("P2,t2,pre_eval,,6,", "P2,t2,pre_eval,,six,")
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    assert info.value.code == "E508" and "row 5" in info.value.message
    assert "'six'" in info.value.message


def test_several_transcripts_for_one_participant_is_e510(tmp_path):
    text = LONG.replace("P1,,post_eval", "P1,t9,post_eval")
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text))
    assert info.value.code == "E510" and "t1, t9" in info.value.message


def test_missing_participant_column_is_e104(tmp_path):
    with pytest.raises(TaNlpError) as info:
        read_outcomes(_write(tmp_path, "id,timepoint,nprs\nP1,pre_eval,4\n"))
    assert info.value.code == "E104" and "participant_id" in info.value.message


def test_missing_file_is_e001(tmp_path):
    with pytest.raises(TaNlpError) as info:
        read_outcomes(tmp_path / "nope.csv")
    assert info.value.code == "E001"


def test_declared_measure_range_and_direction(tmp_path):
    text = "participant_id,timepoint,odi\nP1,pre_eval,42\nP1,post_eval,30\n"
    table = read_outcomes(_write(tmp_path, text), measures=["odi=0:100:lower"])
    assert table.measures["odi"] == Measure("odi", 0.0, 100.0, "lower", "odi", "outcome")
    assert table.outcome_measures == ["odi"]
    with pytest.raises(StatsError) as info:
        read_outcomes(_write(tmp_path, text), measures=["odi=0:40:lower"])
    assert info.value.code == "E502" and "odi = 42" in info.value.message
    # undeclared, it is a covariate and not validated
    assert read_outcomes(_write(tmp_path, text)).covariates == ["odi"]


@pytest.mark.parametrize("spec", ["odi", "odi=100:0", "odi=0:100:worse", "1odi=0:10", "odi=a:b"])
def test_bad_measure_declaration_is_e511(spec):
    with pytest.raises(StatsError) as info:
        parse_measure(spec)
    assert info.value.code == "E511"


def test_builtin_ranges():
    assert (MEASURES["wai_total"].low, MEASURES["wai_total"].high) == (12, 60)
    assert (MEASURES["wai_goal"].low, MEASURES["wai_goal"].high) == (4, 20)
    assert (MEASURES["nprs"].low, MEASURES["nprs"].high, MEASURES["nprs"].better) == (0, 10,
                                                                                     "lower")
    assert MEASURES["psfs"].better == "higher"


def _encounters(*tids: str) -> pd.DataFrame:
    return pd.DataFrame({"transcript_id": list(tids), "touch_n": range(len(tids))})


def test_linkage_reports_unlinked_both_ways_and_keeps_the_rest(tmp_path):
    text = LONG + "P3,,pre_eval,,4,5,40\nP4,t4,pre_eval,,5,5,33\n"
    table = read_outcomes(_write(tmp_path, text))
    linkage = link_outcomes(table, _encounters("t1", "t2", "t9"))
    report = linkage.report
    assert list(report.columns) == list(LINKAGE_COLUMNS)
    got = {tuple(None if pd.isna(v) else v for v in (r.issue, r.participant_id, r.transcript_id))
           for r in report.itertuples()}
    assert got == {("missing_transcript_id", "P3", None), ("no_coded_encounter", "P4", "t4"),
                   ("no_outcomes", None, "t9")}
    assert linkage.n_linked == 2
    assert set(linkage.data["participant_id"]) == {"P1", "P2"}
    assert "touch_n" in linkage.data.columns


def test_strict_linkage_raises_e506_and_e507(tmp_path):
    table = read_outcomes(_write(tmp_path, LONG))
    with pytest.raises(StatsError) as info:
        link_outcomes(table, _encounters("t1"), strict=True)
    assert info.value.code == "E506" and "P2 (t2)" in info.value.message
    with pytest.raises(StatsError) as info:
        link_outcomes(table, _encounters("t1", "t2", "t3"), strict=True)
    assert info.value.code == "E507" and "t3" in info.value.message
    assert link_outcomes(table, _encounters("t1", "t2"), strict=True).n_linked == 2
