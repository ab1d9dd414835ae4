"""A commune (xã, phường or đặc khu) of a working folder, and the area that decides its income
line (standards.md §6): a phường is urban (``thanh_thi``), a xã rural (``nong_thon``); an
đặc khu must say which, and a phường or xã that says the opposite is refused. Pure: values
in, a frozen value out; mistakes are :class:`RulesetError` (exit 4) naming where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from ngheo_cli.core.schema import AREA_LABELS
from ngheo_cli.core.text import fold
from ngheo_cli.errors import RulesetError

CommuneType = Literal["phuong", "xa", "dac_khu"]
Area = Literal["thanh_thi", "nong_thon"]

TYPE_LABELS: dict[str, str] = {"phuong": "phường", "xa": "xã", "dac_khu": "đặc khu"}
AREA_BY_TYPE: dict[str, str] = {"phuong": "thanh_thi", "xa": "nong_thon"}
_TYPE_BY_FOLD = {"phuong": "phuong", "xa": "xa", "dackhu": "dac_khu"}
_AREA_BY_FOLD = {"thanhthi": "thanh_thi", "dothi": "thanh_thi", "nongthon": "nong_thon"}
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")


def text_code(value: object, what: str, where: str) -> str:
    """A code written as text (a number would have lost its leading zeros), or RulesetError."""
    if isinstance(value, bool) or not isinstance(value, str):
        if value is None:
            shown = "để trống"
        elif isinstance(value, int | float) and not isinstance(value, bool):
            shown = f"là số {value!r} (YAML đọc mã không có dấu nháy thành số)"
        else:
            shown = f"là {value!r}"
        raise RulesetError(
            f"{where}: {what} phải là chữ, không được {shown}.",
            hint="Viết mã trong dấu nháy, ví dụ code: '00123' (để giữ số 0 ở đầu).",
        )
    code = value.strip()
    if not _CODE.match(code):
        raise RulesetError(
            f"{where}: {what} {value!r} không hợp lệ: chỉ gồm chữ số, chữ cái, '.', '-', '_'."
        )
    return code


def plain_name(value: object, what: str, where: str) -> str:
    """A name with its spaces tidied; missing or blank → RulesetError."""
    if not isinstance(value, str) or not value.strip():
        raise RulesetError(f"{where}: thiếu {what}.")
    return " ".join(value.split())


@dataclass(frozen=True)
class CommuneConfig:
    """One commune (xã, phường or đặc khu) and the area that decides its income line."""

    code: str
    name: str
    type: CommuneType
    khu_vuc: Area

    def __post_init__(self) -> None:
        if self.type not in TYPE_LABELS:
            raise RulesetError(f"Loại đơn vị {self.type!r} không hợp lệ.")
        if self.khu_vuc not in AREA_LABELS:
            raise RulesetError(f"Khu vực {self.khu_vuc!r} không hợp lệ.")
        implied = AREA_BY_TYPE.get(self.type)
        if implied is not None and implied != self.khu_vuc:
            raise RulesetError(
                f"{self.name} ({self.code}) là {TYPE_LABELS[self.type]} nên phải thuộc khu vực "
                f"{AREA_LABELS[implied].lower()}, không phải {AREA_LABELS[self.khu_vuc].lower()}."
            )

    @classmethod
    def create(
        cls,
        code: object,
        name: object,
        type: object,
        khu_vuc: object = None,
        *,
        where: str = "Xã",
    ) -> CommuneConfig:
        """Build from user values: Vietnamese spellings accepted ("phường", "Đặc khu",
        "nông thôn", "đô thị"); the area follows from the type except for an đặc khu."""
        code_text = text_code(code, "mã xã", where)
        name_text = plain_name(name, "tên xã", where)
        folded = fold(type) if isinstance(type, str) else ""
        kind = _TYPE_BY_FOLD.get(folded)
        if kind is None:
            raise RulesetError(
                f"{where}: loại đơn vị {type!r} không hợp lệ.",
                hint="Dùng một trong: phuong (phường), xa (xã), dac_khu (đặc khu).",
            )
        area: str | None = None
        if khu_vuc is not None and not (isinstance(khu_vuc, str) and not khu_vuc.strip()):
            area = _AREA_BY_FOLD.get(fold(khu_vuc)) if isinstance(khu_vuc, str) else None
            if area is None:
                raise RulesetError(
                    f"{where}: khu vực {khu_vuc!r} không hợp lệ.",
                    hint="Dùng nong_thon (nông thôn) hoặc thanh_thi (thành thị / đô thị).",
                )
        implied = AREA_BY_TYPE.get(kind)
        if area is None:
            if implied is None:
                raise RulesetError(
                    f"{where}: {name_text} ({code_text}) là đặc khu nên phải ghi rõ khu_vuc "
                    "(nong_thon hoặc thanh_thi): chương trình không tự đoán.",
                )
            area = implied
        if implied is not None and area != implied:
            raise RulesetError(
                f"{where}: {name_text} ({code_text}) là {TYPE_LABELS[kind]} nên luôn thuộc khu "
                f"vực {AREA_LABELS[implied].lower()}, không thể ghi {AREA_LABELS[area].lower()}.",
                hint="Bỏ khu_vuc để dùng khu vực theo loại đơn vị, hoặc sửa lại type.",
            )
        return cls(code_text, name_text, cast(CommuneType, kind), cast(Area, area))

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "type": self.type, "khu_vuc": self.khu_vuc}
