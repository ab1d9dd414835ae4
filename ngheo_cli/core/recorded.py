"""The class a review *recorded* for a household, read from its label.

Review workbooks and recognised lists carry the class as words ("Hộ nghèo", "HCN",
"Hộ thoát nghèo"…) in a ``ket_qua_ra_soat`` column. The words → class code vocabulary is
data (``rulesets/vocabulary/recorded_classes.yaml``, loaded by
:func:`ngheo_cli.io.rulesets.recorded_class_index`); this
module only matches, after :func:`~.text.fold`, and never guesses: an unknown label comes
back as missing, for the caller to report as a finding with its cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ngheo_cli.core.schema import CLASS_ORDER
from ngheo_cli.core.text import fold


def label_index(vocabulary: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Folded label → class code. Raises ValueError for an unknown class code or a label
    listed under two classes (the vocabulary itself is wrong, not a household)."""
    index: dict[str, str] = {}
    for code, labels in vocabulary.items():
        if code not in CLASS_ORDER:
            raise ValueError(f"unknown class code {code!r} in the recorded-class vocabulary")
        for label in (code, *labels):
            key = fold(str(label))
            if index.get(key, code) != code:
                raise ValueError(f"label {label!r} is listed under {index[key]!r} and {code!r}")
            index[key] = code
    return index


def recorded_classes(labels: pd.Series, index: Mapping[str, str]) -> tuple[pd.Series, pd.Series]:
    """Class codes for ``labels`` (a string Series) and a mask of the cells whose label is
    present but unknown. Blank cells give <NA> and are not unknown."""
    text = labels.astype("string")
    present = text.notna() & (text.str.strip() != "")
    folded = text.where(present).map(lambda v: fold(v) if isinstance(v, str) else None)
    codes = folded.map(lambda v: index.get(v) if isinstance(v, str) else None)
    codes = pd.Series(pd.array(codes, dtype="string"), index=labels.index)
    unknown = present & codes.isna()
    return codes, unknown.astype(bool)
