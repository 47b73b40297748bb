"""Reading and parsing many documents in two processes.

A large pack is mostly file reading and frontmatter parsing, one file at a time, on one core. With
enough documents (``discover.PARALLEL_MIN``) ``fill`` forks: the child reads and parses the second
half and sends each document's state back through a pipe as ``marshal`` data (builtins only, no
pickle, no import), the parent does the first half meanwhile. Errors come back in order: the
first unreadable file of the whole list is the one reported, as in a single process."""

from __future__ import annotations

import marshal
import os

from cc_pack.errors import InputError
from cc_pack.validate.frontmatter import Document, YamlError

_FIELDS = (
    "body",
    "body_line",
    "bom",
    "close_pos",
    "closed",
    "data",
    "duplicates",
    "fast",
    "first_line",
    "present",
    "shifts",
    "text",
)


def to_spec(node) -> tuple:
    """A libyaml node tree as ``frontmatter.materialize`` reads it (tags kept)."""
    start, end = node.start_mark, node.end_mark
    marks = (start.line, start.column, end.line, end.column)
    if node.id == "scalar":
        return ("scalar", node.value, *marks, node.style or "", node.tag)
    if node.id == "sequence":
        items = [to_spec(item) for item in node.value]
        return ("sequence", items, *marks, bool(node.flow_style), node.tag)
    pairs = [(to_spec(k), to_spec(v)) for k, v in node.value]
    return ("mapping", pairs, *marks, False, node.tag)


def _error(value: YamlError | None):
    return None if value is None else (value.line, value.column, value.problem)


def state(doc: Document) -> tuple:
    spec = doc.spec
    if spec is None and doc._node is not None:
        spec = to_spec(doc._node)
    fields = tuple(getattr(doc, name) for name in _FIELDS)
    return ("doc", fields, spec, _error(doc.error), _error(doc.repaired))


def restore(doc: Document, saved: tuple) -> None:
    _, fields, spec, error, repaired = saved
    for name, value in zip(_FIELDS, fields, strict=True):
        setattr(doc, name, value)
    doc.spec = spec
    doc.error = None if error is None else YamlError(*error)
    doc.repaired = None if repaired is None else YamlError(*repaired)


def _failure(exc: BaseException) -> tuple:
    if isinstance(exc, InputError):
        return ("input", exc.message, exc.fix, exc.path)
    if isinstance(exc, OSError):
        return ("os", exc.errno, exc.strerror, exc.filename)
    return ("internal", type(exc).__name__, str(exc))


def _raise(failure: tuple) -> None:
    kind = failure[0]
    if kind == "input":
        raise InputError(failure[1], failure[2], path=failure[3])
    if kind == "os":
        raise OSError(failure[1], failure[2], failure[3])
    raise RuntimeError(f"{failure[1]} in the parsing process: {failure[2]}")


def _child(docs: list[Document], read_doc, out: int) -> None:
    states: list = []
    try:
        for doc in docs:
            try:
                read_doc(doc)
            except Exception as exc:
                states.append(("failed", _failure(exc)))
                break
            states.append(state(doc))
        data = marshal.dumps(states)
        view = memoryview(data)
        while view:
            view = view[os.write(out, view) :]
    finally:
        os._exit(0)


def fill(docs: list[Document], read_doc) -> int:
    """Read and parse ``docs`` (``read_doc(doc)`` each), half in a forked child. Returns how many
    files the child read."""
    half = len(docs) // 2
    mine, theirs = docs[:half], docs[half:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        os.close(read_end)
        _child(theirs, read_doc, write_end)
    os.close(write_end)
    chunks = []
    try:
        for doc in mine:
            read_doc(doc)
        while True:
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        import signal

        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    states = marshal.loads(b"".join(chunks)) if chunks else []
    if len(states) < len(theirs) and not (states and states[-1][0] == "failed"):
        raise RuntimeError("the parsing process stopped early")
    for doc, saved in zip(theirs, states, strict=False):
        if saved[0] == "failed":
            _raise(saved[1])
        restore(doc, saved)
    return len(states)
