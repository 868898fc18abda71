"""The chat and the embeddable widget in a real browser (Debian's Chromium driven by Playwright).

Three servers on loopback: newsqa itself, a foreign site on another port that is on
the CORS allow-list, and one that is not. Screenshots go to test-artifacts/.
"""

import os
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from netutil import free_port

from rag.app.server import serve
from rag.chain import NewsQA

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
if not Path(CHROMIUM).exists():
    # scripts/test.sh installs Debian's chromium and sets REQUIRE_BROWSER_TESTS=1, so in CI a missing
    # browser fails here instead of skipping.
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)", allow_module_level=True)


def _foreign_site(tmp: Path, newsqa: str, port: int) -> tuple[str, ThreadingHTTPServer]:
    """Another origin with a page that embeds the widget with the one-line snippet."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "index.html").write_text(
        '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>外站</title>'
        "<style>button,input{font-size:40px!important;color:lime!important}</style></head>"
        f'<body><h1>某地新闻网</h1><p>外站页面。</p><script src="{newsqa}/widget.js" data-title="问报纸" async>'
        "</script></body></html>", encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp))
    handler.log_message = lambda *a: None
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", httpd


@pytest.fixture(scope="module")
def sites(qa, settings_e5, tmp_path_factory):

    port = free_port()
    newsqa = f"http://127.0.0.1:{port}"
    allowed_port = free_port()
    allowed_origin = f"http://127.0.0.1:{allowed_port}"
    # Its own copy of the index: the upload test adds an issue, which other test modules must not see.
    index_dir = tmp_path_factory.mktemp("browser-index") / "idx"
    shutil.copytree(settings_e5.index_dir, index_dir)
    settings = settings_e5.updated(port=port, cors_origins=allowed_origin, index_dir=index_dir)
    server = serve(settings, qa=NewsQA.load(settings, encoder=qa.encoder), block=False)
    tmp = tmp_path_factory.mktemp("sites")
    _, ok_httpd = _foreign_site(tmp / "ok", newsqa, allowed_port)
    refused_origin, refused_httpd = _foreign_site(tmp / "refused", newsqa, free_port())
    yield {"newsqa": newsqa, "allowed": allowed_origin, "refused": refused_origin, "settings": settings,
           "encoder": qa.encoder}
    ok_httpd.shutdown()
    refused_httpd.shutdown()
    server.should_exit = True


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def test_chat_answers_and_the_citation_opens_its_paragraph(browser, sites):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:",
                                                                                "blob:")) else None)
    page.goto(sites["newsqa"] + "/", wait_until="load")
    box = page.locator("#question textarea")
    box.wait_for(timeout=30_000)
    box.fill("景县3周岁以上人群已接种多少人？")
    box.press("Enter")
    page.get_by_text("39.93万人", exact=False).first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)
    chip = page.locator("#chat a", has_text="[1]").first
    href = chip.get_attribute("href")
    assert href and href.startswith("/source/hengshui-daily/2021-12-03/A1/a05/")
    with page.context.expect_page() as new:
        chip.click()
    source = new.value
    source.wait_for_load_state("load")
    assert source.locator("mark").inner_text() == "39.93万人"
    assert "景县全力以赴推进疫苗接种工作" in source.locator("h1").inner_text()
    source.screenshot(path=str(ARTIFACTS / "chat-source.png"), full_page=True)
    assert not outside, outside  # offline: nothing fetched from anywhere else


def test_chat_answers_a_follow_up_question(browser, sites):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(sites["newsqa"] + "/", wait_until="load")
    box = page.locator("#question textarea")
    box.wait_for(timeout=30_000)
    box.fill("冀州区委书记是谁？")
    box.press("Enter")
    page.locator("#chat", has_text="张洪涛").first.wait_for(timeout=60_000)
    box.fill("他提出了哪五大战略？")
    box.press("Enter")
    page.locator("#chat", has_text="产业强区、农业富区、商贸活区、文化兴区、生态立区").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "chat-follow-up.png"), full_page=True)


def test_chat_on_a_phone_width_screen(browser, sites):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(sites["newsqa"] + "/", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=30_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(ARTIFACTS / "chat-phone.png"))
    assert width <= 400


def test_interface_switches_to_english(browser, sites):
    page = browser.new_page()
    page.goto(sites["newsqa"] + "/", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=30_000)
    assert page.locator("#send").inner_text().strip() == "提问"
    page.get_by_label("English").check()
    page.locator("#send", has_text="Ask").wait_for(timeout=10_000)
    assert "Ask a question" in page.locator("#question textarea").get_attribute("placeholder")
    page.screenshot(path=str(ARTIFACTS / "chat-english.png"))


def test_api_docs_render_offline_from_newsqa_itself(browser, sites):
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(sites["newsqa"] + "/api/docs", wait_until="load")
    page.get_by_text("/api/ask", exact=True).first.wait_for(timeout=30_000)  # Swagger UI drew the operations
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    assert requested and [u for u in requested if not u.startswith((sites["newsqa"], "data:"))] == []


def _ask_in_widget(page, question: str) -> None:
    page.locator("#newsqa-widget .fab").click()
    field = page.locator("#newsqa-widget input")
    field.fill(question)
    field.press("Enter")


def test_widget_on_an_allowed_foreign_site_answers(browser, sites):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(sites["allowed"] + "/", wait_until="load")
    fab = page.locator("#newsqa-widget .fab")
    fab.wait_for(timeout=15_000)
    closed = fab.bounding_box()
    _ask_in_widget(page, "冀州区委书记是谁？")
    opened = fab.bounding_box()
    # The round button stays put when the panel opens above it.
    assert (round(opened["x"] + opened["width"]), round(opened["y"])) != (0, 0)
    assert abs((opened["x"] + opened["width"]) - (closed["x"] + closed["width"])) < 1
    answer = page.locator("#newsqa-widget .a").last
    page.wait_for_function("() => { const h = document.querySelector('#newsqa-widget');"
                           " return h && h.shadowRoot.querySelector('.src a'); }", timeout=60_000)
    assert "张洪涛" in answer.inner_text()
    field = page.locator("#newsqa-widget input")
    field.fill("他提出了哪五大战略？")  # the widget sends the conversation so far
    field.press("Enter")
    page.wait_for_function("() => [...document.querySelector('#newsqa-widget').shadowRoot.querySelectorAll('.a')]"
                           ".some(a => a.innerText.includes('生态立区'))", timeout=60_000)
    link = page.locator("#newsqa-widget .src a").first
    assert link.get_attribute("href").startswith(sites["newsqa"] + "/source/")
    # The host page's own styles (40px lime buttons) do not reach inside the widget.
    assert page.locator("#newsqa-widget .fab").evaluate("e => getComputedStyle(e).fontSize") == "15px"
    page.screenshot(path=str(ARTIFACTS / "widget-allowed.png"))
    # Keyboard: Escape closes the box and gives focus back to the button.
    page.locator("#newsqa-widget input").press("Escape")
    assert not page.locator("#newsqa-widget .panel").evaluate("e => e.classList.contains('open')")
    assert page.evaluate("document.activeElement.id") == "newsqa-widget"


def test_widget_on_a_site_not_on_the_allow_list_is_refused(browser, sites):
    page = browser.new_page()
    page.goto(sites["refused"] + "/", wait_until="load")
    page.locator("#newsqa-widget .fab").wait_for(timeout=15_000)
    _ask_in_widget(page, "冀州区委书记是谁？")
    page.locator("#newsqa-widget .err").wait_for(timeout=30_000)
    assert "张洪涛" not in page.locator("#newsqa-widget .log").inner_text()
    page.screenshot(path=str(ARTIFACTS / "widget-refused.png"))


def test_widget_demo_page(browser, sites):
    page = browser.new_page()
    page.goto(sites["newsqa"] + "/widget-demo", wait_until="load")
    _ask_in_widget(page, "景县3周岁以上人群已接种多少人？")
    page.wait_for_function("() => document.querySelector('#newsqa-widget').shadowRoot.querySelector('.src a')",
                           timeout=60_000)
    assert "39.93万人" in page.locator("#newsqa-widget .log").inner_text()
    page.screenshot(path=str(ARTIFACTS / "widget-demo.png"))


HOSTILE = """衡水晚报

2021年12月4日 星期六 B3

滏阳河湿地公园开园

本报讯 滏阳河湿地公园昨日正式开园，园区面积达到1200亩<img src=x onerror="window.__pwned=1">，新建步道18公里。<script>window.__pwned=2</script>
"""


def test_upload_is_indexed_in_the_background_and_hostile_text_stays_text(browser, sites, tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(sites["newsqa"] + "/", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=30_000)
    issue = tmp_path / "evil name.txt"
    issue.write_text(HOSTILE, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(issue))
    page.locator("#upload-status", has_text="indexed").wait_for(timeout=120_000)
    status = page.locator("#upload-status").inner_text()
    # The uploader hears what was indexed, in plain text: not where this server keeps its index.
    assert str(sites["settings"].index_dir) not in status and not any(ord(ch) > 0xFFFF for ch in status)
    # The new issue is offered in the newspaper/date list without a restart.
    page.locator("#scope").click()
    page.get_by_text("衡水晚报 2021-12-04 B3", exact=False).first.wait_for(timeout=10_000)
    page.keyboard.press("Escape")
    box = page.locator("#question textarea")
    box.fill("滏阳河湿地公园的园区面积是多少？")
    box.press("Enter")
    page.get_by_text("1200亩", exact=False).first.wait_for(timeout=60_000)
    page.locator("#sources mark").first.wait_for(timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "chat-upload-hostile.png"), full_page=True)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#chat img[src=x], #sources img[src=x], #sources script").count() == 0
    assert "onerror" in page.locator("#sources").inner_text()  # shown as text, not run


def test_widget_shows_hostile_article_text_and_questions_as_text(browser, sites, tmp_path):
    from rag.app.archive import ingest_files

    issue = tmp_path / "evil-name.txt"  # the same issue as the upload test's (a no-op if that ran first)
    issue.write_text(HOSTILE, encoding="utf-8")
    assert ingest_files(sites["settings"], [issue], log=lambda m: None, encoder=sites["encoder"]) == 0
    listed = httpx.get(sites["newsqa"] + "/api/issues", timeout=10).json()["issues"]
    assert "衡水晚报" in {i["newspaper"] for i in listed}  # the running server lists it at once
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(sites["allowed"] + "/", wait_until="load")
    page.locator("#newsqa-widget .fab").wait_for(timeout=15_000)
    _ask_in_widget(page, "滏阳河湿地公园的园区面积是多少？")
    page.wait_for_function("() => document.querySelector('#newsqa-widget').shadowRoot.querySelector('.src a')",
                           timeout=60_000)
    field = page.locator("#newsqa-widget input")  # the box is still open: ask again
    field.fill('<img src=x onerror="window.__pwned=3">是什么<script>window.__pwned=4</script>？')
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('#newsqa-widget').shadowRoot.querySelectorAll('.a')"
                           ".length >= 2", timeout=60_000)
    log = page.locator("#newsqa-widget .log")
    assert "1200亩" in log.inner_text() and 'onerror="window.__pwned=3"' in log.inner_text()
    shadow_markup = page.evaluate("document.querySelector('#newsqa-widget').shadowRoot.innerHTML")
    assert "<img" not in shadow_markup and "<script>window" not in shadow_markup
    href = page.locator("#newsqa-widget .src a").first.get_attribute("href")
    page.screenshot(path=str(ARTIFACTS / "widget-hostile.png"))
    source = browser.new_page()
    source.goto(href, wait_until="load")  # the cited paragraph's own page, where the link leads
    assert "onerror" in source.locator("body").inner_text()
    assert source.locator("img, script").count() == 0
    for p in (page, source):
        assert p.evaluate("window.__pwned") is None
