"""A working folder: ``ngheo.yaml`` (the province and its communes) and the store beside it.

``ngheo init`` writes the config with :func:`init_workspace`; every other command finds it
with :func:`find_workspace` (``--workspace``, or upward from the current folder, as git
finds ``.git``). The config holds no people's data, so it is plain YAML an officer can edit::

    version: 1
    province: {code: '66', name: Đắk Lắk}
    communes:
      - {code: '24181', name: Xã Ea Kly, type: xa, khu_vuc: nong_thon}
    targets: []      # filled by the report issue
    assign: {}       # the party-member assignment rules, later

Codes are text (``'00123'``, quoted): an unquoted code is refused rather than read as a
number, since YAML would drop its leading zeros (or read ``01234`` as octal).
Area (standards.md §6): a phường is urban (``thanh_thi``), a xã rural (``nong_thon``); an
đặc khu must say which, and a phường or xã that says the opposite is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from ngheo_cli.core.oserror_vi import os_reason
from ngheo_cli.core.schema import AREA_LABELS
from ngheo_cli.core.text import fold
from ngheo_cli.errors import RulesetError, UsageError
from ngheo_cli.io.atomic import atomic_write_bytes, atomic_write_text
from ngheo_cli.io.store import Store

CONFIG_NAME = "ngheo.yaml"
STORE_NAME = "ngheo.sqlite"
CONFIG_VERSION = 1

CommuneType = Literal["phuong", "xa", "dac_khu"]
Area = Literal["thanh_thi", "nong_thon"]

TYPE_LABELS: dict[str, str] = {"phuong": "phường", "xa": "xã", "dac_khu": "đặc khu"}
AREA_BY_TYPE: dict[str, str] = {"phuong": "thanh_thi", "xa": "nong_thon"}
_TYPE_BY_FOLD = {"phuong": "phuong", "xa": "xa", "dackhu": "dac_khu"}
_AREA_BY_FOLD = {"thanhthi": "thanh_thi", "dothi": "thanh_thi", "nongthon": "nong_thon"}
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")

_TOP_KEYS = ("version", "province", "communes", "targets", "assign", "support", "batch")
_BATCH_KEYS = ("outputs",)
# The per-commune files ``ngheo batch`` can write (``batch: {outputs: [...]}`` in ngheo.yaml;
# all of them when the key is absent). The error workbook is written whenever a commune's
# file has rows to fix: it is not a choice.
BATCH_OUTPUTS: dict[str, str] = {
    "ket_qua": "sổ kết quả phân loại (…_ket_qua.xlsx)",
    "niem_yet": "danh sách niêm yết (…_niem_yet.xlsx)",
    "tom_tat": "trang tóm tắt (…_tom_tat.html)",
    "bien_dong": "sổ biến động so với năm trước (…_bien_dong.xlsx)",
    "phan_cong": "bảng và phiếu phân công đảng viên (…_phan_cong.xlsx, …_phieu.html)",
    "bao_cao": "báo cáo của xã (…_bao_cao.html, …_bao_cao.xlsx)",
}
_PROVINCE_KEYS = ("code", "name")
_COMMUNE_KEYS = ("code", "name", "type", "khu_vuc")

_HEADER = """\
# Cấu hình thư mục làm việc của ngheo (tạo bởi `ngheo init`).
# province: tỉnh (mã, tên). communes: các xã/phường/đặc khu, mỗi đơn vị có
#   code (mã, viết trong dấu nháy để giữ số 0 ở đầu), name (tên),
#   type (phuong | xa | dac_khu) và khu_vuc (thanh_thi | nong_thon):
#   phường là thành thị, xã là nông thôn, đặc khu phải ghi rõ khu_vuc.
# targets: chỉ tiêu giảm nghèo (điền sau). assign: quy tắc phân công đảng viên (điền sau).
# Số liệu hộ được lưu trong ngheo.sqlite bên cạnh tệp này.
"""


_UNIT_WORDS = ("thitran", "dackhu", "phuong", "xa")


def _bare_name(folded: str) -> str:
    """A folded commune name without its leading unit word ("xaeakly" → "eakly")."""
    for word in _UNIT_WORDS:
        if folded.startswith(word) and len(folded) > len(word):
            return folded[len(word) :]
    return folded


def _where(origin: str, path: str) -> str:
    return f"{origin}, mục {path}" if path else origin


def _text_code(value: object, what: str, where: str) -> str:
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


def _name(value: object, what: str, where: str) -> str:
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
        code_text = _text_code(code, "mã xã", where)
        name_text = _name(name, "tên xã", where)
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


@dataclass(frozen=True)
class Workspace:
    """A loaded working folder. ``targets`` and ``assign`` are kept as written, for the
    issues that will define them."""

    root: Path
    province_code: str
    province_name: str
    communes: tuple[CommuneConfig, ...] = ()
    targets: list[Any] = field(default_factory=list)
    assign: dict[str, Any] = field(default_factory=dict)
    #: ``batch: {outputs: [...]}``: the per-commune files a batch writes (keys of
    #: :data:`BATCH_OUTPUTS`); None when not set: every one.
    batch_outputs: tuple[str, ...] | None = None

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def store_path(self) -> Path:
        return self.root / STORE_NAME

    def commune(self, code: object) -> CommuneConfig:
        """The commune with this code; a :class:`RulesetError` naming the known codes if none."""
        wanted = str(code).strip()
        for commune in self.communes:
            if commune.code == wanted:
                return commune
        if self.communes:
            known = ", ".join(f"{c.code} ({c.name})" for c in self.communes)
            hint = f"Các mã đã khai báo: {known}."
        else:
            hint = f"Chưa khai báo xã nào: thêm vào mục communes trong {self.config_path}."
        raise RulesetError(
            f"Mã xã {wanted} không có trong cấu hình {self.config_path}.", hint=hint
        )

    def find_commune(self, text: str) -> CommuneConfig | None:
        """The commune a workbook cell names: its code, or its name with or without the
        word xã/phường/đặc khu (compared folded); None when no commune (or several) match."""
        wanted = fold(text)
        if not wanted:
            return None
        by_code = [c for c in self.communes if fold(c.code) == wanted]
        if len(by_code) == 1:
            return by_code[0]
        keys = {wanted, _bare_name(wanted)}
        by_name = [c for c in self.communes if keys & {fold(c.name), _bare_name(fold(c.name))}]
        return by_name[0] if len(by_name) == 1 else None

    def open_store(self) -> Store:
        return Store.open(self.store_path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": CONFIG_VERSION,
            "province": {"code": self.province_code, "name": self.province_name},
            "communes": [c.to_dict() for c in self.communes],
            "targets": list(self.targets),
            "assign": dict(self.assign),
            **({"batch": {"outputs": list(self.batch_outputs)}}
               if self.batch_outputs is not None else {}),
        }


def _check_unique(communes: Sequence[CommuneConfig], origin: str) -> None:
    seen: dict[str, CommuneConfig] = {}
    for commune in communes:
        if commune.code in seen:
            raise RulesetError(
                f"{origin}: mã xã {commune.code} bị khai báo hai lần "
                f"({seen[commune.code].name} và {commune.name})."
            )
        seen[commune.code] = commune


def _dump(workspace: Workspace) -> str:
    body = yaml.safe_dump(
        workspace.to_dict(), allow_unicode=True, sort_keys=False, default_flow_style=False,
        width=100,
    )
    return _HEADER + body


def init_workspace(
    directory: str | os.PathLike[str],
    province_code: str,
    province_name: str,
    communes: Iterable[CommuneConfig] = (),
    *,
    force: bool = False,
) -> Workspace:
    """Create a working folder: ``ngheo.yaml`` and the store ``ngheo.sqlite``.

    An existing ``ngheo.yaml`` is only replaced with ``force`` (the old one is kept as
    ``ngheo.yaml.bak``); an existing store is never replaced (opening it brings its schema
    up to date, with a backup first).
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} là một tệp, không phải thư mục.")
    config = root / CONFIG_NAME
    if config.exists() and not force:
        raise UsageError(
            f"Thư mục {root} đã có {CONFIG_NAME}: không ghi đè.",
            hint="Dùng --force để ghi lại cấu hình (kho dữ liệu ngheo.sqlite vẫn giữ nguyên).",
        )
    origin = "Cấu hình mới"
    province_code = _text_code(province_code, "mã tỉnh", origin)
    province_name = _name(province_name, "tên tỉnh", origin)
    items = tuple(communes)
    for commune in items:
        if not isinstance(commune, CommuneConfig):
            raise TypeError("communes must be CommuneConfig objects (see CommuneConfig.create)")
    _check_unique(items, origin)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"Không tạo được thư mục {root}: {os_reason(exc)}.") from None
    workspace = Workspace(root.resolve(), province_code, province_name, items)
    Store.open(workspace.store_path).close()
    if config.exists():  # force: keep the replaced config beside it, targets and all
        atomic_write_bytes(root / f"{CONFIG_NAME}.bak", config.read_bytes())
    atomic_write_text(workspace.config_path, _dump(workspace))
    return workspace


def _mapping(value: object, where: str, keys: Sequence[str], required: Sequence[str]
             ) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RulesetError(f"{where}: phải là một bảng khoá: giá trị.")
    unknown = [str(k) for k in value if k not in keys]
    if unknown:
        raise RulesetError(
            f"{where}: khoá không biết: {', '.join(unknown)}.",
            hint=f"Các khoá dùng được: {', '.join(keys)}.",
        )
    missing = [k for k in required if k not in value]
    if missing:
        raise RulesetError(f"{where}: thiếu {', '.join(missing)}.")
    return value


def load_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Read a working folder (or its ``ngheo.yaml``); any mistake → :class:`RulesetError`."""
    target = Path(path)
    config = target / CONFIG_NAME if target.is_dir() else target
    origin = str(config)
    try:
        text = config.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"Không tìm thấy {config}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else "không phải văn bản UTF-8"
        raise RulesetError(f"Không đọc được {config}: {reason}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesetError(f"{origin}: YAML sai cú pháp{at}: {problem}.") from None
    if data is None:
        data = {}
    top = _mapping(data, origin, _TOP_KEYS, ("province",))
    version = top.get("version", CONFIG_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RulesetError(f"{_where(origin, 'version')}: phải là một số nguyên dương.")
    if version > CONFIG_VERSION:
        raise RulesetError(
            f"{origin} được tạo bởi phiên bản ngheo mới hơn (version: {version}).",
            hint="Cập nhật ngheo rồi chạy lại.",
        )
    province = _mapping(top["province"], _where(origin, "province"), _PROVINCE_KEYS,
                        _PROVINCE_KEYS)
    raw_communes = top.get("communes") or []
    if not isinstance(raw_communes, list):
        raise RulesetError(f"{_where(origin, 'communes')}: phải là một danh sách.")
    communes = []
    for i, item in enumerate(raw_communes, start=1):
        where = _where(origin, f"communes, đơn vị thứ {i}")
        entry = _mapping(item, where, _COMMUNE_KEYS, ("code", "name", "type"))
        communes.append(
            CommuneConfig.create(entry["code"], entry["name"], entry["type"],
                                 entry.get("khu_vuc"), where=where)
        )
    _check_unique(communes, origin)
    targets = top.get("targets") or []
    if not isinstance(targets, list):
        raise RulesetError(f"{_where(origin, 'targets')}: phải là một danh sách.")
    assign = top.get("assign") or {}
    if not isinstance(assign, Mapping):
        raise RulesetError(f"{_where(origin, 'assign')}: phải là một bảng khoá: giá trị.")
    batch_outputs = _batch_outputs(top.get("batch"), _where(origin, "batch"))
    return Workspace(
        root=config.parent.resolve(),
        province_code=_text_code(province["code"], "mã tỉnh", _where(origin, "province")),
        province_name=_name(province["name"], "tên tỉnh", _where(origin, "province")),
        communes=tuple(communes),
        targets=list(targets),
        assign=dict(assign),
        batch_outputs=batch_outputs,
    )


def _batch_outputs(value: object, where: str) -> tuple[str, ...] | None:
    """``batch: {outputs: [ket_qua, bao_cao, …]}`` → the names in the order of
    :data:`BATCH_OUTPUTS`; None when the key is absent (every file)."""
    if value is None:
        return None
    section = _mapping(value, where, _BATCH_KEYS, ())
    if "outputs" not in section or section["outputs"] is None:
        return None
    names = section["outputs"]
    known = ", ".join(f"{k} ({label})" for k, label in BATCH_OUTPUTS.items())
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RulesetError(
            f"{where}: outputs phải là một danh sách tên tệp kết quả.", hint=f"Các tên: {known}."
        )
    unknown = [n for n in names if n.strip() not in BATCH_OUTPUTS]
    if unknown:
        raise RulesetError(
            f"{where}: outputs có tên không biết: {', '.join(unknown)}.",
            hint=f"Các tên dùng được: {known}.",
        )
    wanted = {n.strip() for n in names}
    return tuple(k for k in BATCH_OUTPUTS if k in wanted)


def find_workspace(
    start: str | os.PathLike[str], explicit: str | os.PathLike[str] | None = None
) -> Workspace | None:
    """The working folder for a command: ``explicit`` (``--workspace``: a folder or its
    ``ngheo.yaml``; missing → :class:`UsageError`), else the nearest folder at or above
    ``start`` that holds ``ngheo.yaml``; None when there is none."""
    if explicit is not None:
        given = Path(explicit)
        if given.is_dir() and not (given / CONFIG_NAME).is_file():
            raise UsageError(
                f"Thư mục {given} không phải thư mục làm việc: không có {CONFIG_NAME}.",
                hint=f"Tạo bằng: ngheo init {given}",
            )
        if not given.exists():
            raise UsageError(f"Không tìm thấy thư mục làm việc {given}.")
        return load_workspace(given)
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return load_workspace(folder)
    return None


def save_workspace(workspace: Workspace) -> None:
    """Write ``ngheo.yaml`` back from a (changed) workspace, atomically."""
    atomic_write_text(workspace.config_path, _dump(workspace))
