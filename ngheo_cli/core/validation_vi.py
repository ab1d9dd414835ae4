"""Pydantic validation errors said in Vietnamese, from the error's type and context.

Pydantic's own ``msg`` is English ("Input should be a valid integer…"). Every error it
reports carries a stable ``type`` and a ``ctx`` with the bounds or the expected values, so
the sentence is rebuilt from those, never by rewording the English text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Err = Mapping[str, Any]


def _shown(err: Err) -> str:
    value = err.get("input")
    if value is None or isinstance(value, (dict, list)):
        return ""
    return f" (đã nhập: {value!r})" if not isinstance(value, str) else f" (đã nhập: '{value}')"


def _ctx(err: Err, key: str) -> Any:
    return (err.get("ctx") or {}).get(key)


_SENTENCES: dict[str, Callable[[Err], str]] = {
    "int_parsing": lambda e: "phải là số nguyên, viết bằng chữ số (ví dụ 2024)" + _shown(e),
    "int_type": lambda e: "phải là số nguyên" + _shown(e),
    "int_from_float": lambda e: "phải là số nguyên, không có phần thập phân" + _shown(e),
    "float_parsing": lambda e: "phải là một số (ví dụ 1500000)" + _shown(e),
    "float_type": lambda e: "phải là một số" + _shown(e),
    "decimal_parsing": lambda e: "phải là một số" + _shown(e),
    "bool_parsing": lambda e: "phải là có hoặc không (true/false)" + _shown(e),
    "bool_type": lambda e: "phải là có hoặc không (true/false)" + _shown(e),
    "string_type": lambda e: "phải là chữ" + _shown(e),
    "string_too_short": lambda e: f"phải có ít nhất {_ctx(e, 'min_length')} ký tự",
    "string_too_long": lambda e: f"chỉ được tối đa {_ctx(e, 'max_length')} ký tự",
    "greater_than_equal": lambda e: f"phải từ {_ctx(e, 'ge')} trở lên" + _shown(e),
    "greater_than": lambda e: f"phải lớn hơn {_ctx(e, 'gt')}" + _shown(e),
    "less_than_equal": lambda e: f"không được lớn hơn {_ctx(e, 'le')}" + _shown(e),
    "less_than": lambda e: f"phải nhỏ hơn {_ctx(e, 'lt')}" + _shown(e),
    "missing": lambda e: "thiếu mục bắt buộc này",
    "extra_forbidden": lambda e: "không phải mục được phép ở đây (gõ sai tên?)",
    "dict_type": lambda e: "phải là một bảng khoá: giá trị",
    "model_type": lambda e: "phải là một bảng khoá: giá trị",
    "list_type": lambda e: "phải là một danh sách",
    "tuple_type": lambda e: "phải là một danh sách",
    "literal_error": lambda e: f"phải là một trong: {_ctx(e, 'expected')}" + _shown(e),
    "enum": lambda e: f"phải là một trong: {_ctx(e, 'expected')}" + _shown(e),
    "date_parsing": lambda e: "phải là ngày, dạng yyyy-mm-dd" + _shown(e),
    "date_from_datetime_parsing": lambda e: "phải là ngày, dạng yyyy-mm-dd" + _shown(e),
    "date_type": lambda e: "phải là ngày" + _shown(e),
}


def error_sentence(err: Err) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a Vietnamese clause."""
    kind = str(err.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        # Our own validators raise with Vietnamese text; pydantic only prefixes it.
        cause = _ctx(err, "error")
        if cause is not None:
            return str(cause)
    sentence = _SENTENCES.get(kind)
    if sentence is not None:
        return sentence(err)
    return "giá trị không đúng dạng yêu cầu" + _shown(err)


def location(err: Err) -> str:
    """Where the error is, as the keys of the file joined by dots (or "(gốc)")."""
    return ".".join(str(p) for p in err.get("loc", ())) or "(gốc)"
