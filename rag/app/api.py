"""The HTTP side of `newsqa serve`: JSON API, server-sent events, an OpenAI-compatible endpoint, the widget.

One FastAPI app holds one loaded NewsQA (model + index) for every request
(``app.state.qa``); the Gradio chat is mounted at "/" beside it (``rag.app.server``), so the
API, the widget and the chat share one origin. The API's documentation (/api/docs) is
served from newsqa's own copy of Swagger UI: it works offline. Browsers on other sites may call the API only from
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
from string import Template
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from rag.app.ratelimit import RateLimiter, client_address
from rag.chain import BadQuestion, NewsQA, message_text, turns_from_messages
from rag.config import ServerSettings
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


def _qa(request: Request) -> NewsQA:
    return request.app.state.qa


QA = Annotated[NewsQA, Depends(_qa)]  # the app's one loaded model and index


def _filters(d: dict | None) -> Filters:
    try:
        return Filters.from_dict(d)
    except (TypeError, ValueError) as exc:
        raise BadQuestion(str(exc)) from None


api = APIRouter()


@api.get("/healthz", responses=_errors(403))
def healthz(qa: QA) -> dict:
    return {"status": "ok", "chunks": qa.index.size, "model": qa.index.model}


@api.get("/api/issues", responses=_errors(403))
def issues(qa: QA) -> dict:
    """What is indexed: one entry per issue (newspaper, date, page, source file)."""
    qa.refresh()  # an ingest in another process shows up without a restart
    return {"issues": qa.index.issues()}


@api.get("/api/chunks/{chunk_id:path}", responses=_errors(403, 404))
def chunk(chunk_id: str, qa: QA):
    """A paragraph inside its article: the article's headline and metadata, and all its paragraphs."""
    ctx = qa.index.context(chunk_id)
    return ctx if ctx is not None else _error(404, f"no chunk {chunk_id!r}")


@api.post("/api/ask", responses={**_JSON_OR_SSE, **_errors(400, 403, 413, 422, 429)})
def ask(body: AskIn, qa: QA, stream: bool = False):
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


@api.post("/api/search", responses=_errors(400, 403, 413, 422, 429))
def search(body: SearchIn, qa: QA) -> dict:
    """The same JSON as `newsqa search --json`."""
    hits = qa.search(body.question, body.k, _filters(body.filters))
    return {"question": body.question, "results": [h.to_result() for h in hits]}


openai = APIRouter()


@openai.get("/v1/models", responses=_errors(403))
def models() -> dict:
    return {"object": "list", "data": [{"id": "newsqa", "object": "model", "owned_by": "newsqa"}]}


def _completion_chunks(cid: str, created: int, text: str, citations: list[dict]) -> Iterator[str]:
    """An OpenAI streaming reply: the text in pieces, then the citations with the closing chunk."""
    def event(payload: dict) -> str:
        return "data: " + json.dumps({"id": cid, "object": "chat.completion.chunk", "created": created,
                                      "model": "newsqa", **payload}, ensure_ascii=False) + "\n\n"

    for i in range(0, len(text), 16):
        delta = {"content": text[i : i + 16]} | ({"role": "assistant"} if i == 0 else {})
        yield event({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    yield event({"citations": citations, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    yield "data: [DONE]\n\n"


@openai.post("/v1/chat/completions", responses={**_JSON_OR_SSE, **_errors(400, 403, 413, 422, 429)})
def chat_completions(body: ChatIn, qa: QA):
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
        return StreamingResponse(_completion_chunks(cid, created, text, citations), media_type="text/event-stream")
    return {"id": cid, "object": "chat.completion", "created": created, "model": "newsqa",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text, "citations": citations}}],
            "citations": citations, "newsqa": a.to_dict(),
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


pages = APIRouter(include_in_schema=False)


def _asset(name: str) -> str:
    return resources.files("rag.app.web").joinpath(name).read_text(encoding="utf-8")


@pages.get("/widget.js")
def widget_js() -> Response:
    return Response(_asset("widget.js"), media_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@pages.get("/widget-demo")
def widget_demo() -> HTMLResponse:
    return HTMLResponse(_asset("widget-demo.html"))


@pages.get("/source/{chunk_id:path}")
def source_page(chunk_id: str, qa: QA, start: int | None = None, end: int | None = None) -> HTMLResponse:
    """A cited paragraph inside its article, as a plain page the widget's source links open."""
    ctx = qa.index.context(chunk_id)
    if ctx is None:
        return HTMLResponse(f"<p>no paragraph {html.escape(chunk_id)}</p>", status_code=404)
    return HTMLResponse(render_source_page(ctx, start, end))


def render_source_page(ctx: dict, start: int | None, end: int | None) -> str:
    """Everything from the archive is escaped: article text is untrusted."""
    art, chunk = ctx["article"], ctx["chunk"]
    esc = html.escape
    rows = []
    for i, p in enumerate(ctx["paragraphs"], start=1):
        text = p["text"]
        current = p["paragraph_id"] == chunk["paragraph_id"]
        if current and start is not None and end is not None and 0 <= start < end <= len(text):
            body = f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"
        else:
            body = esc(text)
        before = ctx["paragraphs"][i - 2].get("page") if i > 1 else chunk["page"]
        if p.get("page") and p["page"] != before:
            rows.append(f'<p class="page">{esc(p["page"])}</p>')  # the article goes on on another page
        rows.append(f'<p id="p{i}" class="{"current" if current else ""}">{body}</p>')
    return Template(_asset("source.html")).substitute(
        title=esc(art.get("title", "") or chunk.get("article", "")), subtitle=esc(art.get("subtitle", "")),
        meta=esc(f"{chunk['newspaper']} {chunk['date']} {chunk['page']}"), paragraphs="".join(rows))


def _install_guards(app: FastAPI, settings: ServerSettings) -> None:
    """Rate limit, uploads switch, foreign origins, body size, CORS: checked before any work is done."""
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


def _install_errors(app: FastAPI) -> None:
    """Every error a client can cause answers {"error": "one line"}, never a traceback or {"detail"}."""

    @app.exception_handler(BadQuestion)
    async def bad_question(_: Request, exc: BadQuestion):
        return _error(400, str(exc))

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


def create_app(qa: NewsQA) -> FastAPI:
    """The HTTP API, the OpenAI-compatible endpoint, the widget and source pages, over one loaded NewsQA."""
    app = FastAPIOffline(title="newsqa", version="1", description="Ask questions about newspaper issues; every "
                         "answer cites the paragraph it came from.", docs_url="/api/docs", redoc_url=None,
                         openapi_url="/api/openapi.json", static_url="/api/docs-assets")
    app.state.qa = qa
    _install_guards(app, qa.settings.server)
    _install_errors(app)
    for router in (api, openai, pages):
        app.include_router(router)
    _install_not_found(app)
    return app


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _install_not_found(app: FastAPI) -> None:
    """Paths under /api/ and /v1/ that no route takes answer here, in our error shape.

    Registered last: without it they would fall through to the chat mounted at "/", whose
    404 says {"detail": …}, and `GET /api/ask` would read "not found" instead of "use POST".
    """

    async def no_such_route(request: Request) -> JSONResponse:
        path = request.url.path
        # Routes, not mounts: the chat mounted at "/" takes every path.
        others = [r for r in app.router.routes
                  if not isinstance(r, Mount) and getattr(r, "endpoint", None) is not no_such_route]
        allowed = [m for m in _METHODS
                   if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in others)]
        if allowed:
            response = _error(405, f"{request.method} is not allowed on {path}; use {', '.join(allowed)}")
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return _error(404, f"no such endpoint: {path}")

    for prefix in ("/api/", "/v1/"):
        app.add_api_route(prefix + "{rest:path}", no_such_route, methods=_METHODS, include_in_schema=False)
