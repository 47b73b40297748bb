"""A scripted fake of the Anthropic Messages API, served on 127.0.0.1 for the real Claude Code.

Claude Code (``ANTHROPIC_BASE_URL=http://127.0.0.1:<port>``) posts every model turn to
``/v1/messages?beta=true`` with ``stream: true``; this server answers with the server-sent events
of reference Appendix 4, from a script:

    api = FakeAPI([
        Conversation("main", main_thread(), [
            reply("Delegating.", tool("Agent", subagent_type="researcher", description="r",
                                      prompt="look")),
            reply("Done."),
        ]),
        Conversation("researcher", subagent("You are the researcher"), [reply("FINDINGS")]),
    ])

A request is routed to the first conversation whose matcher accepts it; the step played is the
number of assistant turns already in the request's ``messages`` (so a resumed session continues
where it stopped). A step is a ``Reply`` or a callable ``Request -> Reply`` that can react to
what came back (a hook's denial, a lint report). Every request body is recorded; a request that
no step answers gets a ``FAKEAPI: no script step …`` text reply and is recorded in ``errors``.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUBAGENT_MARK = "cc_is_subagent=true"
MAIN_PROMPT_START = "You are an interactive agent"


# --- what the scripted model says ---------------------------------------------------------------


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: dict


@dataclass(frozen=True)
class Reply:
    """One assistant message: optional text, then tool calls (several run in parallel)."""

    text: str = ""
    tools: tuple[ToolCall, ...] = ()
    # token figures to serve for this message (``None``: the fixed defaults below). Keys:
    # input_tokens, cache_creation_input_tokens, cache_read_input_tokens (sent in message_start),
    # output_tokens (sent in message_delta; message_start carries ``start_output_tokens``, 1 if
    # absent) and optionally ``delta_extra``: more fields for message_delta's usage.
    usage: dict | None = None
    # the model id to report in message_start (``None``: echo the request's ``model``)
    model: str | None = None


def tool(name: str, **tool_input) -> ToolCall:
    return ToolCall(name, tool_input)


def reply(
    text: str = "", *tools: ToolCall, usage: dict | None = None, model: str | None = None
) -> Reply:
    return Reply(text, tuple(tools), usage, model)


Step = Reply | Callable[["Request"], Reply]


# --- what Claude Code sent -----------------------------------------------------------------------


def _texts(content) -> list[str]:
    if isinstance(content, str):
        return [content]
    out = []
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            out.append(block.get("text", ""))
    return out


@dataclass
class Request:
    """One POST /v1/messages body, with the views a script or a test needs."""

    body: dict
    conversation: str | None = None
    step: int | None = None

    @property
    def system(self) -> list[str]:
        system = self.body.get("system") or []
        if isinstance(system, str):
            return [system]
        return [b.get("text", "") for b in system if isinstance(b, dict)]

    @property
    def is_subagent(self) -> bool:
        system = self.system
        return bool(system) and SUBAGENT_MARK in system[0]

    @property
    def prompt(self) -> str:
        """The real system prompt (``system[2]``): main prompt or the agent file's body."""
        system = self.system
        return system[2] if len(system) > 2 else (system[-1] if system else "")

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages") or []

    @property
    def assistant_turns(self) -> int:
        return sum(1 for m in self.messages if m.get("role") == "assistant")

    @property
    def tool_names(self) -> list[str]:
        return [t.get("name", "") for t in self.body.get("tools") or []]

    def user_texts(self) -> list[str]:
        """Text of every user message, in order (tool results excluded)."""
        return [
            "\n".join(_texts(m.get("content"))) for m in self.messages if m.get("role") == "user"
        ]

    @property
    def first_user_text(self) -> str:
        texts = self.user_texts()
        return texts[0] if texts else ""

    def last_tool_results(self) -> list[dict]:
        """The tool_result blocks of the last user message: what the previous step's calls got,
        as ``{"tool_use_id", "is_error", "text"}``."""
        for message in reversed(self.messages):
            if message.get("role") != "user" or isinstance(message.get("content"), str):
                continue
            results = [b for b in message.get("content") or [] if b.get("type") == "tool_result"]
            if results:
                return [
                    {
                        "tool_use_id": b.get("tool_use_id"),
                        "is_error": bool(b.get("is_error")),
                        "text": b["content"]
                        if isinstance(b.get("content"), str)
                        else "\n".join(_texts(b.get("content"))),
                    }
                    for b in results
                ]
            return []
        return []

    def text(self) -> str:
        """Everything readable in the request (system, messages, tool results) as one string:
        for asserting that some text reached the model."""
        parts = list(self.system)
        for message in self.messages:
            content = message.get("content")
            parts.extend(_texts(content))
            if isinstance(content, list):
                for block in content:
                    if block.get("type") == "tool_result":
                        inner = block.get("content")
                        parts.extend([inner] if isinstance(inner, str) else _texts(inner))
        return "\n".join(parts)

    def tail_text(self) -> str:
        """The text after the last assistant turn: what the model is reacting to now."""
        last = max(
            (i for i, m in enumerate(self.messages) if m.get("role") == "assistant"), default=-1
        )
        return Request({"messages": self.messages[last + 1 :]}).text()


# --- matching requests to conversations ---------------------------------------------------------

Matcher = Callable[[Request], bool]


def main_thread() -> Matcher:
    return lambda r: not r.is_subagent


def subagent(body_start: str) -> Matcher:
    """A subagent whose agent file body starts with ``body_start`` (frontmatter excluded)."""
    return lambda r: r.is_subagent and r.prompt.lstrip().startswith(body_start)


def subagent_containing(marker: str) -> Matcher:
    return lambda r: r.is_subagent and marker in r.prompt


def first_user_contains(marker: str) -> Matcher:
    return lambda r: marker in r.first_user_text


def both(*matchers: Matcher) -> Matcher:
    return lambda r: all(m(r) for m in matchers)


@dataclass
class Conversation:
    name: str
    match: Matcher
    steps: list[Step] = field(default_factory=list)


# --- the server ---------------------------------------------------------------------------------


def _sse(kind: str, data: dict) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()


class FakeAPI:
    """The server. Use as a context manager; ``url`` is the ANTHROPIC_BASE_URL."""

    def __init__(self, conversations: Iterable[Conversation] = ()):
        self.conversations = list(conversations)
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self.other_paths: list[str] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def __enter__(self) -> FakeAPI:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        api = self

        class Handler(_Handler):
            fake = api

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server, "FakeAPI not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # scripting
    def add(self, *conversations: Conversation) -> None:
        with self._lock:
            self.conversations.extend(conversations)

    # assertions
    def requests_of(self, name: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.conversation == name]

    def main_requests(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if not r.is_subagent]

    # answering
    def answer(self, body: dict) -> tuple[Reply, Request]:
        request = Request(body)
        with self._lock:
            conversation = next((c for c in self.conversations if c.match(request)), None)
        step_no = request.assistant_turns
        if conversation is None:
            problem = (
                f"FAKEAPI: no script step for request #{len(self.requests) + 1} "
                f"(no conversation matches; subagent={request.is_subagent}, "
                f"prompt starts {request.prompt[:60]!r}, step {step_no})"
            )
            reply_ = Reply(problem)
        else:
            request.conversation, request.step = conversation.name, step_no
            if step_no < len(conversation.steps):
                step = conversation.steps[step_no]
                try:
                    reply_ = step(request) if callable(step) else step
                    problem = None
                except Exception as exc:  # a broken script must show up in the test, not hang it
                    problem = f"FAKEAPI: script step {conversation.name}[{step_no}] raised {exc!r}"
                    reply_ = Reply(problem)
            else:
                problem = (
                    f"FAKEAPI: no script step for conversation {conversation.name!r} "
                    f"step {step_no} (script has {len(conversation.steps)})"
                )
                reply_ = Reply(problem)
        with self._lock:
            self.requests.append(request)
            if problem:
                self.errors.append(problem)
        return reply_, request

    def events(self, reply_: Reply, model: str) -> bytes:
        with self._lock:
            msg_no = next(self._ids)
        served = reply_.usage or {}
        start_usage = {
            "input_tokens": served.get("input_tokens", 10),
            "output_tokens": served.get("start_output_tokens", 1),
            "cache_creation_input_tokens": served.get("cache_creation_input_tokens", 0),
            "cache_read_input_tokens": served.get("cache_read_input_tokens", 0),
        }
        delta_usage = {"output_tokens": served.get("output_tokens", 5)}
        delta_usage.update(served.get("delta_extra") or {})
        out = [
            _sse(
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": f"msg_fake{msg_no:05d}",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": start_usage,
                    },
                },
            )
        ]
        blocks: list[tuple[dict, dict]] = []
        if reply_.text or not reply_.tools:
            blocks.append(
                ({"type": "text", "text": ""}, {"type": "text_delta", "text": reply_.text or "."})
            )
        for i, call in enumerate(reply_.tools):
            start = {
                "type": "tool_use",
                "id": f"toolu_fake{msg_no:05d}_{i}",
                "name": call.name,
                "input": {},
            }
            blocks.append(
                (start, {"type": "input_json_delta", "partial_json": json.dumps(call.input)})
            )
        for index, (start, delta) in enumerate(blocks):
            out.append(
                _sse(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": start},
                )
            )
            out.append(
                _sse(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
            out.append(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        out.append(
            _sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {
                        "stop_reason": "tool_use" if reply_.tools else "end_turn",
                        "stop_sequence": None,
                    },
                    "usage": delta_usage,
                },
            )
        )
        out.append(_sse("message_stop", {"type": "message_stop"}))
        return b"".join(out)

    def message(self, reply_: Reply, model: str) -> dict:
        """The non-streaming form, in case a request asks for it."""
        with self._lock:
            msg_no = next(self._ids)
        content: list[dict] = []
        if reply_.text or not reply_.tools:
            content.append({"type": "text", "text": reply_.text or "."})
        for i, call in enumerate(reply_.tools):
            content.append(
                {
                    "type": "tool_use",
                    "id": f"toolu_fake{msg_no:05d}_{i}",
                    "name": call.name,
                    "input": call.input,
                }
            )
        return {
            "id": f"msg_fake{msg_no:05d}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": "tool_use" if reply_.tools else "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": (reply_.usage or {}).get("input_tokens", 10),
                "output_tokens": (reply_.usage or {}).get("output_tokens", 5),
                "cache_creation_input_tokens": (reply_.usage or {}).get(
                    "cache_creation_input_tokens", 0
                ),
                "cache_read_input_tokens": (reply_.usage or {}).get("cache_read_input_tokens", 0),
            },
        }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAPI
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, ctype: str, data: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client was killed mid-request (crash scenarios): nobody to answer

    def do_GET(self) -> None:
        with self.fake._lock:
            self.fake.other_paths.append(f"GET {self.path}")
        self._send(200, "application/json", b'{"ok": true}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?")[0] != "/v1/messages":
            with self.fake._lock:
                self.fake.other_paths.append(f"POST {self.path}")
            self._send(200, "application/json", b'{"input_tokens": 10}')
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, "application/json", b'{"error": "bad json"}')
            return
        reply_, _request = self.fake.answer(body)
        model = reply_.model or body.get("model") or "claude-fake"
        if body.get("stream"):
            self._send(200, "text/event-stream", self.fake.events(reply_, model))
        else:
            self._send(
                200, "application/json", json.dumps(self.fake.message(reply_, model)).encode()
            )
