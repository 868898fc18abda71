"""The HTTP API on a real server on loopback: contracts, errors, SSE, the OpenAI-compatible endpoint, CORS."""

import json
from dataclasses import replace

import httpx
import pytest
from netutil import free_port

from rag.app.server import serve

pytestmark = pytest.mark.slow

ALLOWED = "http://127.0.0.1:9"  # an origin on the allow-list (nothing needs to listen there)


@pytest.fixture(scope="module")
def base(qa, settings_e5):

    settings = settings_e5.updated(port=free_port(), cors_origins=ALLOWED)
    qa_here = replace(qa, settings=settings)
    server = serve(settings, qa=qa_here, block=False)
    yield f"http://127.0.0.1:{settings.port}"
    server.should_exit = True


def test_ask_returns_the_cli_contract(base):
    r = httpx.post(f"{base}/api/ask", json={"question": "景县3周岁以上人群已接种多少人？"}, timeout=60)
    assert r.status_code == 200
    a = r.json()
    assert {"question", "answer", "answerable", "citations", "timings_ms"} <= set(a)
    assert a["answerable"] and a["short_answer"] == "39.93万人"
    assert a["citations"][0]["chunk_id"].startswith("hengshui-daily/2021-12-03/A1/a05/")


def test_ask_with_history_and_filters(base):
    r = httpx.post(f"{base}/api/ask", json={"question": "他提出了哪五大战略？",
                                            "history": [{"question": "冀州区委书记是谁？", "answer": "张洪涛"}],
                                            "filters": {"newspaper": "衡水日报"}}, timeout=60)
    a = r.json()
    assert a["standalone_question"].startswith("张洪涛") and a["filters"] == {"newspaper": "衡水日报"}
    assert a["answerable"] and a["short_answer"] == "产业强区、农业富区、商贸活区、文化兴区、生态立区"
    r = httpx.post(f"{base}/api/ask", json={"question": "景县接种", "filters": {"colour": "red"}}, timeout=60)
    assert r.status_code == 400 and "colour" in r.json()["error"]


@pytest.mark.parametrize("body, status", [
    ({"question": ""}, 400), ({"question": "   "}, 400), ({"question": "问" * 600}, 400),
    ({}, 422), ({"question": 5}, 422), ({"question": "x", "history": "nope"}, 422),
])
def test_bad_questions_get_a_clear_4xx(base, body, status):
    r = httpx.post(f"{base}/api/ask", json=body, timeout=60)
    assert r.status_code == status and isinstance(r.json()["error"], str) and r.json()["error"]


def test_not_json_is_422(base):
    r = httpx.post(f"{base}/api/ask", content=b"not json", headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 422 and "error" in r.json()


def test_search_issues_chunks_health(base):
    r = httpx.post(f"{base}/api/search", json={"question": "冀州区委书记是谁？", "k": 3}, timeout=60).json()
    assert len(r["results"]) == 3 and set(r["results"][0]) == {"chunk_id", "source_id", "article", "paragraph",
                                                                "text", "score"}
    issues = httpx.get(f"{base}/api/issues").json()["issues"]
    assert issues[0]["newspaper"] == "衡水日报" and issues[0]["date"] == "2021-12-03"
    cid = r["results"][0]["chunk_id"]
    ctx = httpx.get(f"{base}/api/chunks/{cid}").json()
    assert ctx["chunk"]["chunk_id"] == cid and ctx["paragraphs"]
    missing = httpx.get(f"{base}/api/chunks/no/such/chunk")
    assert missing.status_code == 404 and "no chunk" in missing.json()["error"]
    # A line break in the id matches no route (found by schemathesis): still our error shape.
    unroutable = httpx.get(f"{base}/api/chunks/a%0Ab")
    assert unroutable.status_code == 404 and unroutable.json().get("error")
    h = httpx.get(f"{base}/healthz").json()
    assert h["status"] == "ok" and h["chunks"] > 0
    schema = httpx.get(f"{base}/api/openapi.json").json()
    assert "/api/ask" in schema["paths"] and "/v1/chat/completions" in schema["paths"]


def test_ask_streams_server_sent_events(base):
    with httpx.stream("POST", f"{base}/api/ask?stream=true", json={"question": "冀州区委书记是谁？"}, timeout=60) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [block for block in text.split("\n\n") if block.strip()]
    last = events[-1].splitlines()
    assert last[0] == "event: answer"
    assert json.loads(last[1][len("data: "):])["short_answer"] == "张洪涛"


def test_openai_compatible_chat_completions(base):
    body = {"model": "newsqa", "messages": [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "冀州区委书记是谁？"},
        {"role": "assistant", "content": "张洪涛。"},
        {"role": "user", "content": "他提出了哪五大战略？"}]}
    r = httpx.post(f"{base}/v1/chat/completions", json=body, timeout=60).json()
    msg = r["choices"][0]["message"]
    assert msg["role"] == "assistant" and ("来源" in msg["content"] or "最接近" in msg["content"])
    assert r["citations"] and r["newsqa"]["standalone_question"].startswith("张洪涛")
    with httpx.stream("POST", f"{base}/v1/chat/completions", json={**body, "stream": True}, timeout=60) as s:
        chunks = [line[6:] for line in s.iter_lines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]"
    pieces = [json.loads(c) for c in chunks[:-1]]
    assert "".join(p["choices"][0]["delta"].get("content", "") for p in pieces) == msg["content"]


def test_cors_allow_list(base):
    ok = httpx.post(f"{base}/api/ask", json={"question": "冀州区委书记是谁？"}, headers={"Origin": ALLOWED}, timeout=60)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED
    pre = httpx.options(f"{base}/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ALLOWED
    bad = httpx.post(f"{base}/api/ask", json={"question": "冀州区委书记是谁？"},
                     headers={"Origin": "http://evil.example"}, timeout=60)
    assert bad.status_code == 403 and "not allowed" in bad.json()["error"]
    assert "access-control-allow-origin" not in bad.headers


def test_widget_and_source_page_are_served_and_escaped(base):
    js = httpx.get(f"{base}/widget.js")
    assert js.status_code == 200 and "attachShadow" in js.text and js.headers["content-type"].startswith(
        "application/javascript")
    assert "innerHTML = answer" not in js.text  # answers go in as text
    demo = httpx.get(f"{base}/widget-demo").text
    assert '/widget.js" data-title="问报纸"' in demo
    a = httpx.post(f"{base}/api/ask", json={"question": "景县3周岁以上人群已接种多少人？"}, timeout=60).json()
    c = a["citations"][0]
    page = httpx.get(f"{base}/source/{c['chunk_id']}", params={"start": c["span"]["start"], "end": c["span"]["end"]})
    assert page.status_code == 200 and "<mark>39.93万人</mark>" in page.text


def test_a_wrong_method_or_path_under_the_api_answers_in_our_error_shape(base):
    r = httpx.get(f"{base}/api/ask", timeout=10)
    assert r.status_code == 405 and r.headers["allow"] == "POST" and "use POST" in r.json()["error"]
    r = httpx.get(f"{base}/api/no-such-thing", timeout=10)
    assert r.status_code == 404 and r.json() == {"error": "no such endpoint: /api/no-such-thing"}
    assert httpx.get(f"{base}/v1/chat/completions", timeout=10).status_code == 405
    assert httpx.get(f"{base}/", timeout=10).status_code == 200  # the chat still answers at the root

