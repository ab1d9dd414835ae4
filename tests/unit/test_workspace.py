"""The working folder: ngheo.yaml written and read back, found from a subfolder, refused
when wrong (exit 4) with a Vietnamese message."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ngheo_cli.errors import EXIT_RULES, EXIT_USAGE, RulesetError, UsageError
from ngheo_cli.io.store import RunInfo, Store
from ngheo_cli.io.workspace import (
    CONFIG_NAME,
    STORE_NAME,
    CommuneConfig,
    Workspace,
    find_workspace,
    init_workspace,
    load_workspace,
)

COMMUNES = [
    CommuneConfig.create("00123", "Xã Ea Kly", "xa"),
    CommuneConfig.create("24121", "Phường Buôn Ma Thuột", "phường"),
    CommuneConfig.create("30001", "Đặc khu Phú Quốc", "Đặc khu", "đô thị"),
]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "dak_lak", "66", "Đắk Lắk", COMMUNES)


def test_area_follows_the_commune_type() -> None:
    assert COMMUNES[0].khu_vuc == "nong_thon" and COMMUNES[0].type == "xa"
    assert COMMUNES[1].khu_vuc == "thanh_thi" and COMMUNES[1].type == "phuong"
    assert COMMUNES[2].khu_vuc == "thanh_thi" and COMMUNES[2].type == "dac_khu"
    assert CommuneConfig.create(" 0042 ", " Xã  Krông  Nô ", "XÃ", "nông thôn").name == \
        "Xã Krông Nô"


@pytest.mark.parametrize(
    "args, message",
    [
        (("00001", "Đặc khu Côn Đảo", "dac_khu"), "phải ghi rõ khu_vuc"),
        (("00001", "Phường 1", "phuong", "nong_thon"), "luôn thuộc khu vực thành thị"),
        (("00001", "Xã A", "xa", "thanh_thi"), "luôn thuộc khu vực nông thôn"),
        (("00001", "Huyện A", "huyen"), "loại đơn vị"),
        (("00001", "Xã A", "xa", "miền núi"), "khu vực"),
        ((123, "Xã A", "xa"), "phải là chữ"),
        (("12 3", "Xã A", "xa"), "không hợp lệ"),
        (("00001", "  ", "xa"), "thiếu tên xã"),
    ],
)
def test_bad_commune_values_are_rules_errors(args: tuple, message: str) -> None:
    with pytest.raises(RulesetError, match=message) as err:
        CommuneConfig.create(*args)
    assert err.value.exit_code == EXIT_RULES


def test_init_writes_config_and_store(workspace: Workspace) -> None:
    root = workspace.root
    assert (root / CONFIG_NAME).is_file() and (root / STORE_NAME).is_file()
    text = (root / CONFIG_NAME).read_text(encoding="utf-8")
    assert text.startswith("# Cấu hình thư mục làm việc của ngheo")
    assert "Đắk Lắk" in text  # UTF-8, not \\u escapes
    data = yaml.safe_load(text)
    assert data["province"] == {"code": "66", "name": "Đắk Lắk"}
    assert data["communes"][0] == {"code": "00123", "name": "Xã Ea Kly", "type": "xa",
                                   "khu_vuc": "nong_thon"}
    assert data["targets"] == [] and data["assign"] == {}
    assert "'00123'" in text  # quoted: YAML keeps the leading zeros
    with Store.open(workspace.store_path) as store:
        assert store.communes() == []
    assert not list(root.glob(".~ngheo-*"))  # no temp file left behind


def test_config_reads_back_equal(workspace: Workspace) -> None:
    again = load_workspace(workspace.root)
    assert again == workspace
    assert load_workspace(workspace.config_path) == workspace


def test_commune_lookup(workspace: Workspace) -> None:
    assert workspace.commune("00123").name == "Xã Ea Kly"
    assert workspace.commune(" 24121 ").type == "phuong"
    with pytest.raises(RulesetError) as err:
        workspace.commune("123")  # not 00123: codes are text
    assert err.value.exit_code == EXIT_RULES
    assert "00123 (Xã Ea Kly)" in str(err.value) and "30001" in str(err.value)
    empty = init_workspace(workspace.root / "rong", "66", "Đắk Lắk")
    with pytest.raises(RulesetError, match="Chưa khai báo xã nào"):
        empty.commune("00123")


def test_init_refuses_to_overwrite_without_force(workspace: Workspace) -> None:
    with Store.open(workspace.store_path) as store:
        frame = pd.DataFrame({"ma_ho": ["001"], "phan_loai": ["ngheo"]})
        store.record_year("00123", 2025, frame, RunInfo(standard="nd07-2021"))
    before = workspace.config_path.read_bytes()
    with pytest.raises(UsageError, match="--force") as err:
        init_workspace(workspace.root, "66", "Đắk Lắk", COMMUNES[:1])
    assert err.value.exit_code == EXIT_USAGE
    assert workspace.config_path.read_bytes() == before
    redone = init_workspace(workspace.root, "66", "Đắk Lắk", COMMUNES[:1], force=True)
    assert [c.code for c in redone.communes] == ["00123"]
    assert (workspace.root / f"{CONFIG_NAME}.bak").read_bytes() == before
    with Store.open(redone.store_path) as store:  # people's data survives --force
        assert store.household_count("00123", 2025) == 1


def test_init_refuses_duplicates_and_a_file_as_folder(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match="hai lần"):
        init_workspace(tmp_path / "a", "66", "Đắk Lắk", [COMMUNES[0], COMMUNES[0]])
    assert not (tmp_path / "a" / CONFIG_NAME).exists()
    afile = tmp_path / "tep.txt"
    afile.write_text("x")
    with pytest.raises(UsageError):
        init_workspace(afile, "66", "Đắk Lắk")
    with pytest.raises(RulesetError, match="mã tỉnh"):
        init_workspace(tmp_path / "b", 66, "Đắk Lắk")  # type: ignore[arg-type]


def test_found_from_a_subfolder_or_given(workspace: Workspace, tmp_path: Path) -> None:
    deep = workspace.root / "2025" / "thang_11"
    deep.mkdir(parents=True)
    assert find_workspace(deep) == workspace
    assert find_workspace(workspace.root) == workspace
    assert find_workspace(tmp_path) is None
    assert find_workspace(tmp_path, explicit=workspace.root) == workspace
    assert find_workspace(tmp_path, explicit=workspace.config_path) == workspace
    with pytest.raises(UsageError, match="không có ngheo.yaml"):
        find_workspace(deep, explicit=tmp_path)
    with pytest.raises(UsageError, match="Không tìm thấy"):
        find_workspace(deep, explicit=tmp_path / "khong_co")


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
    return tmp_path


GOOD_PROVINCE = "province: {code: '66', name: Đắk Lắk}\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("province: [1, 2\n", "YAML sai cú pháp (dòng"),
        ("- a\n- b\n", "bảng khoá"),
        ("communes: []\n", "thiếu province"),
        (GOOD_PROVINCE + "commune: []\n", "khoá không biết: commune"),
        (GOOD_PROVINCE + "communes:\n  - {code: 00123, name: Xã A, type: xa}\n", "phải là chữ"),
        (GOOD_PROVINCE + "communes:\n  - {code: '1', name: Xã A, type: xa, dien_tich: 5}\n",
         "khoá không biết: dien_tich"),
        (GOOD_PROVINCE + "communes:\n  - {code: '1', name: Đặc khu B, type: dac_khu}\n",
         "phải ghi rõ khu_vuc"),
        (GOOD_PROVINCE + "communes:\n  - {code: '1', name: Xã A, type: xa}\n"
         "  - {code: '1', name: Xã B, type: xa}\n", "hai lần"),
        (GOOD_PROVINCE + "communes: {a: 1}\n", "danh sách"),
        (GOOD_PROVINCE + "targets: {a: 1}\n", "danh sách"),
        (GOOD_PROVINCE + "assign: [1]\n", "bảng khoá"),
        (GOOD_PROVINCE + "version: 9\n", "mới hơn"),
        ("province: {code: 66, name: Đắk Lắk}\n", "mã tỉnh"),
        (GOOD_PROVINCE + "batch: [ket_qua]\n", "bảng khoá"),
        (GOOD_PROVINCE + "batch: {output: [ket_qua]}\n", "khoá không biết: output"),
        (GOOD_PROVINCE + "batch: {outputs: ket_qua}\n", "outputs phải là một danh sách"),
        (GOOD_PROVINCE + "batch: {outputs: [ket_qua, bao_cao_tinh]}\n",
         "tên không biết: bao_cao_tinh"),
    ],
)
def test_bad_config_is_a_rules_error(tmp_path: Path, text: str, message: str) -> None:
    _write(tmp_path, text)
    with pytest.raises(RulesetError, match=re.escape(message)) as err:
        load_workspace(tmp_path)
    assert err.value.exit_code == EXIT_RULES
    assert CONFIG_NAME in str(err.value) or "Cấu hình" in str(err.value)


def test_communes_row_number_in_message(tmp_path: Path) -> None:
    _write(tmp_path, GOOD_PROVINCE + "communes:\n  - {code: '1', name: Xã A, type: xa}\n"
           "  - {code: '2', name: Xã B, type: quan}\n")
    with pytest.raises(RulesetError, match="đơn vị thứ 2"):
        load_workspace(tmp_path)


def test_hand_written_config_with_vietnamese_spellings(tmp_path: Path) -> None:
    _write(tmp_path, GOOD_PROVINCE + "communes:\n"
           "  - code: '00456'\n    name: Xã Cư Jút\n    type: Xã\n"
           "  - code: '00789'\n    name: Đặc khu Lý Sơn\n    type: đặc khu\n"
           "    khu_vuc: Nông thôn\n")
    ws = load_workspace(tmp_path)
    assert [(c.code, c.type, c.khu_vuc) for c in ws.communes] == [
        ("00456", "xa", "nong_thon"), ("00789", "dac_khu", "nong_thon")
    ]
    assert ws.targets == [] and ws.assign == {}


def test_batch_outputs_read_in_a_fixed_order_and_kept_by_save(tmp_path: Path) -> None:
    _write(tmp_path, GOOD_PROVINCE + "batch:\n  outputs: [bao_cao, ' ket_qua', bao_cao]\n")
    ws = load_workspace(tmp_path)
    assert ws.batch_outputs == ("ket_qua", "bao_cao")
    assert load_workspace(_write(tmp_path, GOOD_PROVINCE)).batch_outputs is None
    assert "batch" not in load_workspace(tmp_path).to_dict()  # not set: not written back
    assert ws.to_dict()["batch"] == {"outputs": ["ket_qua", "bao_cao"]}
