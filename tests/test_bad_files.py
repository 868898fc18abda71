"""Bad files at ingest: each gets one line naming it and the reason; the rest of the batch still goes in."""

import io
import json
from pathlib import Path

import pytest

from rag.app.archive import ingest_files
from rag.config import load_settings
from rag.index import Index, update_index
from rag.ingest import UnreadableFile, parse_bytes, parse_file

ISSUE = "衡水日报\n\n2021年12月{day}日 星期五\n\n{title}\n\n本报讯(记者甲){body}\n\n第二段说明了有关的情况和做法。"


def issue(day: int, title: str, body: str) -> str:
    return ISSUE.format(day=day, title=title, body=body)


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica, ASCII)."""
    content = "BT /F1 12 Tf 20 180 Td " + " ".join(f"({t}) Tj 0 -16 Td" for t in lines) + " ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


GOOD = issue(3, "景县全力以赴推进疫苗接种工作", "截至12月2日17时,该县3周岁以上人群已接种39.93万人。")
HOSTILE_HTML = (
    "<!DOCTYPE html><html><head><title>衡水日报 | 2021年12月4日</title>"
    "<script>fetch('http://127.0.0.1:9/steal')</script><style>p{color:red}</style></head><body>"
    "<h1>饶阳多措并举锻造过硬队伍</h1><p>本报讯 饶阳县为组工干部配发党史读物128套。"
    "<img src=x onerror=\"window.__pwned=1\"></p><script>document.write('注入')</script>"
    "<p>第二段说明了有关的情况和做法。</p></body></html>"
)
BAD = {  # name -> (bytes, what the message must say)
    "empty.txt": (b"", "file is empty"),
    "spaces.txt": (b"  \n\t\n ", "only white space"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "PNG image"),
    "noise.txt": (bytes(range(1, 256)) * 40, "neither UTF-8 nor GB18030"),
    "program.md": (b"\x7fELF\x02\x01\x01" + bytes(100), "a program"),
    "masthead-only.txt": ("衡水日报\n\n2021年12月5日 星期日".encode(), "no article text found"),
    "scan.pdf": (None, "no text layer"),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "not a readable PDF"),
    "huge.txt": (None, "over the 1 MB limit"),
}


@pytest.fixture
def settings(tmp_path):
    return load_settings(None, {"index_dir": str(tmp_path / "index"), "max_file_mb": 1})


def test_a_batch_with_every_kind_of_bad_file_indexes_the_good_ones(tmp_path, settings, fake_encoder):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "gbk-mislabelled.txt").write_bytes(  # GBK bytes in a file any tool would call UTF-8 text
        issue(6, "冀州谱写生态湖城新篇章", "冀州区委书记张洪涛接受采访。").encode("gbk"))
    (folder / "truncated.txt").write_bytes(  # a copy cut off inside the last character
        issue(7, "我市筑牢民生保障体系", "城乡低保标准连续15年提高。").encode("utf-8")[:-1])
    (folder / "page.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (folder / "english.pdf").write_bytes(pdf_with_text(["Hengshui Daily", "Technology contracts worth 55 million."]))
    for name, (data, _) in BAD.items():
        if name == "scan.pdf":
            data = blank_pdf()
        if name == "huge.txt":
            with open(folder / name, "wb") as f:  # sparse: 200 MB on paper, refused before it is read
                f.truncate(200 * 2**20)
            continue
        (folder / name).write_bytes(data)
    warned, logged = [], []
    files = sorted(folder.iterdir())
    failed = ingest_files(settings, files, log=logged.append, warn=warned.append, encoder=fake_encoder)

    assert failed == len(BAD)
    for name, (_, reason) in BAD.items():
        lines = [w for w in warned if name in w]
        assert len(lines) == 1 and reason in lines[0], (name, warned)
    index = Index.open(settings.index_dir)
    sources = {s["source_id"]: s for s in index.issues()}
    assert set(sources) == {"good.txt", "gbk-mislabelled.txt", "truncated.txt", "page.html", "english.pdf"}
    assert sources["page.html"]["newspaper"] == "衡水日报" and sources["page.html"]["date"] == "2021-12-04"
    assert sources["gbk-mislabelled.txt"]["date"] == "2021-12-06"
    texts = [index.paragraph_text(c.paragraph_id) for c, _ in index.search_lexical("张洪涛", 3)]
    assert any("张洪涛" in t for t in texts)  # GBK read as GBK, not as mojibake
    html_text = index.article_text(index.search_lexical("党史读物", 1)[0][0].paragraph_id)
    assert "128套" in html_text
    # Scripts and styles are dropped unread; markup never reaches the index.
    for bad in ("fetch(", "document.write", "注入", "color:red", "<img", "onerror"):
        assert bad not in html_text
    truncated = index.article_text(index.search_lexical("低保", 1)[0][0].paragraph_id)
    assert "连续15年提高" in truncated
    pdf_hits = index.search_lexical("Technology contracts", 1)
    assert pdf_hits and "55 million" in index.paragraph_text(pdf_hits[0][0].paragraph_id)


def test_a_bad_new_version_leaves_the_indexed_version_as_it_was(tmp_path, settings, fake_encoder):
    f = tmp_path / "keep.txt"
    f.write_text(GOOD, encoding="utf-8")
    assert ingest_files(settings, [f], log=lambda m: None, warn=lambda m: None, encoder=fake_encoder) == 0
    before = {s["source_id"]: s["content_hash"] for s in Index.open(settings.index_dir).issues()}
    gen = Index.current_generation(settings.index_dir)
    for data in (b"", b"\x89PNG\r\n\x1a\n" + bytes(64), "衡水日报\n\n2021年12月3日".encode()):
        f.write_bytes(data)
        warned = []
        assert ingest_files(settings, [f], log=lambda m: None, warn=warned.append, encoder=fake_encoder) == 1
        assert len(warned) == 1 and "keep.txt" in warned[0]
        assert Index.current_generation(settings.index_dir) == gen  # nothing written
        after = {s["source_id"]: s["content_hash"] for s in Index.open(settings.index_dir).issues()}
        assert after == before


def test_a_page_that_claims_another_files_slot_is_skipped_and_the_rest_goes_in(tmp_path, fake_encoder):
    root = tmp_path / "idx"
    # The pinyin masthead names the paper, so the chunk ids no longer depend on the file names.
    a = parse_bytes(("HENGSHUIRIBAO\n\n" + GOOD).encode(), "hengshui-2021-12-03-A1.txt")
    update_index(root, [a], fake_encoder)
    # Same paper, date and page under another name; and a replacement of `a` that now clashes with `c`.
    b = parse_bytes(("HENGSHUIRIBAO\n\n" + GOOD.replace("39.93万人", "40万人")).encode(), "copy-2021-12-03-A1.txt")
    c = parse_bytes(("HENGSHUIRIBAO\n\n" + issue(9, "另一期", "内容。")).encode(), "other-2021-12-09-A1.txt")
    report = update_index(root, [b, c], fake_encoder)
    assert report.added == ["other-2021-12-09-A1.txt"]
    assert len(report.failed) == 1 and "copy-2021-12-03-A1.txt" in report.failed[0]
    assert "hengshui-2021-12-03-A1.txt" in report.failed[0]
    a2 = parse_bytes(("HENGSHUIRIBAO\n\n" + issue(9, "另一期", "改了。")).encode(), "hengshui-2021-12-03-A1.txt")
    report = update_index(root, [a2], fake_encoder)
    assert report.replaced == [] and len(report.failed) == 1
    index = Index.open(root)
    kept = {s["source_id"]: s["content_hash"] for s in index.issues()}
    assert kept["hengshui-2021-12-03-A1.txt"] == a.issue.content_hash  # the old version is still there
    assert any("39.93万人" in index.paragraph_text(ch.paragraph_id) for ch, _ in index.search_lexical("接种", 5))


def test_content_decides_the_type_not_the_name(tmp_path):
    with pytest.raises(UnreadableFile, match=r"issue\.txt: this is a JPEG image"):
        parse_bytes(b"\xff\xd8\xff\xe0" + bytes(100), "issue.txt")
    with pytest.raises(UnreadableFile, match=r"report\.docx: this is a ZIP archive"):
        parse_bytes(b"PK\x03\x04" + bytes(100), "report.docx")
    # An HTML page saved as .txt is read as HTML (its scripts dropped), a text file named .pdf as text.
    parsed = parse_bytes(HOSTILE_HTML.encode(), "saved.txt")
    assert parsed.articles[0].title == "饶阳多措并举锻造过硬队伍"
    assert parse_bytes(GOOD.encode(), "not-really.pdf").issue.date == "2021-12-03"


def test_passages_file_is_read_once_and_replaced_as_a_whole(tmp_path, fake_encoder):
    f = tmp_path / "bench.jsonl"
    rows = [{"id": "P1", "title": "t", "text": "第一版本的内容。"}, {"id": "P2", "title": "u", "text": "另一段落。"}]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    root = tmp_path / "idx"
    update_index(root, [parse_file(f)], fake_encoder)
    rows[0]["text"] = "第二版本的内容。"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = update_index(root, [parse_file(f)], fake_encoder)
    assert report.replaced == ["bench.jsonl"] and report.chunks_total == 2  # old chunks gone, not doubled


def test_size_limit_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(3 * 2**20)
    with pytest.raises(UnreadableFile, match=r"big\.txt: 3\.0 MB is over the 2 MB limit"):
        parse_file(big, max_bytes=2 * 2**20)
    assert Path(big).stat().st_size == 3 * 2**20
