"""Why the operating system refused, in Vietnamese (``strerror`` is English: "Permission
denied"). Chosen by ``errno``, the stable part of an OSError; unknown numbers keep the
system's words after a Vietnamese lead, so nothing is hidden."""

from __future__ import annotations

import errno

REASONS: dict[int, str] = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền truy cập (tệp có thể đang mở trong Excel, hoặc thư mục bị khoá)",
    errno.EPERM: "hệ điều hành không cho phép thao tác này",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc, không ghi được",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.EEXIST: "đã có tệp hoặc thư mục cùng tên",
    errno.EBUSY: "tệp đang được chương trình khác dùng",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài",
    errno.EMFILE: "mở quá nhiều tệp cùng lúc",
    errno.EIO: "lỗi đọc/ghi của ổ đĩa",
    errno.EDQUOT: "đã hết hạn mức dung lượng",
}


def os_reason(exc: BaseException) -> str:
    """The reason of an OSError in words (any other exception: its text)."""
    if isinstance(exc, OSError) and exc.errno in REASONS:
        return REASONS[exc.errno]
    if isinstance(exc, OSError) and exc.strerror:
        return f"lỗi hệ thống: {exc.strerror}"
    return str(exc)
