"""Property tests (hypothesis) for the normaliser, the segmenter and the chunker.

They never crash on any text; they never lose a character of article text other
than the OCR spaces they are meant to remove; ids are stable and unique.
"""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.chunking import chunk_issue, pack_sentences, split_sentences
from rag.ingest import NoArticles, UnreadableFile, decode_bytes, parse_text
from rag.ingest.normalize import drop_cjk_spaces, normalize_block

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Newspaper-like characters: ideographs, digits, Latin, CJK and ASCII punctuation, OCR spaces.
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
NEWS_CHAR = st.one_of(CJK, st.sampled_from(list("0123456789.%万亿年月日ABCxyz ，。、；：！？“”（）《》,;:!?()\"' \u3000\t")))
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


def nonspace(text: str) -> str:
    return "".join(text.split())


@FUZZ
@given(st.one_of(ANY_TEXT, st.text(alphabet=st.one_of(NEWS_CHAR, st.just("\n")), max_size=400)))
def test_normaliser_only_removes_white_space(text):
    out = normalize_block(text)
    assert "\n" not in out
    assert nonspace(out) == nonspace(text)
    assert nonspace(drop_cjk_spaces(text)) == nonspace(text)
    assert normalize_block(out) == out  # idempotent


def sentences():
    return st.lists(st.text(alphabet=NEWS_CHAR.filter(lambda c: c not in "。！？!?\n"), min_size=4, max_size=60)
                    .map(lambda s: s.strip() + "。"), min_size=1, max_size=6).map("".join)


@st.composite
def page(draw):
    """A page: masthead, then articles (headline, lead, paragraphs); column breaks cut paragraphs
    at random points and OCR drops spaces in. Returns (page text, headlines, body text in order)."""
    blocks = ["HENGSHUIRIBAO", "2021年12月3日 星期五"]
    headlines, body = [], []
    for _ in range(draw(st.integers(1, 4))):
        head = draw(st.text(alphabet=CJK, min_size=4, max_size=20))
        headlines.append(head)
        blocks.append(head)
        paras = draw(st.lists(sentences(), min_size=1, max_size=4))
        paras[0] = "本报讯(记者甲)" + paras[0]
        for p in paras:
            body.append(p)
            cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(p) - 1)), max_size=2))))
            pieces = [p[i:j] for i, j in zip([0] + cuts, cuts + [len(p)], strict=True)]
            for piece in pieces:
                noisy = "".join(ch + (" " if draw(st.integers(0, 9)) == 0 else "") for ch in piece)
                blocks.append(noisy)
    return "\n\n".join(blocks), headlines, body


@FUZZ
@given(page())
def test_segmenter_keeps_every_character_of_the_articles(sample):
    text, headlines, body = sample
    parsed = parse_text(text, "fuzz-2021-12-03-A1.txt")
    kept = "".join(a.title + a.subtitle + "".join(p.text for p in a.paragraphs) for a in parsed.articles)
    # Every character of headlines and body is still there (a cut sentence may be taken for a
    # headline, but it is not dropped); nothing was made up except derived titles.
    want = Counter(nonspace("".join(headlines) + "".join(body)))
    got = Counter(nonspace(kept))
    assert not (want - got), f"lost: {want - got}"
    paragraphs = "".join(nonspace(p.text) for a in parsed.articles for p in a.paragraphs)
    assert set(paragraphs) <= set(nonspace(text))
    for a in parsed.articles:
        for p in a.paragraphs:
            assert p.text and p.text == p.text.strip() and "\n" not in p.text


@FUZZ
@given(st.lists(st.one_of(NEWS_CHAR, st.sampled_from(["\n", "\n\n", "本报讯", "摄", "(下转A2版)", "新华社北京12月2日电"])),
                max_size=300).map("".join))
def test_segmenter_and_chunker_never_crash_and_ids_are_stable(text):
    try:
        parsed = parse_text(text, "any-2021-12-03-A1.txt")
    except NoArticles:
        return
    chunks = chunk_issue(parsed, max_chars=80)
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))
    again = chunk_issue(parse_text(text, "any-2021-12-03-A1.txt"), max_chars=80)
    assert [c.chunk_id for c in again] == ids and [c.text for c in again] == [c.text for c in chunks]
    for a in parsed.articles:
        for p in a.paragraphs:
            parts = [c.text for c in chunks if c.article_order == a.order and c.paragraph == p.index]
            assert "".join(parts) == p.text  # a paragraph's chunks cover it exactly, in order


@FUZZ
@given(st.text(alphabet=NEWS_CHAR, max_size=500), st.integers(10, 400))
def test_chunk_packing_covers_the_text_in_order(text, limit):
    sents = split_sentences(text)
    assert nonspace("".join(sents)) == nonspace(text)
    pieces = pack_sentences(sents, limit)
    assert "".join(pieces) == "".join(sents)
    for piece in pieces:  # over the limit only when one sentence alone is longer
        assert len(piece) <= limit or len(split_sentences(piece)) == 1


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_are_refused_with_the_name(data):
    try:
        text, encoding = decode_bytes(data, "x.txt")
    except UnreadableFile as exc:
        assert str(exc).startswith("x.txt: ")
        return
    assert text.strip() and encoding in ("utf-8", "utf-8-sig", "utf-16", "gb18030")
