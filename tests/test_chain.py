"""The chain is the one path: invoke and stream go through the same stages; each seam is a protocol."""

from collections.abc import Iterator

from embeddings import Encoder
from rag.answer import Answerer, Drafted, ExtractiveAnswerer, LLMAnswerer, StreamingAnswerer
from rag.chain import build_chain
from rag.config import Settings
from rag.index import FolderWriter, Index, IndexReader, IndexWriter, open_writer, update_index
from rag.retrieve import HybridRetriever
from rag.types import Answer, Citation, Hit


class Streaming:
    """An answerer that writes its text in pieces, as an LLM does."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, question: str, hits: list[Hit]) -> Drafted:
        return list(self.stream(question, hits))[-1]

    def stream(self, question: str, hits: list[Hit]) -> Iterator[str | Drafted]:
        self.seen.append(question)
        yield "张洪"
        yield "涛。"
        yield Drafted("张洪涛。[1]", True, [Citation.of(1, hits[0], hits[0].chunk.text)], "张洪涛", 0.9)


def _index(tmp_path, fake_encoder, sample_parsed):
    update_index(tmp_path / "idx", [sample_parsed], fake_encoder, progress=False)
    return Index.open(tmp_path / "idx")


def test_stream_yields_the_pieces_then_the_answer_and_invoke_returns_the_answer(tmp_path, fake_encoder,
                                                                                   sample_parsed):
    index = _index(tmp_path, fake_encoder, sample_parsed)
    retriever = HybridRetriever(index=index, encoder=fake_encoder, settings=Settings().retrieval)
    answerer = Streaming()
    chain = build_chain(retriever, answerer, issues=index.issues)
    items = list(chain.stream({"question": "他是谁？", "history": [{"question": "冀州区委书记是谁？",
                                                                   "answer": "张洪涛"}]}))
    assert items[:2] == ["张洪", "涛。"] and isinstance(items[-1], Answer) and len(items) == 3
    a = items[-1]
    assert a.short_answer == "张洪涛" and a.standalone_question == "张洪涛是谁？" == answerer.seen[-1]
    assert set(a.timings_ms) >= {"condense", "retrieve", "answer", "total"}
    # invoke adds the stream's pieces up: the Answer is what they come to.
    b = chain.invoke("冀州区委书记是谁？")
    assert isinstance(b, Answer) and b.answer == "张洪涛。[1]" and b.standalone_question == "冀州区委书记是谁？"


def test_hits_handed_in_skip_retrieval_and_a_plain_answerer_is_held_by_the_gate(tmp_path, fake_encoder,
                                                                                  sample_parsed):
    index = _index(tmp_path, fake_encoder, sample_parsed)
    hits = HybridRetriever(index=index, encoder=fake_encoder, settings=Settings().retrieval).search("景县接种", 3)
    held: list[str] = []

    class Gate:
        def __enter__(self):
            held.append("in")

        def __exit__(self, *exc):
            held.append("out")

    def plain(question, got):
        assert held[-1] == "in" and got == hits
        return Drafted("无。", False, [])

    class NoRetrieval:
        def search(self, *a, **k):
            raise AssertionError("hits were handed in")

    a = build_chain(NoRetrieval(), plain, gate=Gate).invoke({"question": "景县接种多少人？", "hits": hits})
    assert a.answer == "无。" and held == ["in", "out"]


def test_the_built_in_parts_fit_their_protocols(tmp_path, fake_encoder, sample_parsed):
    index = _index(tmp_path, fake_encoder, sample_parsed)
    assert isinstance(index, IndexReader)
    assert isinstance(FolderWriter(tmp_path / "x", max_chunk_chars=320, dense_kind="auto"), IndexWriter)
    assert isinstance(open_writer(Settings().updated(index_dir=tmp_path / "y")), IndexWriter)
    assert isinstance(fake_encoder, Encoder)
    extractive = ExtractiveAnswerer(index.paragraph_text)
    assert isinstance(extractive, Answerer) and not isinstance(extractive, StreamingAnswerer)
    assert isinstance(LLMAnswerer(None, index.paragraph_text), StreamingAnswerer)
