"""core.recognised: a recognised list → the households of a store year, every row accounted for."""

from __future__ import annotations

import unicodedata

import pandas as pd

from ngheo_cli.core.recognised import class_changes, read_recognised
from ngheo_cli.core.table import RawTable
from ngheo_cli.io.rulesets import recorded_class_index

INDEX = recorded_class_index()
COLUMNS = {
    "stt": "A",
    "ma_ho": "B",
    "ho_ten_chu_ho": "C",
    "thon": "D",
    "so_nhan_khau": "E",
    "ket_qua_ra_soat": "F",
    "nlnn": "G",
}


def raw(rows: list[dict[str, str | None]], first_row: int = 5) -> RawTable:
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    frame.index = pd.Index(range(first_row, first_row + len(rows)))
    return RawTable(
        source="ds.xlsx",
        sheet="DS",
        frame=frame,
        columns=dict(COLUMNS),
        headers={k: k for k in COLUMNS},
        header_rows=(first_row - 1,),
    )


def row(stt, code, head, label, size="3", thon="Thôn 1", nlnn=None) -> dict[str, str | None]:
    return {
        "stt": stt,
        "ma_ho": code,
        "ho_ten_chu_ho": head,
        "thon": thon,
        "so_nhan_khau": size,
        "ket_qua_ra_soat": label,
        "nlnn": nlnn,
    }


def codes_of(findings, code: str) -> list[str]:
    return [f.cell for f in findings if f.code == code]


def test_labels_in_both_unicode_forms_and_abbreviations() -> None:
    nfd = unicodedata.normalize("NFD", "Hộ cận nghèo")
    result = read_recognised(
        raw(
            [
                row("1", "01", "A", nfd),
                row("2", "02", "B", "HN"),
                row("3", "03", "C", "hộ KHÔNG nghèo"),
                row("4", "04", "D", "MSTB"),
            ]
        ),
        INDEX,
        2023,
    )
    assert list(result.households["phan_loai"]) == ["can_ngheo", "ngheo", "khac", "trung_binh"]
    assert result.findings == []


def test_codes_cleaned_with_a_warning_and_unusable_codes_rejected() -> None:
    result = read_recognised(
        raw(
            [
                row("1", "12.0", "A", "Hộ nghèo"),
                row("2", "\u00a013\u00a0", "B", "Hộ nghèo"),
                row("3", "1.2E+11", "C", "Hộ nghèo"),
                row("4", None, "D", "Hộ nghèo"),
            ]
        ),
        INDEX,
        2023,
    )
    assert list(result.households["ma_ho"]) == ["12", "13"]
    assert codes_of(result.findings, "ds-ma-ho-da-sua") == ["DS!B5", "DS!B6"]
    assert codes_of(result.findings, "ds-ma-ho-khong-dung-duoc") == ["DS!B7"]
    assert codes_of(result.findings, "ma-ho-trong") == ["DS!B8"]
    assert result.input_rows == 4 and len(result.rejected) == 2


def test_exact_repeat_is_one_household_even_with_another_serial_or_code_spelling() -> None:
    result = read_recognised(
        raw(
            [
                row("1", "01", "A", "Hộ nghèo"),
                row("2", "02", "B", "Hộ nghèo"),
                row("3", "01", "A ", "Hộ nghèo"),
                row("4", "02.0", "B", "Hộ nghèo"),
            ]
        ),
        INDEX,
        2023,
    )
    assert list(result.households["ma_ho"]) == ["01", "02"]
    repeats = [f for f in result.findings if f.code == "ds-dong-trung"]
    assert [f.row for f in repeats] == [7, 8]
    assert "dòng 5" in repeats[0].message and "dòng 6" in repeats[1].message
    assert result.duplicates == [7, 8] and result.input_rows == 4
    assert result.errors == []


def test_same_code_different_content_rejects_every_such_row() -> None:
    result = read_recognised(
        raw(
            [
                row("1", "01", "A", "Hộ nghèo"),
                row("2", "01", "A", "Hộ cận nghèo"),
                row("3", "02", "B", "Hộ nghèo"),
            ]
        ),
        INDEX,
        2023,
    )
    assert list(result.households["ma_ho"]) == ["02"]
    clash = [f for f in result.findings if f.code == "ds-ma-ho-trung-khac"]
    assert [f.cell for f in clash] == ["DS!B5", "DS!B6"]
    assert all("5, 6" in f.message for f in clash)


def test_unknown_or_blank_class_rejected_flags_unreadable_warned() -> None:
    result = read_recognised(
        raw(
            [
                row("1", "01", "A", "Hộ khó khăn"),
                row("2", "02", "B", None),
                row("3", "03", "C", "Hộ nghèo", nlnn="??"),
                row("4", "04", "D", "Hộ nghèo", size=""),
            ]
        ),
        INDEX,
        2023,
    )
    assert codes_of(result.findings, "ds-ket-qua-khong-ro") == ["DS!F5"]
    assert codes_of(result.findings, "ds-ket-qua-trong") == ["DS!F6"]
    assert codes_of(result.findings, "ds-danh-dau-khong-ro") == ["DS!G7"]
    assert codes_of(result.findings, "ds-thieu-nhan-khau") == ["DS!E8"]
    kept = result.households.set_index("ma_ho")
    assert list(kept.index) == ["03", "04"]
    assert pd.isna(kept.loc["03", "nlnn"]) and pd.isna(kept.loc["04", "so_nhan_khau"])


def test_class_changes_treat_above_the_line_as_one() -> None:
    recognised = pd.DataFrame(
        {
            "ma_ho": ["1", "2", "3", "4"],
            "ho_ten_chu_ho": list("ABCD"),
            "phan_loai": ["ngheo", "khac", "trung_binh", "can_ngheo"],
        }
    )
    computed = pd.DataFrame(
        {"ma_ho": ["1", "2", "3", "5"], "phan_loai": ["can_ngheo", "tren_chuan", "khac", "ngheo"]}
    )
    changes = class_changes(recognised, computed, 2023)
    assert changes.changes[["ma_ho", "cong_nhan", "tinh_toan"]].values.tolist() == [
        ["1", "ngheo", "can_ngheo"]
    ]
    assert (changes.compared, changes.only_recognised, changes.only_computed) == (3, 1, 1)
    assert changes.to_dict()["by_change"] == {"ngheo→can_ngheo": 1}


def test_local_minority_mark_counts_as_dtts_when_no_ethnicity_is_given() -> None:
    rows = [row("1", "01", "A", "Hộ nghèo"), row("2", "02", "B", "Hộ nghèo")]
    table = raw(rows)
    table.frame["dan_toc_tai_cho"] = ["x", None]
    table.columns["dan_toc_tai_cho"] = "H"
    result = read_recognised(table, INDEX, 2023)
    assert result.households["is_dtts"].tolist() == [True, pd.NA]


def test_ngheos_own_class_labels_read_back() -> None:
    from ngheo_cli.core.schema import CLASS_LABELS

    labels = pd.Series(list(CLASS_LABELS.values()))
    rows = [row(str(i), f"0{i}", "A", label) for i, label in enumerate(labels)]
    result = read_recognised(raw(rows), INDEX, 2023)
    assert result.errors == []
    assert list(result.households["phan_loai"]) == list(CLASS_LABELS)
    assert sum(result.counts().values()) == len(CLASS_LABELS)
