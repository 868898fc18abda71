"""The HTTP API answering from Milvus (Milvus Lite): the same contract, and an ingest made after the
server started shows up in /api/issues and in answers without a restart."""

import httpx
import pytest
from netutil import free_port

from rag.app.archive import ingest_files
from rag.app.server import serve
from rag.index import open_writer
from rag.ingest import parse_text

pytestmark = pytest.mark.slow
pytest.importorskip("pymilvus", reason="the Milvus backend is an optional install: pip install 'newsqa[milvus]'")


@pytest.fixture(scope="module")
def milvus_server(settings_e5, e5_encoder, sample_path, tmp_path_factory):
    from rag.chain import NewsQA

    settings = settings_e5.updated(index_backend="milvus", port=free_port(),
                                   milvus_uri=str(tmp_path_factory.mktemp("milvus") / "newsqa.db"))
    assert ingest_files(settings, [sample_path], log=lambda m: None, encoder=e5_encoder) == 0
    qa = NewsQA.load(settings, encoder=e5_encoder)
    server = serve(settings, qa=qa, block=False)
    yield settings, f"http://127.0.0.1:{settings.port}"
    server.should_exit = True


def test_ask_from_milvus_keeps_the_contract(milvus_server):
    _, base = milvus_server
    a = httpx.post(f"{base}/api/ask", json={"question": "景县3周岁以上人群已接种多少人？"}, timeout=60).json()
    assert a["answerable"] and a["short_answer"] == "39.93万人"
    assert a["citations"][0]["chunk_id"].startswith("hengshui-daily/2021-12-03/A1/a05/")
    page = httpx.get(f"{base}/source/{a['citations'][0]['chunk_id']}", timeout=30)
    assert page.status_code == 200 and "景县全力以赴推进疫苗接种工作" in page.text


def test_an_ingest_from_elsewhere_is_seen_without_a_restart(milvus_server, e5_encoder):
    settings, base = milvus_server
    assert [i["source_id"] for i in httpx.get(f"{base}/api/issues").json()["issues"]] == ["hengshui-daily-2021-12-03-A1.txt"]
    page = ("衡水晚报 2021年12月4日 星期六 第B3版\n\n滏阳河湿地公园开园\n\n"
            "本报讯（记者刘洋）滏阳河湿地公园昨日开园，园区面积达1200亩。\n")
    open_writer(settings).update([parse_text(page, "hengshui-evening-2021-12-04-B3.txt", "b3")], e5_encoder)
    issues = httpx.get(f"{base}/api/issues").json()["issues"]
    assert len(issues) == 2
    a = httpx.post(f"{base}/api/ask", json={"question": "滏阳河湿地公园的园区面积是多少？"}, timeout=60).json()
    assert a["answerable"] and "1200亩" in a["short_answer"]
