"""The report's forms opened by a real client: LibreOffice converts every sheet to PDF, and the
PDF is read back (poppler's pdftotext): every form is there, the signature titles are whole,
the type is 9 pt or more on every page. Skipped, with the reason, where LibreOffice or
poppler is not installed (`.ci/run` installs both)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ngheo_cli.io.outputs.report import write_report
from ngheo_cli.io.workspace import load_workspace
from ngheo_cli.services.report import build_report

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) không có trên máy này: "
                       "cài gói libreoffice-calc để chạy kiểm thử in biểu mẫu"),
    pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) không có trên máy "
                       "này: cài gói poppler-utils để đọc lại tệp PDF"),
]

TITLES = (
    "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO",
    "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO NĂM 2024",
    "TỔNG HỢP DIỄN BIẾN HỘ CẬN NGHÈO NĂM 2024",
    "PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO NĂM 2024",
    "PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ CẬN NGHÈO NĂM 2024",
    "HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHÓM ĐỐI TƯỢNG NĂM 2024",
    "HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC NĂM 2024",
    "HỘ NGHÈO, HỘ CẬN NGHÈO THEO NGUYÊN NHÂN NGHÈO NĂM 2024",
    "THEO CHUẨN NGHÈO ĐA CHIỀU NĂM 2024",
)
# The word height pdftotext reports is about 1.09 × the type size (measured on these PDFs).
HEIGHT_PER_POINT = 1.09


def _pdf(xlsx: Path, out: Path) -> Path:
    profile = out / "lo-profile"
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to",
         "pdf", "--outdir", str(out), str(xlsx)],
        check=True, capture_output=True, timeout=300,
    )
    pdf = out / (xlsx.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice did not write {pdf.name}"
    return pdf


def _text(pdf: Path) -> str:
    return subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def _smallest_type(pdf: Path) -> float:
    xml = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    heights = [float(b) - float(a) for a, b in
               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">', xml)]
    return min(heights) / HEIGHT_PER_POINT


@pytest.fixture
def documents(ws: Path, tmp_path: Path) -> dict[str, Path]:
    workspace = load_workspace(ws)
    out = tmp_path / "bc"
    paths = {}
    for level, kwargs in (("commune", {"commune": "24181"}), ("province", {"province": True})):
        ctx = build_report(workspace, 2024, **kwargs).context
        paths[level] = next(p for p in write_report(ctx, out) if p.suffix == ".xlsx")
    return paths


@pytest.mark.parametrize("level", ["commune", "province"])
def test_every_form_prints_whole_on_a4(documents: dict[str, Path], tmp_path: Path,
                                       level: str) -> None:
    pdf = _pdf(documents[level], tmp_path)
    text = _text(pdf)
    pages = text.split("\f")
    flat = " ".join(text.split())
    for title in TITLES:
        assert title in flat, f"{title!r} missing from the {level} PDF"
    # The signature titles are complete (never clipped to "TM. ỦY BAN NHÂN D…").
    chair = "TM. ỦY BAN NHÂN DÂN XÃ" if level == "commune" else "TM. ỦY BAN NHÂN DÂN TỈNH"
    assert flat.count(chair) >= len(TITLES)
    assert flat.count("NGƯỜI LẬP BIỂU") >= len(TITLES)
    assert "CHỦ TỊCH" in flat and "(Ký tên, đóng dấu)" in flat
    assert flat.count("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM") >= len(TITLES)
    assert "Độc lập – Tự do – Hạnh phúc" in flat and "Số: …/BC-UBND" in flat
    # Numbers read the Vietnamese way whatever the converting machine's locale.
    assert "2.571" in flat and "22,22" in flat
    if level == "commune":
        assert "DANH SÁCH CHI TIẾT HỘ NGHÈO NĂM 2024" in flat
    # A4 landscape, and no page under 9 pt.
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout \
        if shutil.which("pdfinfo") else ""
    if info:
        assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info), info
    assert len(pages) > 1
    assert _smallest_type(pdf) >= 9.0
