"""The report's forms (``ctx["forms"]``, see :mod:`ngheo_cli.core.forms`) as :class:`Form`
sheets: the official layouts of standards.md §8, column for column. ``docs/forms.md`` puts
each official form beside the sheet that produces it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ngheo_cli.core.targets import LEVEL_LABELS
from ngheo_cli.io.xlsx.forms import (
    NO_DATA,
    NOT_DEFINED,
    Form,
    HeaderCell,
    Letterhead,
    Missing,
    Rate,
    Row,
)

TOTAL = "Tổng cộng"
KIND_LABELS = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}
NO_WIDTH, NAME_WIDTH, NUM_WIDTH = 5.0, 24.0, 9.0


def letterhead(ctx: Mapping[str, Any]) -> Letterhead:
    unit = ctx["unit"]
    year = (ctx.get("generated_on") or "")[-4:]
    year_line = f"năm {year}" if year else "năm …"
    if ctx["level"] == "commune":
        name = str(unit["name"])
        place = name.split(" ", 1)[1] if name.lower().startswith(("xã ", "phường ")) else name
        authority = ["ỦY BAN NHÂN DÂN", name.upper()]
        chair = "TM. ỦY BAN NHÂN DÂN XÃ" if not name.lower().startswith("phường") else (
            "TM. ỦY BAN NHÂN DÂN PHƯỜNG")
    else:
        place = str(unit["name"])
        authority = ["ỦY BAN NHÂN DÂN", f"TỈNH {place.upper()}"]
        chair = "TM. ỦY BAN NHÂN DÂN TỈNH"
    return Letterhead(
        authority=authority, place=place, year_line=year_line,
        signatures=[["NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"],
                    [chair, "CHỦ TỊCH", "(Ký tên, đóng dấu)"]],
    )


def _where(ctx: Mapping[str, Any]) -> str:
    unit = ctx["unit"]
    if ctx["level"] == "commune":
        return f"{unit['name']}, tỉnh {unit['province_name']}"
    return f"Tỉnh {unit['name']}"


def _unit_word(ctx: Mapping[str, Any]) -> str:
    return "Thôn, buôn, tổ dân phố" if ctx["level"] == "commune" else "Xã, phường"


def _count(value: Any, missing: str = NO_DATA) -> Any:
    return Missing(missing) if value is None else int(value)


def _rate(value: float | None, missing: str | None = None) -> Any:
    if missing is not None:
        return Missing(missing)
    return Rate(value)


def _standard_line(ctx: Mapping[str, Any]) -> list[str]:
    std = ctx.get("standard")
    if not std:
        return []
    return [f"Chuẩn nghèo áp dụng: {std['legal_basis']}"]


# --- 1. results -------------------------------------------------------------------------------


def results_form(ctx: Mapping[str, Any]) -> Form:
    forms = ctx["forms"]
    res = forms["results"]
    middle_missing = None
    if not forms["middle_defined"]:
        middle_missing = NOT_DEFINED
    elif "nlnn" in forms["missing"]:
        middle_missing = NO_DATA
    header = [
        HeaderCell(0, 0, 2, 0, "TT"),
        HeaderCell(0, 1, 2, 1, _unit_word(ctx)),
        HeaderCell(0, 2, 1, 3, "Tổng số dân cư trú"),
        HeaderCell(2, 2, 2, 2, "Số hộ"), HeaderCell(2, 3, 2, 3, "Số nhân khẩu"),
        HeaderCell(0, 4, 0, 9, "Theo số hộ"),
        HeaderCell(0, 10, 0, 15, "Theo số nhân khẩu"),
    ]
    groups = ("Hộ nghèo", "Hộ cận nghèo",
              "Hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình")
    for start, unit in ((4, "Số hộ"), (10, "Số nhân khẩu")):
        for i, label in enumerate(groups):
            col = start + 2 * i
            header.append(HeaderCell(1, col, 1, col + 1, label))
            header.append(HeaderCell(2, col, 2, col, unit))
            header.append(HeaderCell(2, col + 1, 2, col + 1, "Tỷ lệ (%)"))
    numbers = ["A", "B", "1", "2", "3", "4 = 3/1 × 100", "5", "6 = 5/1 × 100", "7",
               "8 = 7/1 × 100", "9", "10 = 9/2 × 100", "11", "12 = 11/2 × 100", "13",
               "14 = 13/2 × 100"]

    def values(r: Mapping[str, Any], no: str, name: str) -> list[Any]:
        return [
            no, name, _count(r["households"]), _count(r["persons"]),
            _count(r["poor"]), _rate(r["poor_rate"]),
            _count(r["near_poor"]), _rate(r["near_poor_rate"]),
            _count(r["nlnn_middle"], middle_missing or NO_DATA),
            _rate(r["nlnn_middle_rate"], middle_missing),
            _count(r["poor_persons"]), _rate(r["poor_persons_rate"]),
            _count(r["near_poor_persons"]), _rate(r["near_poor_persons_rate"]),
            _count(r["nlnn_middle_persons"], middle_missing or NO_DATA),
            _rate(r["nlnn_middle_persons_rate"], middle_missing),
        ]

    rows = [Row(values(r, r["no"], r["name"])) for r in res["rows"]]
    rows.append(Row(values(res["total"], "", TOTAL), bold=True))
    notes = [
        "Cột 7, 13: hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình (hộ có mức "
        "sống trung bình và có đánh dấu làm nông, lâm, ngư, diêm nghiệp trong sổ rà soát)."
    ]
    if middle_missing == NO_DATA:
        notes.append("Cột 7, 8, 13, 14: không có số liệu vì sổ rà soát không có cột hộ làm "
                     "nông, lâm, ngư, diêm nghiệp.")
    elif middle_missing == NOT_DEFINED:
        notes.append("Cột 7, 8, 13, 14: chuẩn nghèo áp dụng không quy định mức sống trung bình.")
    return Form(
        name="Tổng hợp kết quả rà soát",
        title=("TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ LÀM NÔNG, LÂM, NGƯ, "
               f"DIÊM NGHIỆP CÓ MỨC SỐNG TRUNG BÌNH NĂM {ctx['year']}"),
        subtitle=[_where(ctx), *_standard_line(ctx)],
        header=header, header_rows=3, numbers=numbers,
        widths=[NO_WIDTH, NAME_WIDTH, 8.0, 9.0] + [8.0, 10.0] * 6,
        rows=rows, notes=notes,
    )


# --- 2, 3. balances ---------------------------------------------------------------------------

BALANCE_HEADERS: dict[str, dict[int, str]] = {
    "poor": {
        1: "Số hộ nghèo đầu kỳ",
        2: "Thoát nghèo, chuyển sang hộ cận nghèo",
        3: "Thoát nghèo, vượt chuẩn cận nghèo",
        4: "Giảm khác (thay đổi nhân khẩu, chết, chuyển đi, nhập hộ…)",
        5: "Từ hộ cận nghèo rơi xuống hộ nghèo",
        6: "Tái nghèo",
        7: "Phát sinh mới",
        8: "Tăng khác (chuyển đến, tách hộ…)",
        9: "Số hộ nghèo cuối kỳ",
    },
    "near_poor": {
        1: "Số hộ cận nghèo đầu kỳ",
        2: "Thoát cận nghèo",
        3: "Trở thành hộ nghèo",
        4: "Giảm khác (thay đổi nhân khẩu, chết, chuyển đi, nhập hộ…)",
        5: "Từ hộ nghèo chuyển sang hộ cận nghèo",
        6: "Tái cận nghèo",
        7: "Phát sinh mới",
        8: "Tăng khác (chuyển đến, tách hộ…)",
        9: "Số hộ cận nghèo cuối kỳ",
    },
}


def balance_form(ctx: Mapping[str, Any], kind: str) -> Form:
    labels = BALANCE_HEADERS[kind]
    word = "HỘ NGHÈO" if kind == "poor" else "HỘ CẬN NGHÈO"
    header = [
        HeaderCell(0, 0, 1, 0, "TT"), HeaderCell(0, 1, 1, 1, _unit_word(ctx)),
        HeaderCell(0, 2, 1, 2, "Đơn vị tính"),
        HeaderCell(0, 3, 1, 3, f"{labels[1]} (1)"),
        HeaderCell(0, 4, 0, 6, "Giảm trong kỳ"),
        HeaderCell(0, 7, 0, 10, "Tăng trong kỳ"),
        HeaderCell(0, 11, 1, 11, f"{labels[9]} (9)"),
    ]
    for line in range(2, 9):
        col = line + 2
        header.append(HeaderCell(1, col, 1, col, f"{labels[line]} ({line})"))
    numbers = ["A", "B", "C", *map(str, range(1, 9)),
               "9 = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8"]
    data = (ctx["forms"].get("balances") or {}).get(kind)
    rows: list[Row] = []
    notes = ["Cột 9 = cột 1 − cột 2 − cột 3 − cột 4 + cột 5 + cột 6 + cột 7 + cột 8, theo hộ "
             "và theo nhân khẩu, ở mọi dòng."]
    if data is None:
        prev = ctx["year"] - 1
        for r in ctx["forms"]["units"]:
            rows.append(Row([r["no"], r["name"], "Hộ", *[Missing(NO_DATA)] * 9], merge_down=1))
            rows.append(Row([None, None, "Nhân khẩu", *[Missing(NO_DATA)] * 9]))
        notes = [f"Không có số liệu năm {prev}: chưa lập được biểu diễn biến."]
    else:
        for r in data["rows"]:
            rows.append(Row([r["no"], r["name"], "Hộ", *r["households"]], merge_down=1))
            rows.append(Row([None, None, "Nhân khẩu", *r["persons"]]))
        t = data["total"]
        rows.append(Row(["", TOTAL, "Hộ", *t["households"]], bold=True, merge_down=1))
        rows.append(Row([None, None, "Nhân khẩu", *t["persons"]], bold=True))
        if ctx["level"] == "commune":
            notes.append("Hộ chuyển giữa các thôn, buôn trong xã được tính ở cột 4 của thôn đi "
                         "và cột 8 của thôn đến.")
        notes.append("Nhân khẩu: hộ ra khỏi danh sách tính theo số nhân khẩu năm trước, hộ vào "
                     "danh sách theo số nhân khẩu năm nay; thay đổi nhân khẩu của hộ ở lại "
                     "danh sách được tính ở cột 4 (giảm) hoặc cột 8 (tăng).")
    return Form(
        name="Diễn biến hộ nghèo" if kind == "poor" else "Diễn biến hộ cận nghèo",
        title=f"TỔNG HỢP DIỄN BIẾN {word} NĂM {ctx['year']}",
        subtitle=[_where(ctx)],
        header=header, header_rows=2, numbers=numbers,
        widths=[NO_WIDTH, NAME_WIDTH, 11.0, 10.0] + [10.0] * 7 + [15.0],
        rows=rows, notes=notes, centered=frozenset({0, 2}),
    )


# --- 4. deprivations --------------------------------------------------------------------------


def deprivation_form(ctx: Mapping[str, Any], kind: str) -> Form:
    dep = ctx["forms"].get("deprivations")
    word = "HỘ NGHÈO" if kind == "poor" else "HỘ CẬN NGHÈO"
    who = KIND_LABELS[kind].lower()
    indicators = dep["indicators"] if dep else []
    n = len(indicators)
    header = [
        HeaderCell(0, 0, 1, 0, "TT"), HeaderCell(0, 1, 1, 1, _unit_word(ctx)),
        HeaderCell(0, 2, 1, 2, "Chỉ tiêu"),
        HeaderCell(0, 3, 1, 3, f"Tổng số {who}"),
        HeaderCell(0, 4, 1, 4, "Tổng số thiếu hụt"),
    ]
    col = 5
    # Dimensions over their indicators (the indicators are in the standard's order).
    i = 0
    while i < n:
        j = i
        while j + 1 < n and indicators[j + 1]["dimension"] == indicators[i]["dimension"]:
            j += 1
        header.append(HeaderCell(0, col + i, 0, col + j, indicators[i]["dimension"]))
        i = j + 1
    for k, ind in enumerate(indicators):
        header.append(HeaderCell(1, col + k, 1, col + k, ind["name"]))
    numbers = ["A", "B", "C", "1", "2", *[str(3 + k) for k in range(n)]]
    rows: list[Row] = []
    notes = [f"Dòng tỷ lệ: số {who} thiếu hụt chỉ số / cột 1 × 100. Cột 2: tổng số lượt "
             "thiếu hụt của các hộ (một hộ thiếu nhiều chỉ số được tính ở mỗi chỉ số)."]
    if dep is None:
        for r in ctx["forms"]["units"]:
            rows.append(Row([r["no"], r["name"], "Số hộ", Missing(NO_DATA), Missing(NO_DATA)]))
        notes = ["Không có số liệu từng chỉ số thiếu hụt (sổ rà soát chỉ có Điểm B)."]
        widths = [NO_WIDTH, NAME_WIDTH, 10.0, 12.0, 12.0]
        numbers = numbers[:5]
    else:
        data = dep[kind]

        def pair(r: Mapping[str, Any], no: str, name: str, bold: bool) -> None:
            rows.append(Row([no, name, "Số hộ", r["households"], r["deprivations"],
                             *r["counts"]], bold=bold, merge_down=1))
            rows.append(Row([None, None, "Tỷ lệ (%)", None, None,
                             *[Rate(v) for v in r["rates"]]], bold=bold))

        for r in data["rows"]:
            pair(r, r["no"], r["name"], False)
        pair(data["total"], "", TOTAL, True)
        if dep.get("households_without_marks"):
            notes.append(f"{dep['households_without_marks']} hộ nghèo, cận nghèo chỉ có Điểm B "
                         "(không có từng chỉ số) không được tính trong biểu này.")
        widths = [NO_WIDTH, 18.0, 9.0, 9.0, 9.0] + [8.0] * n
    return Form(
        name="Thiếu hụt - hộ nghèo" if kind == "poor" else "Thiếu hụt - hộ cận nghèo",
        title=("PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA "
               f"{word} NĂM {ctx['year']}"),
        subtitle=[_where(ctx), *_standard_line(ctx)],
        header=header, header_rows=2, numbers=numbers, widths=widths, rows=rows, notes=notes,
        centered=frozenset({0, 2}),
    )


# --- 5, 6, 7, 8. groups -----------------------------------------------------------------------


def _group_form(
    ctx: Mapping[str, Any], data: Mapping[str, Any], groups: Sequence[Mapping[str, str]],
    *, name: str, title: str, with_persons: bool, total_label: str, notes: list[str],
    group_width: float = 8.0, households_only: frozenset[str] = frozenset(),
) -> Form:
    """Per unit a row for poor and one for near-poor households; columns: the total, then
    each group (households, and persons when ``with_persons`` unless the group's key is in
    ``households_only``)."""
    per = 2 if with_persons else 1
    header = [HeaderCell(0, 0, 1, 0, "TT"), HeaderCell(0, 1, 1, 1, _unit_word(ctx)),
              HeaderCell(0, 2, 1, 2, "Loại hộ")]
    numbers = ["A", "B", "C"]
    all_groups = [{"key": "__total__", "label": total_label}, *groups]

    def width_of(key: str) -> int:
        return 1 if key in households_only else per

    col = 3
    for g in all_groups:
        if width_of(g["key"]) == 2:
            header.append(HeaderCell(0, col, 0, col + 1, g["label"]))
            header.append(HeaderCell(1, col, 1, col, "Hộ"))
            header.append(HeaderCell(1, col + 1, 1, col + 1, "Nhân khẩu"))
        else:
            header.append(HeaderCell(0, col, 1, col, g["label"] + (
                " (hộ)" if with_persons else "")))
        col += width_of(g["key"])
    ncols = col - 3
    numbers += [str(k) for k in range(1, ncols + 1)]

    def cells(r: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = [r["households"]]
        if with_persons:
            out.append(r["persons"])
        for g in groups:
            v = r.get(g["key"])
            n = width_of(g["key"])
            if v is None:
                out += [Missing(NO_DATA)] * n
            else:
                out += [v["households"], v["persons"]][:n]
        return out

    rows: list[Row] = []
    if data.get("poor") is None:
        for u in ctx["forms"]["units"]:
            rows.append(Row([u["no"], u["name"], "Hộ nghèo", *[Missing(NO_DATA)] * ncols],
                            merge_down=1))
            rows.append(Row([None, None, "Hộ cận nghèo", *[Missing(NO_DATA)] * ncols]))
    else:
        poor, near = data["poor"], data["near_poor"]
        for rp, rn in zip(poor["rows"], near["rows"], strict=True):
            rows.append(Row([rp["no"], rp["name"], "Hộ nghèo", *cells(rp)], merge_down=1))
            rows.append(Row([None, None, "Hộ cận nghèo", *cells(rn)]))
        rows.append(Row(["", TOTAL, "Hộ nghèo", *cells(poor["total"])], bold=True,
                        merge_down=1))
        rows.append(Row([None, None, "Hộ cận nghèo", *cells(near["total"])], bold=True))
    return Form(
        name=name, title=title, subtitle=[_where(ctx)], header=header,
        header_rows=2, numbers=numbers,
        widths=[NO_WIDTH, 20.0, 13.0] + [group_width] * ncols,
        rows=rows, notes=notes, centered=frozenset({0, 2}),
    )


def target_group_form(ctx: Mapping[str, Any]) -> Form:
    data = ctx["forms"]["target_groups"]
    return _group_form(
        ctx, data, data["groups"], name="Theo nhóm đối tượng",
        title=f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHÓM ĐỐI TƯỢNG NĂM {ctx['year']}",
        with_persons=True, total_label="Tổng số",
        notes=["Một hộ có thể thuộc nhiều nhóm (hộ dân tộc thiểu số có người có công…) và "
               "được tính ở mỗi nhóm; \"Hộ khác\": hộ không thuộc nhóm nào trong ba nhóm trên."]
        + _missing_notes(ctx, ("khong_kha_nang_lao_dong", "co_nguoi_co_cong")),
    )


def ethnic_form(ctx: Mapping[str, Any]) -> Form:
    data = ctx["forms"]["ethnic"]
    notes = ["Dân tộc thiểu số: tổng các dân tộc trừ Kinh; sau đó từng dân tộc có hộ nghèo "
             "hoặc hộ cận nghèo."]
    if not data.get("available"):
        notes = ["Không có số liệu dân tộc (sổ rà soát không có cột dân tộc)."]
    return _group_form(
        ctx, data, data["groups"], name="Theo dân tộc",
        title=f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC NĂM {ctx['year']}",
        with_persons=True, total_label="Tổng số", notes=notes,
        households_only=frozenset(g["key"] for g in data["groups"]
                                  if g["key"] not in ("kinh", "dtts")),
    )


def cause_form(ctx: Mapping[str, Any]) -> Form:
    data = ctx["forms"]["causes"]
    groups = [*data["causes"]]
    notes = ["Nguyên nhân ghi trong sổ rà soát, xếp vào tám nhóm của biểu; nguyên nhân "
             "không thuộc bảy nhóm đầu tính vào \"Nguyên nhân khác\"."]
    if data.get("available"):
        groups.append({"key": "chua_ghi", "label": "Chưa ghi nguyên nhân"})
    else:
        notes = ["Không có số liệu nguyên nhân nghèo (sổ rà soát không có cột nguyên nhân)."]
    return _group_form(
        ctx, data, groups, name="Theo nguyên nhân nghèo",
        title=f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO NGUYÊN NHÂN NGHÈO NĂM {ctx['year']}",
        with_persons=False, total_label="Tổng số hộ", notes=notes, group_width=11.0,
    )


def multidimensional_form(ctx: Mapping[str, Any]) -> Form:
    data = ctx["forms"]["multidimensional"]
    return _group_form(
        ctx, data, data["groups"], name="Theo chuẩn đa chiều",
        title=("KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO THEO CHUẨN NGHÈO ĐA CHIỀU NĂM "
               f"{ctx['year']}"),
        with_persons=True, total_label="Tổng số",
        notes=["Một hộ có thể thuộc nhiều cột (hộ dân tộc thiểu số tại chỗ có chủ hộ là "
               "nữ…) và được tính ở mỗi cột."]
        + _missing_notes(ctx, ("dan_toc_tai_cho", "co_nguoi_co_cong",
                               "khong_kha_nang_lao_dong", "gioi_tinh_chu_ho")),
    )


_FIELD_WORDS = {
    "nlnn": "hộ làm nông, lâm, ngư, diêm nghiệp",
    "dan_toc_tai_cho": "dân tộc tại chỗ",
    "gioi_tinh_chu_ho": "giới tính chủ hộ",
    "khong_kha_nang_lao_dong": "hộ không có khả năng lao động",
    "co_nguoi_co_cong": "hộ có người có công",
    "nguyen_nhan": "nguyên nhân nghèo",
    "dan_toc": "dân tộc",
}


def _missing_notes(ctx: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    absent = [_FIELD_WORDS[k] for k in keys if k in ctx["forms"]["missing"]]
    if not absent:
        return []
    return ["Không có số liệu: sổ rà soát không có cột " + ", ".join(absent) + "."]


# --- 9. detailed lists ------------------------------------------------------------------------

STATUS_WORDS = {
    "poor": ("Hộ nghèo mới", "Hộ tái nghèo", "Hộ nghèo cũ"),
    "near_poor": ("Hộ cận nghèo mới", "Hộ tái cận nghèo", "Hộ cận nghèo cũ"),
}


def list_form(ctx: Mapping[str, Any], kind: str) -> Form | None:
    lists = ctx["forms"].get("lists")
    if lists is None:
        return None
    words = STATUS_WORDS[kind]
    header = [
        HeaderCell(0, 0, 1, 0, "TT"), HeaderCell(0, 1, 1, 1, "Họ và tên chủ hộ"),
        HeaderCell(0, 2, 1, 2, "Mã hộ"), HeaderCell(0, 3, 1, 3, "Dân tộc"),
        HeaderCell(0, 4, 1, 4, "Giới tính chủ hộ"), HeaderCell(0, 5, 1, 5, "Số nhân khẩu"),
        HeaderCell(0, 6, 1, 6, "Số chỉ số thiếu hụt"),
        HeaderCell(0, 7, 0, 9, "Phân loại"),
        HeaderCell(1, 7, 1, 7, words[0]), HeaderCell(1, 8, 1, 8, words[1]),
        HeaderCell(1, 9, 1, 9, words[2]), HeaderCell(0, 10, 1, 10, "Ghi chú"),
    ]
    numbers = ["A", "B", *map(str, range(1, 10))]
    with_status = lists["with_status"]
    rows: list[Row] = []
    totals = [0, 0, 0, 0, 0]

    def status_cells(counts: Sequence[int]) -> list[Any]:
        return list(counts) if with_status else [Missing(NO_DATA)] * 3

    for group in lists[kind]:
        hh = group["households"]
        persons = sum(h["persons"] for h in hh)
        counts = [sum(h["status"] == s for h in hh) for s in ("moi", "tai", "cu")]
        rows.append(Row([group["no"], group["name"], None, None, None, persons, None,
                         *status_cells(counts), f"{len(hh)} hộ"], bold=True))
        totals[0] += len(hh)
        totals[1] += persons
        for k in range(3):
            totals[2 + k] += counts[k]
        for h in hh:
            marks: list[Any] = ([h["status"] == s for s in ("moi", "tai", "cu")]
                                if with_status else [None, None, None])
            rows.append(Row([h["no"], h["ho_ten"], h["ma_ho"], h["dan_toc"],
                             h["gioi_tinh"] or Missing(NO_DATA), h["persons"],
                             h["deprivations"], *marks, None]))
    rows.append(Row(["", TOTAL, None, None, None, totals[1], None,
                     *status_cells(totals[2:]), f"{totals[0]} hộ"], bold=True))
    word = "HỘ NGHÈO" if kind == "poor" else "HỘ CẬN NGHÈO"
    notes = [f"Cột 6, 7, 8: {words[0].lower()} (phát sinh mới, từ danh sách khác chuyển sang "
             f"hoặc chuyển đến), {words[1].lower()} (đã ra khỏi danh sách, nay trở lại), "
             f"{words[2].lower()} (có trong danh sách năm {ctx['year'] - 1})."]
    if not with_status:
        notes.append(f"Không có số liệu năm {ctx['year'] - 1}: chưa phân loại được mới, tái, cũ.")
    return Form(
        name="DS hộ nghèo" if kind == "poor" else "DS hộ cận nghèo",
        title=f"DANH SÁCH CHI TIẾT {word} NĂM {ctx['year']}",
        subtitle=[_where(ctx)], header=header, header_rows=2, numbers=numbers,
        widths=[7.0, 26.0, 10.0, 10.0, 9.0, 9.0, 10.0, 10.0, 10.0, 10.0, 12.0],
        rows=rows, notes=notes, centered=frozenset({0, 2, 4}),
    )


# --- other tables of the report (targets, needs, support) ------------------------------------


def simple_form(ctx: Mapping[str, Any], *, name: str, title: str,
                columns: Sequence[tuple[str, str, float]], rows: Sequence[Mapping[str, Any]],
                notes: Sequence[str], number: Callable[[int], str] | None = None) -> Form:
    """A one-level table in the same frame: columns (key, header, width)."""
    header = [HeaderCell(0, 0, 0, 0, "TT")]
    header += [HeaderCell(0, i + 1, 0, i + 1, h) for i, (_, h, _) in enumerate(columns)]
    numbers = ["A", *[str(i) for i in range(1, len(columns) + 1)]]
    body = [Row([str(i), *[r.get(k) for k, _, _ in columns]])
            for i, r in enumerate(rows, start=1)]
    return Form(name=name, title=title, subtitle=[_where(ctx)], header=header, header_rows=1,
                numbers=numbers, widths=[NO_WIDTH, *[w for _, _, w in columns]],
                rows=body, notes=list(notes))


def needs_form(ctx: Mapping[str, Any]) -> Form:
    rows = [{"nhom": r["nhom"], "poor": r["poor"], "poor_share": Rate(r["poor_share"]),
             "near_poor": r["near_poor"], "near_poor_share": Rate(r["near_poor_share"]),
             "total": r["total"]} for r in ctx["needs"]]
    return simple_form(
        ctx, name="Theo nhu cầu hỗ trợ",
        title=f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHU CẦU HỖ TRỢ NĂM {ctx['year']}",
        columns=[("nhom", "Nhu cầu hỗ trợ", 24.0), ("poor", "Hộ nghèo", 10.0),
                 ("poor_share", "Tỷ lệ trong số hộ nghèo (%)", 12.0),
                 ("near_poor", "Hộ cận nghèo", 10.0),
                 ("near_poor_share", "Tỷ lệ trong số hộ cận nghèo (%)", 12.0),
                 ("total", "Cộng", 10.0)],
        rows=rows,
        notes=["Một hộ ghi nhiều nhu cầu được tính ở mỗi nhu cầu."] if rows else
        ["Sổ rà soát không ghi nhu cầu hỗ trợ."],
    )


def support_form(ctx: Mapping[str, Any]) -> Form:
    support = ctx["support"]
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    if support["available"]:
        parts = support.get("communes") or [{"commune_name": ctx["unit"]["name"], **support}]
        for part in parts:
            t = part["totals"]
            rows.append({"don_vi": part.get("commune_name", ""), "luot": t.get("records"),
                         "ho": t.get("households"), "nguoi": t.get("givers"),
                         "gia_tri": t.get("value_dong")})
        if support.get("outcome_sentence"):
            notes.append(support["outcome_sentence"])
        notes += list(support.get("notes") or [])
    else:
        notes.append(support["message"] + ".")
    return simple_form(
        ctx, name="Hỗ trợ", title=f"HỖ TRỢ HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {ctx['year']}",
        columns=[("don_vi", "Đơn vị", 24.0), ("luot", "Số lượt hỗ trợ", 11.0),
                 ("ho", "Số hộ được hỗ trợ", 11.0),
                 ("nguoi", "Số người, tổ chức hỗ trợ", 12.0),
                 ("gia_tri", "Giá trị ghi bằng tiền (đồng)", 16.0)],
        rows=rows, notes=notes,
    )


def targets_form(ctx: Mapping[str, Any], sentence: Callable[[Mapping[str, Any]], str]) -> Form:
    rows = []
    for ev in ctx["targets"]:
        t = ev["target"]
        rows.append({
            "cap": LEVEL_LABELS[t["level"]], "chi_tieu": t["label"], "nguon": t["source"],
            "hien_nay": Rate(ev["current"]["value"]) if ev["current"] else Rate(None),
            "danh_gia": ev["status_label"], "ghi_chu": sentence(ev),
        })
    return simple_form(
        ctx, name="Chỉ tiêu", title=f"ĐÁNH GIÁ THỰC HIỆN CHỈ TIÊU GIẢM NGHÈO NĂM {ctx['year']}",
        columns=[("cap", "Cấp", 9.0), ("chi_tieu", "Chỉ tiêu", 30.0), ("nguon", "Căn cứ", 30.0),
                 ("hien_nay", "Hiện nay (% hoặc hộ)", 10.0), ("danh_gia", "Đánh giá", 12.0),
                 ("ghi_chu", "Nhận xét", 40.0)],
        rows=rows, notes=["Tỷ lệ tính bằng %; mức giảm bằng điểm % mỗi năm."],
    )


def report_forms(ctx: Mapping[str, Any],
                 target_sentence: Callable[[Mapping[str, Any]], str]) -> list[Form]:
    """Every sheet of the Excel report, in the order of the official set."""
    forms = [
        results_form(ctx), balance_form(ctx, "poor"), balance_form(ctx, "near_poor"),
        deprivation_form(ctx, "poor"), deprivation_form(ctx, "near_poor"),
        target_group_form(ctx), ethnic_form(ctx), cause_form(ctx), multidimensional_form(ctx),
    ]
    for kind in ("poor", "near_poor"):
        listed = list_form(ctx, kind)
        if listed is not None:
            forms.append(listed)
    forms += [needs_form(ctx), support_form(ctx), targets_form(ctx, target_sentence)]
    return forms
