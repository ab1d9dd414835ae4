"""A working folder: ``ngheo.yaml`` (the province and its communes) and the store beside it.

``ngheo init`` writes the config with :func:`init_workspace`; every other command finds it
with :func:`find_workspace` (``--workspace``, or upward from the current folder, as git
finds ``.git``). The config holds no people's data, so it is plain YAML an officer can edit::

    version: 1
    province: {code: '66', name: Đắk Lắk}
    communes:
      - {code: '24181', name: Xã Ea Kly, type: xa, khu_vuc: nong_thon}
    targets: []      # poverty-reduction targets (ngheo_cli.core.targets)
    assign: {}       # the party-member assignment rules
    support: {}      # members' yearly support commitments

Every section is read and checked by :mod:`ngheo_cli.io.settings` (one reader); a
:class:`Workspace` carries the result as :attr:`Workspace.settings`.

Codes are text (``'00123'``, quoted): an unquoted code is refused rather than read as a
number, since YAML would drop its leading zeros (or read ``01234`` as octal).
Area (standards.md §6): a phường is urban (``thanh_thi``), a xã rural (``nong_thon``); an
đặc khu must say which, and a phường or xã that says the opposite is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from ngheo_cli.core.commune import (  # noqa: F401 - the workspace's public names
    AREA_BY_TYPE,
    TYPE_LABELS,
    Area,
    CommuneConfig,
    CommuneType,
    plain_name,
    text_code,
)
from ngheo_cli.core.oserror_vi import os_reason
from ngheo_cli.core.text import fold
from ngheo_cli.errors import RulesetError, UsageError
from ngheo_cli.io.atomic import atomic_write_bytes, atomic_write_text
from ngheo_cli.io.settings import (
    CONFIG_NAME,
    CONFIG_VERSION,
    Settings,
    parse_document,
    read_settings,
    read_text,
    settings_from,
)
from ngheo_cli.io.store import Store

STORE_NAME = "ngheo.sqlite"
#: The sections ``ngheo init`` writes itself; ``--force`` keeps every other one as written.
INIT_SECTIONS = ("version", "province", "communes")

_HEADER = """\
# Cấu hình thư mục làm việc của ngheo (tạo bởi `ngheo init`).
# province: tỉnh (mã, tên). communes: các xã/phường/đặc khu, mỗi đơn vị có
#   code (mã, viết trong dấu nháy để giữ số 0 ở đầu), name (tên),
#   type (phuong | xa | dac_khu) và khu_vuc (thanh_thi | nong_thon):
#   phường là thành thị, xã là nông thôn, đặc khu phải ghi rõ khu_vuc.
# targets: chỉ tiêu giảm nghèo. assign: quy tắc phân công đảng viên giúp hộ.
# support: cam kết hỗ trợ của đảng viên (ngheo support).
# Số liệu hộ được lưu trong ngheo.sqlite bên cạnh tệp này.
"""


_UNIT_WORDS = ("thitran", "dackhu", "phuong", "xa")


def _bare_name(folded: str) -> str:
    """A folded commune name without its leading unit word ("xaeakly" → "eakly")."""
    for word in _UNIT_WORDS:
        if folded.startswith(word) and len(folded) > len(word):
            return folded[len(word) :]
    return folded


@dataclass(frozen=True)
class Workspace:
    """A loaded working folder. ``targets``, ``assign`` and ``support`` are the sections as
    written (``support`` None: not read from a file, as for a workspace built in code);
    :attr:`settings` is every section checked and typed."""

    root: Path
    province_code: str
    province_name: str
    communes: tuple[CommuneConfig, ...] = ()
    targets: list[Any] = field(default_factory=list)
    assign: dict[str, Any] = field(default_factory=dict)
    support: dict[str, Any] | None = None
    #: ``batch: {outputs: [...]}``: the per-commune files a batch writes (keys of
    #: :data:`ngheo_cli.io.settings.BATCH_OUTPUTS`); None when not set: every one.
    batch_outputs: tuple[str, ...] | None = None

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def store_path(self) -> Path:
        return self.root / STORE_NAME

    @cached_property
    def settings(self) -> Settings:
        """Every section, checked and typed (one reader: :mod:`ngheo_cli.io.settings`)."""
        return settings_from(self.to_dict(), str(self.config_path))

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
        """The document ``ngheo.yaml`` holds (every section)."""
        out: dict[str, Any] = {
            "version": CONFIG_VERSION,
            "province": {"code": self.province_code, "name": self.province_name},
            "communes": [c.to_dict() for c in self.communes],
            "targets": list(self.targets),
            "assign": dict(self.assign),
            **({"batch": {"outputs": list(self.batch_outputs)}}
               if self.batch_outputs is not None else {}),
        }
        if self.support:
            out["support"] = dict(self.support)
        return out


def _workspace(root: Path, settings: Settings) -> Workspace:
    written = settings.written
    return Workspace(
        root=root,
        province_code=settings.province_code,
        province_name=settings.province_name,
        communes=settings.communes,
        targets=list(written.get("targets") or []),
        assign=dict(written.get("assign") or {}),
        support=dict(written.get("support") or {}),
        batch_outputs=settings.batch_outputs,
    )


def _dump(document: dict[str, Any]) -> str:
    body = yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100,
    )
    return _HEADER + body


def _kept_sections(config: Path) -> dict[str, Any]:
    """The sections of an existing ``ngheo.yaml`` that ``init --force`` keeps as written
    (all but province and communes); a file that is not YAML is an error at its line."""
    document, _ = parse_document(read_text(config), str(config))
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise RulesetError(f"{config}: phải là một bảng khoá: giá trị.")
    return {str(k): v for k, v in document.items() if k not in INIT_SECTIONS}


def init_workspace(
    directory: str | os.PathLike[str],
    province_code: str,
    province_name: str,
    communes: Iterable[CommuneConfig] = (),
    *,
    force: bool = False,
) -> Workspace:
    """Create a working folder: ``ngheo.yaml`` and the store ``ngheo.sqlite``.

    An existing ``ngheo.yaml`` is only replaced with ``force``: its province and communes
    are rewritten, every other section (targets, assign, support) is kept as written, and
    the old file is kept as ``ngheo.yaml.bak``. An existing store is never replaced
    (opening it brings its schema up to date, with a backup first).
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
    province_code = text_code(province_code, "mã tỉnh", origin)
    province_name = plain_name(province_name, "tên tỉnh", origin)
    items = tuple(communes)
    for commune in items:
        if not isinstance(commune, CommuneConfig):
            raise TypeError("communes must be CommuneConfig objects (see CommuneConfig.create)")
    kept = _kept_sections(config) if config.exists() else {}
    document = {
        "version": CONFIG_VERSION,
        "province": {"code": province_code, "name": province_name},
        "communes": [c.to_dict() for c in items],
        "targets": [],
        "assign": {},
        **kept,
    }
    # Checked before anything is written: the new communes, and the sections kept.
    settings = settings_from(document, str(config) if kept else origin)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"Không tạo được thư mục {root}: {os_reason(exc)}.") from None
    workspace = _workspace(root.resolve(), settings)
    Store.open(workspace.store_path).close()
    if config.exists():  # force: keep the replaced config beside it
        atomic_write_bytes(root / f"{CONFIG_NAME}.bak", config.read_bytes())
    atomic_write_text(workspace.config_path, _dump(document))
    return workspace


def load_workspace(path: str | os.PathLike[str]) -> Workspace:
    """Read a working folder (or its ``ngheo.yaml``); any mistake → :class:`RulesetError`."""
    target = Path(path)
    config = target / CONFIG_NAME if target.is_dir() else target
    return _workspace(config.parent.resolve(), read_settings(config))




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
    """Write ``ngheo.yaml`` back from a (changed) workspace, atomically, every section."""
    settings_from(workspace.to_dict(), str(workspace.config_path))  # checked before written
    atomic_write_text(workspace.config_path, _dump(workspace.to_dict()))
