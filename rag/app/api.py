"""The HTTP side of `newsqa serve`: JSON API, server-sent events, an OpenAI-compatible endpoint, the widget.

One FastAPI app holds one loaded NewsQA (model + index) for every request; the
Gradio chat is mounted at "/" beside it (``rag.app.server``), so the API, the widget and
the chat share one origin. Browsers on other sites may call the API only from
origins on the ``cors_origins`` allow-list; a request that carries any other
Origin is refused with 403 before it costs any work.
"""

from __future__ import annotations

import html
import json
import logging
import time
import uuid
from collections.abc import Iterator
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from rag.app.ratelimit import RateLimiter, client_address
from rag.chain import BadQuestion, NewsQA, message_text, turns_from_messages
from rag.types import Answer, Filters

log = logging.getLogger(__name__)


class TurnIn(BaseModel):
    question: str
    answer: str = ""


class AskIn(BaseModel):
    question: str = Field(description="the question, in Chinese or English (up to "
                          "max_question_chars once white space is collapsed; 400 if it has no words)")
    history: list[TurnIn] = Field(default_factory=list, max_length=50,
                                  description="earlier turns, oldest first (the last few are used)")
    filters: dict[str, str] | None = Field(default=None, description='{"newspaper", "date", "page"}, all optional')


class SearchIn(BaseModel):
    question: str
    k: int = Field(default=10, ge=1, le=100)
    filters: dict[str, str] | None = None


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict[str, Any]] = ""


class ChatIn(BaseModel):
    model: str = "newsqa"
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False


class ErrorOut(BaseModel):
    error: str = Field(description="one line saying what was wrong")


def _errors(*codes: int) -> dict:
    """OpenAPI entries for the errors a route can answer (all with the {"error"} body)."""
    what = {400: "the question or a filter cannot be used", 403: "the page's origin is not on cors_origins",
            404: "no such chunk", 413: "request body too large", 422: "malformed request",
            429: "too many requests from this client (Retry-After says when to retry)"}
    return {c: {"model": ErrorOut, "description": what[c]} for c in codes}


_JSON_OR_SSE = {200: {"content": {"application/json": {}, "text/event-stream": {}},
                      "description": "JSON, or with streaming, server-sent events"}}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _allowed_origins(setting: str) -> list[str]:
    return [o.strip().rstrip("/") for o in setting.split(",") if o.strip()]


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _with_sources(a: Answer) -> str:
    """The answer text with its numbered sources under it, for clients that show only text."""
    if not a.citations:
        return a.answer
    lines = [a.answer, "", "来源 / Sources:" if a.answerable else "最接近的段落 / Closest paragraphs:"]
    lines += [f"[{c.n}] {c.newspaper} {c.date} {c.page} 《{c.article}》 第{c.paragraph}段 ({c.chunk_id})"
              for c in a.citations]
    return "\n".join(lines)


MAX_BODY_BYTES = 256 * 1024
# Paths that run the model: the ones a rate limit protects (Gradio's queue runs the chat's answers).
_COSTLY = ("/api/ask", "/api/search", "/v1/chat/completions")
_UPLOAD_ROUTES = ("/gradio_api/upload", "/upload")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, counted as they arrive (no Content-Length needed)."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(("/api/", "/v1/")):
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, receive, send)
        seen, refused = 0, False

        async def counted():
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                # Answer 413 now; the app sees the client gone and whatever it sends is dropped.
                refused = True
                await self._refuse(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        await self.app(scope, counted, guarded_send)

    async def _refuse(self, scope, receive, send) -> None:
        await _error(413, f"request body over {self.limit // 1024} KB")(scope, receive, send)


def create_app(qa: NewsQA) -> FastAPI:
    settings = qa.settings
    app = FastAPI(title="newsqa", version="1", description="Ask questions about newspaper issues; every answer "
                  "cites the paragraph it came from.", docs_url="/api/docs", openapi_url="/api/openapi.json")
    allowed = _allowed_origins(settings.cors_origins)
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    proxies = frozenset(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())

    @app.middleware("http")
    async def rate_limit(request: Request, call_next):
        path = request.url.path
        if limiter.enabled and request.method == "POST" and (path in _COSTLY or path.endswith("/queue/join")):
            peer = request.client.host if request.client else "?"
            wait = limiter.take(client_address(peer, request.headers.get("x-forwarded-for"), proxies))
            if wait > 0:
                response = _error(429, f"too many requests from this client; try again in {wait:.0f} s")
                response.headers["Retry-After"] = str(max(1, round(wait)))
                return response
        return await call_next(request)

    @app.middleware("http")
    async def no_uploads_unless_allowed(request: Request, call_next):
        # Gradio keeps its own upload route even when the chat shows no upload box; what it takes
        # lands in its cache on this machine. A server with uploads off takes no files at all.
        if not settings.allow_uploads and request.url.path.rstrip("/") in _UPLOAD_ROUTES:
            return _error(403, "uploads are turned off on this server (setting allow_uploads)")
        return await call_next(request)

    @app.middleware("http")
    async def refuse_foreign_origins(request: Request, call_next):
        origin = (request.headers.get("origin") or "").rstrip("/")
        path = request.url.path
        if origin and (path.startswith("/api/") or path.startswith("/v1/")):
            own = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if origin != own and origin not in allowed:
                return _error(403, f"origin {origin} is not allowed to use this API (see cors_origins)")
        return await call_next(request)

    app.add_middleware(BodyLimit)
    if allowed:
        app.add_middleware(CORSMiddleware, allow_origins=allowed, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"], max_age=600)

    @app.exception_handler(BadQuestion)
    async def bad_question(_: Request, exc: BadQuestion):
        return _error(400, str(exc))

    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException):
        # Starlette's own 404/405 (a path no route matches: a chunk id with a line break in it)
        # say {"detail": …}; every error of ours says {"error": …}.
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return _error(422, f"{where or 'request'}: {first.get('msg', 'invalid request')}")

    def _filters(d: dict | None) -> Filters:
        try:
            return Filters.from_dict(d)
        except (TypeError, ValueError) as exc:
            raise BadQuestion(str(exc)) from None

    @app.get("/healthz", responses=_errors(403))
    def healthz() -> dict:
        return {"status": "ok", "chunks": qa.index.size, "model": qa.index.model}

    @app.get("/api/issues", responses=_errors(403))
    def issues() -> dict:
        """What is indexed: one entry per issue (newspaper, date, page, source file)."""
        return {"issues": qa.index.issues()}

    @app.get("/api/chunks/{chunk_id:path}", responses=_errors(403, 404))
    def chunk(chunk_id: str):
        """A paragraph inside its article: the article's headline and metadata, and all its paragraphs."""
        ctx = qa.index.context(chunk_id)
        return ctx if ctx is not None else _error(404, f"no chunk {chunk_id!r}")

    @app.post("/api/ask", responses={**_JSON_OR_SSE, **_errors(400, 403, 413, 422, 429)})
    def ask(body: AskIn, stream: bool = False):
        """The same JSON as `newsqa ask --json`; with ?stream=true, server-sent events: token…, then answer."""
        history = [t.model_dump() for t in body.history]
        filters = _filters(body.filters)
        if not stream:
            return qa.ask(body.question, history, filters).to_dict()
        items = qa.stream(body.question, history, filters)  # a bad question raises here, before streaming

        def events() -> Iterator[str]:
            for item in items:
                yield _sse("token", item) if isinstance(item, str) else _sse("answer", item.to_dict())

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/api/search", responses=_errors(400, 403, 413, 422, 429))
    def search(body: SearchIn) -> dict:
        """The same JSON as `newsqa search --json`."""
        hits = qa.search(body.question, body.k, _filters(body.filters))
        return {"question": body.question, "results": [h.to_result() for h in hits]}

    @app.get("/v1/models", responses=_errors(403))
    def models() -> dict:
        return {"object": "list", "data": [{"id": "newsqa", "object": "model", "owned_by": "newsqa"}]}

    @app.post("/v1/chat/completions", responses={**_JSON_OR_SSE, **_errors(400, 403, 413, 422, 429)})
    def chat_completions(body: ChatIn):
        """OpenAI-compatible: the last user message is the question, earlier turns the history.

        The reply's text lists the sources; the structured citations ride along in
        ``citations`` (top level and in the message) for clients that read them.
        """
        users = [i for i, m in enumerate(body.messages) if m.role == "user"]
        if not users:
            raise BadQuestion("no user message")
        last = users[-1]
        history = turns_from_messages([m.model_dump() for m in body.messages[:last]])
        a = qa.ask(message_text(body.messages[last].content), history)
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:16]}", int(time.time())
        citations = [c.to_dict() for c in a.citations]
        text = _with_sources(a)
        if body.stream:
            def events() -> Iterator[str]:
                for i in range(0, len(text), 16):
                    delta = {"content": text[i : i + 16]} | ({"role": "assistant"} if i == 0 else {})
                    yield "data: " + json.dumps({"id": cid, "object": "chat.completion.chunk", "created": created,
                                                 "model": "newsqa", "choices": [{"index": 0, "delta": delta,
                                                                                 "finish_reason": None}]},
                                                ensure_ascii=False) + "\n\n"
                yield "data: " + json.dumps({"id": cid, "object": "chat.completion.chunk", "created": created,
                                             "model": "newsqa", "citations": citations,
                                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                                            ensure_ascii=False) + "\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")
        return {"id": cid, "object": "chat.completion", "created": created, "model": "newsqa",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text, "citations": citations}}],
                "citations": citations, "newsqa": a.to_dict(),
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> Response:
        js = resources.files("rag.app.web").joinpath("widget.js").read_text(encoding="utf-8")
        return Response(js, media_type="application/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300"})

    @app.get("/widget-demo", include_in_schema=False)
    def widget_demo() -> HTMLResponse:
        page = resources.files("rag.app.web").joinpath("widget-demo.html").read_text(encoding="utf-8")
        return HTMLResponse(page)

    @app.get("/source/{chunk_id:path}", include_in_schema=False)
    def source_page(chunk_id: str, start: int | None = None, end: int | None = None) -> HTMLResponse:
        """A cited paragraph inside its article, as a plain page the widget's source links open."""
        ctx = qa.index.context(chunk_id)
        if ctx is None:
            return HTMLResponse(f"<p>no paragraph {html.escape(chunk_id)}</p>", status_code=404)
        return HTMLResponse(render_source_page(ctx, start, end))

    return app


def render_source_page(ctx: dict, start: int | None, end: int | None) -> str:
    """Everything from the archive is escaped: article text is untrusted."""
    art, chunk = ctx["article"], ctx["chunk"]
    esc = html.escape
    rows = []
    for p in ctx["paragraphs"]:
        text = p["text"]
        current = p["idx"] == chunk["paragraph"]
        if current and start is not None and end is not None and 0 <= start < end <= len(text):
            body = f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"
        else:
            body = esc(text)
        rows.append(f'<p id="p{p["idx"]}" class="{"current" if current else ""}">{body}</p>')
    title = esc(art.get("title", "") or chunk.get("article", ""))
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · newsqa</title><style>body{{font:16px/1.7 system-ui,'Noto Sans CJK SC',sans-serif;"
        "max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}p.current{background:#fff8e1;"
        "border-left:4px solid #f0a500;padding:.3rem .6rem}mark{background:#ffd54f}.meta{color:#666}</style>"
        f"</head><body><p class=\"meta\">{esc(chunk['newspaper'])} {esc(chunk['date'])} {esc(chunk['page'])}</p>"
        f"<h1>{title}</h1><h2>{esc(art.get('subtitle', ''))}</h2>{''.join(rows)}"
        f'<p class="meta"><a href="/">newsqa</a></p></body></html>'
    )
