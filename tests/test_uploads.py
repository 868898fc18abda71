"""Uploaded files: the uploader's name never becomes a path; type by content; size limit."""

import pytest

from rag.app.uploads import safe_name, stage_upload, upload_folder
from rag.ingest.read import UnreadableFile


@pytest.mark.parametrize("name, want", [
    ("../../etc/passwd", "passwd.txt"),
    ("..\\..\\windows\\win.ini", "win.txt"),
    ("/abs/path/衡水日报 2021-12-03 A1.txt", "衡水日报-2021-12-03-A1.txt"),
    ("a.b.c.HTML", "a-b-c.html"),
    ("..", "upload.txt"),
    ("page.exe", "page.txt"),
    ("<img src=x onerror=alert(1)>.md", "img-src-x-onerror-alert-1.md"),
    ("\x00\n.txt", "upload.txt"),
])
def test_uploaded_names_are_cleaned_to_one_plain_file_name(name, want):
    got = safe_name(name)
    assert got == want
    assert "/" not in got and "\\" not in got and not got.startswith(".")


def test_staging_copies_into_the_upload_folder_only(tmp_path):
    index_dir = tmp_path / "data" / "index"
    folder = upload_folder(index_dir)
    assert folder == (tmp_path / "data" / "uploads").resolve()
    src = tmp_path / "tmpupload"
    src.write_text("衡水日报\n\n2021年12月3日\n\n标题\n\n本报讯 内容。", encoding="utf-8")
    dest = stage_upload(src, "../../../../tmp/evil.txt", folder, 2**20)
    assert dest.parent == folder and dest.name == "evil.txt" and dest.read_bytes() == src.read_bytes()
    assert not (tmp_path / "evil.txt").exists()


def test_staging_refuses_by_content_and_size(tmp_path):
    folder = tmp_path / "uploads"
    png = tmp_path / "a"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(UnreadableFile, match="issue.txt: this is a PNG image"):
        stage_upload(png, "issue.txt", folder, 2**20)
    big = tmp_path / "b"
    big.write_bytes(b"x" * 3000)
    with pytest.raises(UnreadableFile, match="big.txt: .* over the"):
        stage_upload(big, "big.txt", folder, 2000)
    assert not folder.exists() or not any(folder.iterdir())  # nothing refused was stored
