"""MD: memory files (``CLAUDE.md``). Claude Code imports ``@path`` references in them (relative
to the file, ``~/`` or absolute; not inside code blocks, code spans or HTML comments; text files
only; five levels deep) and silently skips an import that does not resolve."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cc_pack.validate.rules import Rule, relative

RULES = (
    Rule(
        "MD001",
        "error",
        "@import does not resolve",
        "'@{ref}' does not resolve ({target} is {problem}): Claude Code silently imports nothing",
        "fix the path (relative to this file), or remove the import",
        "CLAUDE.md:\nSee @docs/missing.md for the conventions.\n",
    ),
    Rule(
        "MD002",
        "error",
        "@import ends with punctuation",
        "'@{ref}' is not imported: Claude Code reads the trailing '{char}' as part of the path "
        "(and skips '{ref}', which does not exist)",
        "separate the punctuation from the path (`@{path} .`), or rephrase so the import ends "
        "the line",
        "CLAUDE.md:\nThe conventions are in @docs/style.md.\n",
    ),
)
_TRAILING = ".,;:!?)]'\""

# Claude Code 2.1.197 (function Spp): what follows an @ at the start of a text or after space
_IMPORT = re.compile(r"(?:^|(?<=\s))@((?:[^\s\\]|\\ )+)")
_FIRST = re.compile(r"[a-zA-Z0-9._-]")
_SYMBOLS = re.compile(r"[#%^&*()]+")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_SPAN = re.compile(r"(`+)(?:.+?)\1")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# the extensions Claude Code imports (a path with another extension is skipped, not an error)
_EXTENSIONS = (
    ".md .txt .text .json .yaml .yml .toml .xml .csv .html .htm .css .scss .sass .less .js "
    ".ts .tsx .jsx .mjs .cjs .mts .cts .py .pyi .pyw .rb .erb .rake .go .rs .java .kt .kts "
    ".scala .c .cpp .cc .cxx .h .hpp .hxx .cs .swift .sh .bash .zsh .fish .ps1 .bat .cmd .env "
    ".ini .cfg .conf .config .properties .sql .graphql .gql .proto .vue .svelte .astro .ejs "
    ".hbs .pug .jade .php .pl .pm .lua .r .R .dart .ex .exs .erl .hrl .clj .cljs .cljc .edn "
    ".hs .lhs .elm .ml .mli .f .f90 .f95 .for .cmake .make .makefile .gradle .sbt .rst .adoc "
    ".asciidoc .org .tex .latex .lock .log .diff .patch"
)
TEXT_EXTENSIONS = frozenset(_EXTENSIONS.split(" "))


def check(unit, emit) -> None:
    for path, text in unit.claude_md:
        if "@" not in text:
            continue
        for line, column, ref in imports(text):
            bare = ref.rstrip(_TRAILING)
            if bare != ref:
                target = _resolve(bare, path)
                if target is not None and target.is_file():
                    emit("MD002", path, (line, column), ref=ref, char=ref[len(bare)], path=bare)
                    continue
                ref = bare  # missing either way: report the path as meant
            target = _resolve(ref, path)
            if target is None:
                continue
            problem = "missing" if not target.exists() else "a directory" if target.is_dir() else ""
            if problem:
                emit(
                    "MD001",
                    path,
                    (line, column),
                    ref=ref,
                    target=relative(target, unit.root),
                    problem=problem,
                )


def imports(text: str) -> list[tuple[int, int, str]]:
    """(line, column, path) of every import Claude Code would follow that names a file: with a
    ``/`` or a text extension (a bare ``@name`` is a mention, not meant as an import)."""
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    found = []
    fence = None
    for number, line in enumerate(text.split("\n"), 1):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        if line.startswith(("    ", "\t")) or "@" not in line:
            continue  # an indented code block, or nothing to import
        line = _SPAN.sub(lambda m: " " * len(m.group()), line)
        for match in _IMPORT.finditer(line):
            ref = match.group(1)
            ref = ref.split("#", 1)[0].replace("\\ ", " ")
            if not ref or not _follows(ref):
                continue
            if "/" not in ref and os.path.splitext(ref.rstrip(_TRAILING))[1] not in TEXT_EXTENSIONS:
                continue
            found.append((number, match.start() + 1, ref))
    return found


def _follows(ref: str) -> bool:
    if ref.startswith(("./", "~/")) or (ref.startswith("/") and ref != "/"):
        return True
    return not ref.startswith("@") and not _SYMBOLS.match(ref) and bool(_FIRST.match(ref))


def _resolve(ref: str, memory: Path) -> Path | None:
    if ref.startswith("~/"):
        return None  # the reader's home, not this machine's
    extension = os.path.splitext(ref)[1]
    if extension and extension not in TEXT_EXTENSIONS:
        return None  # Claude Code skips non-text files without a word
    return Path(ref) if ref.startswith("/") else memory.parent / ref
