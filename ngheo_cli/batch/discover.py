"""Find each commune's workbooks for a year: the documented folder layout
(``<folder>/so_lieu/<year>/<commune code>/``) or a YAML config that lists them."""


from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ngheo_cli.core.text import fold
from ngheo_cli.errors import (
    InputError,
    RulesetError,
)
from ngheo_cli.io.settings import parse_document
from ngheo_cli.io.workspace import CONFIG_NAME, Workspace, find_workspace, load_workspace

INPUT_DIR = "so_lieu"
MEMBER_PREFIXES = ("dangvien",)
SUPPORT_PREFIXES = ("hotro",)
_CONFIG_KEYS = ("workspace", "communes")
_ENTRY_KEYS = ("code", "survey", "members", "support")


@dataclass(frozen=True)
class CommuneInputs:
    """One commune's workbooks for the year; ``problem`` says why it cannot be run."""

    code: str
    survey: Path | None = None
    members: Path | None = None
    support: Path | None = None
    problem: str | None = None

    def files(self) -> dict[str, Path]:
        named = {"survey": self.survey, "members": self.members, "support": self.support}
        return {k: v for k, v in named.items() if v is not None}


@dataclass
class Discovery:
    workspace: Workspace
    year: int
    communes: list[CommuneInputs]
    origin: str  # the folder layout or the config file that listed the communes
    missing: list[str] = field(default_factory=list)  # communes of ngheo.yaml with no inputs


def _is_workbook(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and path.suffix.lower() == ".xlsx"
        and not name.startswith(("~$", ".~", "."))
    )


def _folder_inputs(code: str, folder: Path, ws: Workspace) -> CommuneInputs:
    books = sorted(p for p in folder.iterdir() if _is_workbook(p))
    kinds: dict[str, list[Path]] = {"survey": [], "members": [], "support": []}
    for book in books:
        key = fold(book.stem).replace(" ", "")
        if key.startswith(MEMBER_PREFIXES):
            kinds["members"].append(book)
        elif key.startswith(SUPPORT_PREFIXES):
            kinds["support"].append(book)
        else:
            kinds["survey"].append(book)
    problem = None
    if code not in {c.code for c in ws.communes}:
        problem = f"Thư mục {folder} mang mã xã {code}, không có trong {ws.config_path}."
    elif not kinds["survey"]:
        problem = f"Thư mục {folder} không có sổ rà soát (*.xlsx)."
    else:
        for books_of_kind in kinds.values():
            if len(books_of_kind) > 1:
                names = ", ".join(b.name for b in books_of_kind)
                problem = f"Thư mục {folder} có nhiều hơn một sổ cùng loại: {names}. Giữ một sổ."
                break
    if problem is not None:
        return CommuneInputs(code, problem=problem)
    first = {k: (v[0] if v else None) for k, v in kinds.items()}
    return CommuneInputs(code, first["survey"], first["members"], first["support"])


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def fill_placeholders(template: str, values: dict[str, str], where: str) -> str:
    """Fill ``{year}``, ``{code}``… in a path from a batch config.

    Only a fixed set of names, by plain text substitution: never ``str.format``, so no
    attribute or index access (``{code.__class__}``, ``{year[0]}``) is ever evaluated and no
    width or padding (``{code:>999999999}``) can exhaust memory. ``{{`` and ``}}`` are
    literal braces. Any other name in braces, or a brace left open, is exit 4 naming it.
    """
    known = ", ".join("{" + k + "}" for k in values)

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name is not None and name in values:
            return values[name]
        what = f"chỗ điền {token}" if name is not None else f'dấu ngoặc "{token}" lẻ'
        raise RulesetError(
            f'{where}: {what} trong đường dẫn "{template}" không hợp lệ.',
            hint=f"Chỉ dùng được: {known}, viết đúng như vậy; ngoặc nhọn thật viết {{{{ và }}}}.",
        )

    return _PLACEHOLDER.sub(one, template)


def _config_inputs(path: Path, year: int) -> tuple[Workspace, list[CommuneInputs]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Không đọc được {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise RulesetError(f"Không đọc được {path}: không phải văn bản UTF-8.") from None
    data, _ = parse_document(text, str(path))  # a syntax error: exit 4 at its line
    if not isinstance(data, dict) or not isinstance(data.get("communes"), list):
        raise RulesetError(
            f"{path}: cấu hình batch phải có mục communes (danh sách các xã).",
            hint="Ví dụ: communes: [{code: '24181', survey: so/{year}/24181.xlsx}]",
        )
    unknown = sorted(str(k) for k in data if k not in _CONFIG_KEYS)
    if unknown:
        raise RulesetError(f"{path}: khoá không biết: {', '.join(unknown)}.")
    base = path.parent
    ws_dir = base / str(data.get("workspace") or ".")
    ws = find_workspace(ws_dir, ws_dir)
    assert ws is not None  # find_workspace with an explicit folder raises instead
    out: list[CommuneInputs] = []
    for i, item in enumerate(data["communes"], start=1):
        where = f"{path}, mục communes, xã thứ {i}"
        if not isinstance(item, dict) or "code" not in item or "survey" not in item:
            raise RulesetError(f"{where}: cần code và survey.")
        bad = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
        if bad:
            raise RulesetError(f"{where}: khoá không biết: {', '.join(bad)}.")
        if not isinstance(item["code"], str):
            raise RulesetError(f"{where}: mã xã phải viết trong dấu nháy, ví dụ code: '00123'.")
        code = item["code"].strip()

        def file_of(
            key: str, code: str = code, item: dict[str, Any] = item, where: str = where
        ) -> Path | None:
            value = item.get(key)
            if value in (None, ""):
                return None
            return base / fill_placeholders(str(value), {"year": str(year), "code": code}, where)

        entry = CommuneInputs(code, file_of("survey"), file_of("members"), file_of("support"))
        problem = None
        if code not in {c.code for c in ws.communes}:
            problem = f"{where}: mã xã {code} không có trong {ws.config_path}."
        else:
            absent = [str(p) for p in entry.files().values() if not p.is_file()]
            if absent:
                problem = f"Không tìm thấy tệp: {', '.join(absent)}."
        out.append(CommuneInputs(code, problem=problem) if problem else entry)
    codes = [c.code for c in out]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise RulesetError(f"{path}: xã khai báo hai lần: {', '.join(twice)}.")
    return ws, out


def discover(target: Path | None, year: int) -> Discovery:
    """The communes to run: ``target`` is a working folder (the folder layout), a batch
    config ``.yaml``, or None (the working folder found from the current folder)."""
    from ngheo_cli.io import rulesets

    rulesets.resolve(year)  # a year no standard covers: RulesetError (exit 4) before anything
    if target is None:
        found = find_workspace(Path.cwd())
        if found is None:
            raise InputError(
                f"Không tìm thấy thư mục làm việc ({CONFIG_NAME}) từ {Path.cwd()} trở lên.",
                hint="Ghi rõ: ngheo batch THƯ_MỤC --year Y (xem README, mục ngheo batch).",
            )
        target = found.root
    if target.is_file() and target.name != CONFIG_NAME:
        ws, communes = _config_inputs(target, year)
        origin = str(target)
    else:
        if target.is_dir() and not (target / CONFIG_NAME).is_file() or not target.exists():
            raise InputError(
                f"{target} không phải thư mục làm việc (không có {CONFIG_NAME}).",
                hint="Tạo bằng ngheo init, hoặc chỉ tới tệp cấu hình batch .yaml.",
            )
        ws = load_workspace(target)
        folder = ws.root / INPUT_DIR / str(year)
        if not folder.is_dir():
            raise InputError(
                f"Không có thư mục {folder}.",
                hint=f"Xếp sổ của mỗi xã vào {INPUT_DIR}/{year}/<mã xã>/ (xem README, "
                "mục ngheo batch).",
            )
        communes = [
            _folder_inputs(sub.name, sub, ws)
            for sub in sorted(folder.iterdir())
            if sub.is_dir() and not sub.name.startswith(".")
        ]
        origin = str(folder)
    seen = {c.code for c in communes}
    missing = [c.code for c in ws.communes if c.code not in seen]
    return Discovery(ws, year, communes, origin, missing)


