"""Find the folders shipped beside the code: ``templates/`` and ``sample_data/``.

In a wheel they are copied into the package (pyproject: force-include); in a source
checkout (editable install) they sit at the project's top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def shipped_dir(name: str) -> Path:
    """``ngheo_cli/<name>`` when installed from a wheel, else ``<checkout>/<name>``."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"thư mục {name} không có trong bản cài đặt ngheo")
