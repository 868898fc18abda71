import codecs

import pytest

from rag.ingest.read import UnreadableFile, decode_bytes

TEXT = "衡水日报 2021年12月3日 景县3周岁以上人群已接种39.93万人。"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_detects_encoding(data, encoding):
    text, got = decode_bytes(data)
    assert text == TEXT
    assert got == encoding


def test_gb18030_only_characters():
    text = "㐀䶵 衡水"  # CJK extension A: in GB18030, not in GBK
    assert decode_bytes(text.encode("gb18030"))[0] == text


def test_empty_and_binary_are_refused_with_the_file_name():
    with pytest.raises(UnreadableFile, match="a.txt: file is empty"):
        decode_bytes(b"", "a.txt")
    with pytest.raises(UnreadableFile, match="b.txt: .*binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "b.txt")
