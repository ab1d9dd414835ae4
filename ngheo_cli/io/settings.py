"""``ngheo.yaml`` read once, every section into one frozen, typed :class:`Settings`.

The one reader of the working folder's settings: the workspace, the assignment, the support
ledger, the report and the batch all take their values from here. Sections::

    version: 1                                  # the file's format
    province: {code: '66', name: Đắk Lắk}       # required
    communes: [{code, name, type, khu_vuc}]     # ngheo_cli.core.commune
    targets: [...]                              # ngheo_cli.core.targets
    assign: {max_households_per_member: 3, …}   # ngheo_cli.core.assign_rules
    support: {salary_day_dong: 200000, …}       # ngheo_cli.core.support.commitments

Any mistake (a YAML syntax error, an unknown key, a value of the wrong kind, in any
section) is a :class:`RulesetError` (exit 4) naming the file, the line and the key, in
every command alike: a broken file is never taken for an empty one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from ngheo_cli.core.assign_rules import AssignRules
from ngheo_cli.core.commune import CommuneConfig, plain_name, text_code
from ngheo_cli.core.oserror_vi import os_reason
from ngheo_cli.core.support.commitments import (
    SETTING_KEYS,
    CommitmentRules,
    SettingsError,
    commitment_rules,
)
from ngheo_cli.core.targets import Target, parse_target
from ngheo_cli.errors import RulesetError, UsageError

CONFIG_NAME = "ngheo.yaml"
CONFIG_VERSION = 1
SECTIONS: tuple[str, ...] = (
    "version", "province", "communes", "targets", "assign", "support", "batch"
)
BATCH_KEYS = ("outputs",)
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
PROVINCE_KEYS: tuple[str, ...] = ("code", "name")
COMMUNE_KEYS: tuple[str, ...] = ("code", "name", "type", "khu_vuc")
ASSIGN_KEYS: tuple[str, ...] = tuple(f.name for f in fields(AssignRules))
_ASSIGN_FLAGS = ("same_village", "allow_twinned", "include_near_poor", "keep_previous")

Path_ = tuple[str | int, ...]  # where in the document: ("communes", 1, "code")

SUPPORT_EXAMPLE = """\
support:                  # cam kết hỗ trợ của đảng viên mỗi năm (ngheo support)
  salary_day_dong: 200000 # MỘT NGÀY LƯƠNG (đồng): 200.000 là giá trị TẠM, hãy ghi mức của xã
  labour_days: 1          # đảng viên không hưởng lương: số ngày công tối thiểu
  seedlings: 10           # hoặc số cây giống tối thiểu (mọi đảng viên)
"""


@dataclass(frozen=True)
class Settings:
    """Every section of ``ngheo.yaml``, checked. ``written`` keeps the sections as they were
    written (``targets``, ``assign``, ``support``): what a rewrite of the file keeps and what
    the batch compares between runs."""

    province_code: str
    province_name: str
    communes: tuple[CommuneConfig, ...] = ()
    targets: tuple[Target, ...] = ()
    assign: AssignRules = field(default_factory=AssignRules)
    support: CommitmentRules = field(default_factory=CommitmentRules)
    #: ``batch: {outputs: [...]}``: the per-commune files a batch writes (keys of
    #: :data:`BATCH_OUTPUTS`); None when not set: every one.
    batch_outputs: tuple[str, ...] | None = None
    version: int = CONFIG_VERSION
    written: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class _Lines:
    """The line of each place in the document (from the YAML node tree), for messages."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    def of(self, path: Path_) -> int | None:
        """1-based line of the deepest node of ``path`` found (a key: the key's own line)."""
        node, line = self._root, None
        for step in path:
            found = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == step:
                        line = key.start_mark.line + 1
                        found = value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if 0 <= step < len(node.value):
                    found = node.value[step]
                    line = found.start_mark.line + 1
            if found is None:
                break
            node = found
        return line


class _Where:
    """Builds "ngheo.yaml (dòng 7), mục communes, đơn vị thứ 2" for a place in the file."""

    def __init__(self, origin: str, lines: _Lines | None) -> None:
        self.origin = origin
        self._lines = lines

    def __call__(self, path: Path_ = (), label: str = "") -> str:
        line = self._lines.of(path) if self._lines is not None and path else None
        head = f"{self.origin} (dòng {line})" if line is not None else self.origin
        return f"{head}, mục {label}" if label else head


def _mapping(
    value: object, where: str, keys: Sequence[str], required: Sequence[str] = ()
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


def _first_unknown(value: Mapping[str, Any], keys: Sequence[str]) -> Path_:
    return next(((str(k),) for k in value if k not in keys), ())


def _check_unique(communes: Sequence[CommuneConfig], origin: str) -> None:
    seen: dict[str, CommuneConfig] = {}
    for commune in communes:
        if commune.code in seen:
            raise RulesetError(
                f"{origin}: mã xã {commune.code} bị khai báo hai lần "
                f"({seen[commune.code].name} và {commune.name})."
            )
        seen[commune.code] = commune


def assign_rules(section: object, where: str = "ngheo.yaml") -> AssignRules:
    """The ``assign:`` section over the defaults (seed 001); unknown keys, numbers that are
    not whole and at least 1, and yes/no values that are not true/false are errors."""
    if section is None:
        return AssignRules()
    if not isinstance(section, Mapping):
        raise RulesetError(f"{where}: phải là một bảng khoá: giá trị.")
    unknown = sorted(str(k) for k in section if k not in ASSIGN_KEYS)
    if unknown:
        raise RulesetError(
            f"Mục assign trong {where} có khoá lạ: {', '.join(unknown)}.",
            hint="Các khoá dùng được: " + ", ".join(sorted(ASSIGN_KEYS)) + ".",
        )
    for key in _ASSIGN_FLAGS:
        if key in section and not isinstance(section[key], bool):
            raise RulesetError(
                f"Mục assign trong {where} không hợp lệ: {key} phải là true hoặc false "
                f"(đang là {section[key]!r})."
            )
    try:
        return AssignRules(**dict(section))
    except (TypeError, ValueError) as exc:
        raise RulesetError(f"Mục assign trong {where} không hợp lệ: {exc}") from None


def support_rules(
    section: object, where: str = "ngheo.yaml", source: str | None = None
) -> CommitmentRules:
    """The ``support:`` section (defaults when absent); see :func:`commitment_rules`.
    ``source``: the file the values come from (shown with them; default ``where``)."""
    if not section:
        return CommitmentRules()
    if not isinstance(section, Mapping):
        raise RulesetError(
            f"{where}: mục support phải là một bảng khoá: giá trị.", hint=SUPPORT_EXAMPLE
        )
    try:
        return commitment_rules(section, source=source or where)
    except SettingsError as exc:
        raise RulesetError(f"{where}: {exc}", hint=SUPPORT_EXAMPLE) from None


def settings_from(document: object, origin: str, lines: _Lines | None = None) -> Settings:
    """Check a whole document (the parsed YAML); every mistake names its place."""
    where = _Where(origin, lines)
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise RulesetError(f"{where()}: phải là một bảng khoá: giá trị.")
    top = _mapping(document, where(_first_unknown(document, SECTIONS)), SECTIONS, ("province",))
    version = top.get("version", CONFIG_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RulesetError(f"{where(('version',), 'version')}: phải là một số nguyên dương.")
    if version > CONFIG_VERSION:
        raise RulesetError(
            f"{where(('version',))} được tạo bởi phiên bản ngheo mới hơn (version: {version}).",
            hint="Cập nhật ngheo rồi chạy lại.",
        )
    raw_province = top["province"]
    at_province = (
        ("province", *_first_unknown(raw_province, PROVINCE_KEYS))
        if isinstance(raw_province, Mapping)
        else ("province",)
    )
    province = _mapping(raw_province, where(at_province, "province"), PROVINCE_KEYS, PROVINCE_KEYS)
    raw_communes = top.get("communes") or []
    if not isinstance(raw_communes, list):
        raise RulesetError(f"{where(('communes',), 'communes')}: phải là một danh sách.")
    communes = []
    for i, item in enumerate(raw_communes):
        at: Path_ = ("communes", i)
        if isinstance(item, Mapping):
            at = (*at, *_first_unknown(item, COMMUNE_KEYS))
        place = where(at, f"communes, đơn vị thứ {i + 1}")
        entry = _mapping(item, place, COMMUNE_KEYS, ("code", "name", "type"))
        communes.append(
            CommuneConfig.create(
                entry["code"], entry["name"], entry["type"], entry.get("khu_vuc"), where=place
            )
        )
    _check_unique(communes, where(("communes",)))
    raw_targets = top.get("targets") or []
    if not isinstance(raw_targets, list):
        raise RulesetError(f"{where(('targets',), 'targets')}: phải là một danh sách.")
    targets = tuple(
        parse_target(item, where(("targets", i), f"targets, chỉ tiêu thứ {i + 1}"))
        for i, item in enumerate(raw_targets)
    )
    raw_assign = top.get("assign") or {}
    if not isinstance(raw_assign, Mapping):
        raise RulesetError(f"{where(('assign',), 'assign')}: phải là một bảng khoá: giá trị.")
    assign = assign_rules(raw_assign, where(("assign", *_bad_assign_key(raw_assign))))
    raw_support = top.get("support") or {}
    support = support_rules(
        raw_support, where(("support", *_bad_support_key(raw_support))), source=origin
    )
    return Settings(
        province_code=text_code(
            province["code"], "mã tỉnh", where(("province", "code"), "province")
        ),
        province_name=plain_name(
            province["name"], "tên tỉnh", where(("province", "name"), "province")
        ),
        communes=tuple(communes),
        targets=targets,
        assign=assign,
        support=support,
        batch_outputs=batch_outputs(top.get("batch"), where(("batch",), "batch")),
        version=version,
        written={
            key: top[key] for key in ("targets", "assign", "support", "batch") if key in top
        },
    )


def batch_outputs(value: object, where: str) -> tuple[str, ...] | None:
    """``batch: {outputs: [ket_qua, bao_cao, …]}`` → the names in the order of
    :data:`BATCH_OUTPUTS`; None when the key is absent (every file)."""
    if value is None:
        return None
    section = _mapping(value, where, BATCH_KEYS, ())
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


def _bad_assign_key(section: Mapping[str, Any]) -> Path_:
    """The key an error in the ``assign:`` section is about (for its line)."""
    for key, value in section.items():
        if key not in ASSIGN_KEYS:
            return (str(key),)
        try:
            assign_rules({key: value})
        except RulesetError:
            return (str(key),)
    return ()


def _bad_support_key(section: object) -> Path_:
    """The key an error in the ``support:`` section is about (for its line)."""
    if not isinstance(section, Mapping):
        return ()
    for key, value in section.items():
        if key not in SETTING_KEYS:
            return (str(key),)
        try:
            commitment_rules({key: value})
        except SettingsError:
            return (str(key),)
    return ()


def parse_document(text: str, origin: str) -> tuple[object, _Lines]:
    """The YAML document and its lines; a syntax error → :class:`RulesetError` at its line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = exc.problem_mark if isinstance(exc, yaml.MarkedYAMLError) else None
        at = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark is not None else ""
        problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) and exc.problem else exc
        raise RulesetError(f"{origin}: YAML sai cú pháp{at}: {problem}.") from None
    finally:
        loader.dispose()
    return data, _Lines(node)


def read_text(config: Path) -> str:
    """The file's text; missing → :class:`UsageError`, unreadable → :class:`RulesetError`."""
    try:
        return config.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"Không tìm thấy {config}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else "không phải văn bản UTF-8"
        raise RulesetError(f"Không đọc được {config}: {reason}.") from None


def read_settings(path: str | os.PathLike[str]) -> Settings:
    """Read and check ``ngheo.yaml`` (the file, or the folder that holds it)."""
    target = Path(path)
    config = target / CONFIG_NAME if target.is_dir() else target
    document, lines = parse_document(read_text(config), str(config))
    return settings_from(document, str(config), lines)
