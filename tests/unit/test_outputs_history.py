"""The history workbook's words for codes."""

from __future__ import annotations

import pandas as pd
import pytest

from ngheo_cli.core.history import BIEN_DONG_LABELS
from ngheo_cli.core.schema import CLASS_LABELS
from ngheo_cli.io.outputs.history import labelled


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (["con_ngheo", None, "ra_danh_sach", "con_ngheo", "ngheo"], "string"),
        ([None, None], "string"),
        (["không_có_mã", "ngheo"], "string"),
        ([], "string"),
        (["ngheo", "can_ngheo", None, "trung_binh"], object),
        (["ngheo", "can_ngheo", "ngheo"], "str"),
        ([1, 2, 2], "int64"),
        ([1.0, None], "float64"),
    ],
)
def test_labelled_is_map_with_the_same_values_dtype_and_index(values: list, dtype: str) -> None:
    codes = pd.Series(values, dtype=dtype, index=range(7, 7 + len(values)), name="ma")
    for labels in (BIEN_DONG_LABELS, CLASS_LABELS):
        expected = codes.map(labels)
        got = labelled(codes, labels)
        pd.testing.assert_series_equal(got, expected, check_exact=True)
        assert got.dtype == expected.dtype


def test_labelled_names_each_code_in_words() -> None:
    codes = pd.Series(["tai_ngheo", None, "ngheo_moi"], dtype="string")
    assert labelled(codes, BIEN_DONG_LABELS).tolist()[::2] == ["Tái nghèo", "Nghèo phát sinh mới"]
    assert pd.isna(labelled(codes, BIEN_DONG_LABELS).iloc[1])
