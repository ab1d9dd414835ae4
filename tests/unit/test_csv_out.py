"""CSV outputs never carry a formula; HTML never carries a control character (issue 11.2)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ngheo_cli.io.outputs.csv import neutralise, write_csv
from ngheo_cli.io.outputs.html import environment

HOSTILE = [
    '=HYPERLINK("http://x.example","Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def test_text_cells_that_would_run_are_quoted_and_numbers_stay_numbers() -> None:
    frame = pd.DataFrame(
        {
            "ho_ten": [*HOSTILE, "Nguyễn Văn An", "-5", "+84912345678", None],
            "so": [1, -2, 3, 4, 5, 6, 7, 8, -9, 10, 11],
            "thu_nhap": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
        }
    )
    out = neutralise(frame)
    assert out["ho_ten"].tolist()[: len(HOSTILE)] == ["'" + v for v in HOSTILE]
    assert out["ho_ten"].tolist()[len(HOSTILE) : -1] == ["Nguyễn Văn An", "-5", "+84912345678"]
    assert pd.isna(out["ho_ten"].iloc[-1])
    pd.testing.assert_series_equal(out["so"], frame["so"])
    pd.testing.assert_series_equal(out["thu_nhap"], frame["thu_nhap"])
    assert frame["ho_ten"].iloc[0] == HOSTILE[0]  # the input frame is not changed


def test_write_csv_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"ma_ho": ["0001", "0002"], "ho_ten": ["=1+1", "Lê Thị Hoa"]})
    path = tmp_path / "x.csv"
    write_csv(frame, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows == [["ma_ho", "ho_ten"], ["0001", "'=1+1"], ["0002", "Lê Thị Hoa"]]


def test_classify_csv_output_is_neutralised(cli, tmp_path: Path) -> None:
    source = tmp_path / "xa.csv"
    rows = [
        ["Mã hộ", "Họ tên chủ hộ", "Khu vực", "Số nhân khẩu", "Thu nhập bình quân", "Điểm B"],
        ["0001", HOSTILE[0], "Nông thôn", "4", "1200000", "0"],
        ["0002", HOSTILE[1], "Nông thôn", "3", "2500000", "10"],
    ]
    with source.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "out"
    res = cli("classify", source, "--year", "2024", "--out", out, "--format", "csv")
    assert res.exit_code == 0, res.stderr
    (written,) = out.glob("*.csv")
    text = written.read_text(encoding="utf-8-sig")
    cells = [c for r in csv.reader(text.splitlines()) for c in r]
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[1] in cells
    assert not any(c.startswith(("=", "@")) for c in cells)


def test_control_characters_never_reach_html() -> None:
    env = environment()
    page = env.from_string("<p>{{ name }}</p><p>{{ note }}</p>").render(
        name="Nguyễn\x07 Văn\x1b[31m An\x00", note="dòng 1\ndòng\t2\x85"
    )
    assert page == "<p>Nguyễn Văn[31m An</p><p>dòng 1\ndòng\t2</p>"
