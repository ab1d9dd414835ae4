"""Locate and read rules files: the packaged national standards and a user's local file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ngheo_cli.core.headers import HeaderVocabulary, merge_names
from ngheo_cli.core.oserror_vi import os_reason
from ngheo_cli.core.ruleset import HeaderNames, Ruleset, build_ruleset, deep_merge, pick_for_year
from ngheo_cli.core.schema import FIELDS, Field
from ngheo_cli.errors import RulesetError

# libyaml's parser when PyYAML was built with it (the same safe subset, about 5× faster on the
# packaged rules and header files, which every command reads); the pure-Python one otherwise.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise RulesetError(f"Tệp chuẩn {origin} không đọc được (YAML sai cú pháp): {exc}") from None
    if not isinstance(data, dict):
        raise RulesetError(f"Tệp chuẩn {origin} phải là một bảng khoá: giá trị (YAML).")
    return data


@lru_cache(maxsize=1)
def _packaged_raw() -> Mapping[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    folder = resources.files("ngheo_cli") / "rulesets"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            data = _read_yaml(entry.read_text(encoding="utf-8"), entry.name)
            out[str(data.get("id", entry.name))] = data
    return MappingProxyType(out)  # read-only; deep_merge copies what it merges


@lru_cache(maxsize=1)
def packaged() -> Mapping[str, Ruleset]:
    """Every national standard shipped with the package, validated, by id (read-only: the
    memo is a constant of the installed package, never state a caller can change)."""
    return MappingProxyType(
        {rid: build_ruleset(data, f"{rid}.yaml") for rid, data in _packaged_raw().items()}
    )


def load_local(path: Path) -> Ruleset:
    """A province's local rules file: ``extends: <id>`` plus the values it overrides."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesetError(f"Không mở được tệp chuẩn {path}: {os_reason(exc)}.") from None
    data = _read_yaml(text, str(path))
    base_id = data.get("extends")
    raw = _packaged_raw()
    if base_id is not None:
        if base_id not in raw:
            raise RulesetError(
                f"Tệp chuẩn {path}: extends: {base_id} không phải chuẩn đã có.",
                hint="Các chuẩn có sẵn: " + ", ".join(sorted(raw)),
            )
        data = _merge_headers(raw[base_id], deep_merge(raw[base_id], data), data)
    if "id" not in data or data.get("id") == raw.get(str(base_id), {}).get("id"):
        raise RulesetError(
            f"Tệp chuẩn {path} phải có id riêng (ví dụ {base_id}-dak-lak) để không nhầm với "
            "chuẩn quốc gia."
        )
    return build_ruleset(data, str(path))


def resolve(year: int, standard: str | None = None) -> Ruleset:
    """The standard for a run: ``standard`` (an id or a local file path) or the year's own."""
    national = packaged()
    if standard is None:
        return pick_for_year(national, year)
    if standard in national:
        return national[standard]
    path = Path(standard)
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists():
        if not path.exists():
            raise RulesetError(f"Không tìm thấy tệp chuẩn {path}.")
        return load_local(path)
    raise RulesetError(
        f'Không có chuẩn "{standard}".',
        hint="Các chuẩn có sẵn: " + ", ".join(sorted(national)) + " (hoặc đường dẫn tệp .yaml).",
    )


def raw_text(ruleset_id: str) -> str:
    """The packaged file as written, comments included (for `ngheo rules show`)."""
    folder = resources.files("ngheo_cli") / "rulesets"
    for entry in folder.iterdir():
        if entry.name == f"{ruleset_id}.yaml":
            return entry.read_text(encoding="utf-8")
    raise RulesetError(f'Không có chuẩn "{ruleset_id}".')


@lru_cache(maxsize=1)
def recorded_class_index() -> Mapping[str, str]:
    """Folded recorded-class label → class code, from the packaged vocabulary
    (``rulesets/vocabulary/recorded_classes.yaml``)."""
    from ngheo_cli.core.recorded import label_index

    entry = resources.files("ngheo_cli") / "rulesets" / "vocabulary" / "recorded_classes.yaml"
    data = _read_yaml(entry.read_text(encoding="utf-8"), "recorded_classes.yaml")
    try:
        return MappingProxyType(
            label_index({str(k): [str(x) for x in v or []] for k, v in data.items()})
        )
    except ValueError as exc:
        raise RulesetError(f"Tệp recorded_classes.yaml sai: {exc}") from None


def _merge_headers(
    base: dict[str, Any], merged: dict[str, Any], local: dict[str, Any]
) -> dict[str, Any]:
    """A local file's ``headers:`` adds names to the national ones instead of replacing a
    key's list (deep_merge replaces lists)."""
    over = local.get("headers")
    under = base.get("headers")
    if not isinstance(over, dict) or not isinstance(under, dict):
        return merged
    headers = dict(merged["headers"])
    for section in ("aliases", "abbreviations"):
        a, b = under.get(section), over.get(section)
        if isinstance(a, dict) and isinstance(b, dict):
            headers[section] = {
                k: list(v)
                for k, v in merge_names(
                    {k: list(v or []) for k, v in a.items()},
                    {k: list(v) if isinstance(v, list) else [v] for k, v in b.items()},
                ).items()
            }
    for section in ("fillers", "positional_prefixes"):
        a, b = under.get(section), over.get(section)
        if isinstance(a, list) and isinstance(b, list):
            headers[section] = a + [x for x in b if x not in a]
    return {**merged, "headers": headers}


@lru_cache(maxsize=1)
def common_headers() -> HeaderNames:
    """The header names every standard shares (``rulesets/headers/common.yaml``)."""
    entry = resources.files("ngheo_cli") / "rulesets" / "headers" / "common.yaml"
    data = _read_yaml(entry.read_text(encoding="utf-8"), "headers/common.yaml")
    try:
        return HeaderNames.model_validate(data)
    except ValueError as exc:
        raise RulesetError(f"Tệp headers/common.yaml sai: {exc}") from None


def header_vocabulary(
    ruleset: Ruleset | None = None, fields: Sequence[Field] = FIELDS
) -> HeaderVocabulary:
    """How the columns of ``fields`` are named: each field's label and own aliases, the
    shared names, and with a ``ruleset`` its indicator names, its ``headers:`` section and
    its indicator order for positional headers (CS1…)."""
    common = common_headers()
    keys = {f.key for f in fields}
    own = {f.key: f.aliases for f in fields if f.aliases}
    parts: list[dict[str, tuple[str, ...]]] = [own, dict(common.aliases)]
    abbreviations = [dict(common.abbreviations)]
    fillers = list(common.fillers)
    prefixes = list(common.positional_prefixes)
    positional: tuple[str, ...] = ()
    if ruleset is not None:
        parts.append({i.id: (i.name,) for i in ruleset.indicators})
        parts.append(dict(ruleset.headers.aliases))
        abbreviations.append(dict(ruleset.headers.abbreviations))
        fillers += [w for w in ruleset.headers.fillers if w not in fillers]
        prefixes += [w for w in ruleset.headers.positional_prefixes if w not in prefixes]
        positional = tuple(i for i in ruleset.indicator_ids if i in keys)
    aliases = {k: v for k, v in merge_names(*parts).items() if k in keys}
    return HeaderVocabulary(
        labels={f.key: f.label for f in fields},
        aliases=aliases,
        abbreviations=merge_names(*abbreviations),
        fillers=tuple(fillers),
        positional=positional,
        positional_prefixes=tuple(prefixes) if positional else (),
        standard=ruleset.id if ruleset is not None else None,
    )
