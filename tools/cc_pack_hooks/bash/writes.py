"""What a Bash command writes: the files it names as write targets, and what cannot be known.

``analyse(command, cwd)`` returns an ``Analysis``:

* ``writes``: ``Write`` per path the command creates, changes, moves or removes (resolved through
  ``paths``; ``recursive`` when a whole directory tree is written);
* ``opaque``: why some part cannot be analysed (``python -c``, ``bash -c``, ``eval``, ``xargs`` with
  a writing command, ``find -exec``, a write target that only a shell expansion knows, ...);
* ``cli``: the words of each ``cc-pack`` call, program first (the CLI is the only legal writer of
  the run state, and some of its commands are the human's).

Programs not listed in ``WRITERS`` and not interpreters running inline code are treated as
running code whose writes the scope guard cannot see: they pass, and the Bash audit (git status
after the call) catches what they change.
"""

from __future__ import annotations

import os

from cc_pack_hooks import paths
from cc_pack_hooks.bash.words import (
    WRITE_REDIRECTS,
    Command,
    ShellSyntaxError,
    Word,
    commands,
    tokenize,
)

# Written to, yet not files of the project.
DEVICES = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero"})
MAX_DEPTH = 4  # nested substitutions analysed before giving up


class Write:
    __slots__ = ("command", "paths", "recursive", "text")

    def __init__(self, command: str, text: str, resolved: list[str], recursive: bool):
        self.command = command
        self.text = text
        self.paths = resolved
        self.recursive = recursive

    def __repr__(self) -> str:
        return (
            f"Write({self.command}: {self.text!r} -> {self.paths}{' -r' if self.recursive else ''})"
        )


class Analysis:
    __slots__ = ("cli", "clients", "links", "opaque", "runs_code", "writes")

    def __init__(self):
        self.clients: list[str] = []  # Claude Code clients the command starts
        self.writes: list[Write] = []
        self.opaque: list[str] = []
        self.cli: list[list[Word]] = []
        self.runs_code: list[str] = []  # programs that may write what nobody can see beforehand
        self.links: list[str] = []  # what new links point at (a link into the state dir writes it)


def analyse(command: str, cwd: str) -> Analysis:
    result = Analysis()
    _analyse(command, cwd, result, 0)
    return result


def _analyse(text: str, cwd, result: Analysis, depth: int) -> None:
    if depth > MAX_DEPTH:
        result.opaque.append("command substitutions nested too deeply")
        return
    try:
        tokens = tokenize(text)
    except ShellSyntaxError as exc:
        result.opaque.append(f"the command does not parse ({exc})")
        return
    for cmd in commands(tokens, cwd):
        for word in [*cmd.words, *(target for _, _, target in cmd.redirects)]:
            for sub in word.subs:
                for sub_cwd in cmd.cwds:
                    _analyse(sub, sub_cwd, result, depth + 1)
        for op, _fd, target in cmd.redirects:
            if op in WRITE_REDIRECTS:
                if op in (">&",) and (target.text.isdigit() or target.text == "-"):
                    continue  # fd duplication, no file
                _target(result, cmd, f"redirection {op}", target, False)
        _simple(cmd, result)


def _simple(cmd: Command, result: Analysis) -> None:
    words = _strip_prefix(cmd.words, result)
    if words is None or not words:
        return
    name = os.path.basename(words[0].text)
    if name == "((" and not words[0].quoted:
        return  # an arithmetic command: its substitutions were analysed with its words
    if words[0].expands:
        result.opaque.append(f"the command name {words[0].text!r} is only known to the shell")
        return
    if name == "cc-pack":
        result.cli.append(words)
        return
    if _starts_a_client(name, words):
        result.clients.append(" ".join(w.text for w in words[:3]))
    handler = WRITERS.get(name) or _interpreter_handler(name)
    if handler is not None:
        handler(cmd, words, result)
    elif name not in READ_ONLY:
        result.runs_code.append(name)


def _starts_a_client(name: str, words: list[Word]) -> bool:
    """``claude`` by any path, ``npx @anthropic-ai/claude-code``, ``node …/claude-code/…``."""
    if name in ("claude", "claude.exe"):
        return True
    if name in ("npx", "bunx", "pnpx", "node", "bun", "deno"):
        return any("claude-code" in w.text or "claude.exe" in w.text for w in words[1:])
    return False


# Programs that never write files whatever their arguments (plus shell builtins).
READ_ONLY = frozenset(
    [
        "cat",
        "head",
        "tail",
        "less",
        "more",
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "ag",
        "ack",
        "ls",
        "wc",
        "stat",
        "file",
        "jq",
        "yq",
        "diff",
        "cmp",
        "echo",
        "printf",
        "pwd",
        "test",
        "[",
        "[[",
        "true",
        "false",
        "which",
        "type",
        "realpath",
        "readlink",
        "basename",
        "dirname",
        "du",
        "df",
        "tree",
        "sha1sum",
        "sha256sum",
        "sha512sum",
        "md5sum",
        "cksum",
        "od",
        "hexdump",
        "strings",
        "cut",
        "tr",
        "nl",
        "column",
        "comm",
        "join",
        "paste",
        "fold",
        "fmt",
        "sleep",
        "date",
        "id",
        "whoami",
        "uname",
        "hostname",
        "printenv",
        "cd",
        "pushd",
        "popd",
        "export",
        "set",
        "unset",
        "exit",
        "return",
        "read",
        ":",
        "trap",
        "shift",
        "local",
        "declare",
        "typeset",
        "alias",
        "wait",
        "ps",
        "seq",
        "yes",
        "expr",
        "bc",
        "nproc",
        "tput",
    ]
)


def _strip_prefix(words: list[Word], result: Analysis) -> list[Word] | None:
    """Drop assignments and wrappers (``env``, ``sudo``, ``nice``, ``timeout`` ...) before the
    real command name."""
    i = 0
    while i < len(words):
        text = words[i].text
        if "=" in text and not text.startswith("=") and _is_name(text.split("=", 1)[0]):
            i += 1
            continue
        wrapper = WRAPPERS.get(os.path.basename(text))  # /usr/bin/env is env
        if wrapper is None:
            break
        i = wrapper(words, i + 1)
        if i < 0:
            result.opaque.append(f"{text} with options this analysis does not follow")
            return None
    return words[i:]


def _is_name(text: str) -> bool:
    return bool(text) and (text[0].isalpha() or text[0] == "_") and text.replace("_", "a").isalnum()


def _skip_options(words: list[Word], i: int, with_arg: frozenset = frozenset()) -> int:
    while i < len(words) and words[i].text.startswith("-") and len(words[i].text) > 1:
        if words[i].text == "--":
            return i + 1
        i += 2 if words[i].text in with_arg else 1
    return i


def _env(words: list[Word], i: int) -> int:
    while i < len(words):
        text = words[i].text
        if text in ("-u", "--unset"):
            i += 2
        elif text in ("-S", "--split-string", "-C", "--chdir") or text.startswith(("-S", "-C")):
            return -1
        elif (text.startswith("-") and len(text) > 1) or (
            "=" in text and _is_name(text.split("=", 1)[0])
        ):
            i += 1
        else:
            break
    return i


def _timeout(words: list[Word], i: int) -> int:
    i = _skip_options(words, i, frozenset({"-s", "--signal", "-k", "--kill-after"}))
    return i + 1  # the duration


WRAPPERS = {
    "env": _env,
    "sudo": lambda w, i: _skip_options(w, i, frozenset({"-u", "-g", "-C", "-D", "-h", "-p"})),
    "doas": lambda w, i: _skip_options(w, i, frozenset({"-u", "-C"})),
    "nice": lambda w, i: _skip_options(w, i, frozenset({"-n", "--adjustment"})),
    "nohup": lambda w, i: i,
    # `command -v NAME` only looks NAME up: there is no command left to run
    "command": lambda w, i: (
        len(w) if i < len(w) and w[i].text in ("-v", "-V") else _skip_options(w, i)
    ),
    "builtin": lambda w, i: i,
    "exec": lambda w, i: _skip_options(w, i, frozenset({"-a"})),
    "time": lambda w, i: _skip_options(w, i),
    "timeout": _timeout,
    "stdbuf": lambda w, i: _skip_options(w, i),
    "ionice": lambda w, i: _skip_options(w, i, frozenset({"-c", "-n", "-p"})),
}


# --- resolving write targets ---------------------------------------------------------------------


def _target(result: Analysis, cmd: Command, what: str, word: Word, recursive: bool) -> None:
    """Record ``word`` as written by ``cmd``, or as opaque when its path cannot be known."""
    if word.text in DEVICES or word.text.startswith("/dev/fd/"):
        return
    resolved = _resolve_word(word, cmd.cwds)
    if resolved is None:
        result.opaque.append(f"{what} writes {word.text!r}, a path only the shell can expand")
        return
    result.writes.append(Write(what, word.text, resolved, recursive))


def _resolve_word(word: Word, cwds) -> list[str] | None:
    """Every absolute path ``word`` may name, or None when a shell expansion decides it."""
    if word.expands or None in cwds:
        return None
    texts = [word.text]
    if word.brace:
        texts = _braces(word.text)
        if texts is None:
            return None
    if word.tilde:
        if not all(t == "~" or t.startswith("~/") for t in texts):
            return None  # ~user
        texts = [paths.home() + t[1:] for t in texts]
    out: list[str] = []
    for cwd in sorted(cwds):
        for text in texts:
            if word.glob:
                out.extend(_expand_glob(text, cwd))
            else:
                out.append(paths.resolve(text, cwd))
    return out


def _braces(text: str) -> list[str] | None:
    """Bash brace expansion of ``a{b,c}d`` (nested too); ``{1..3}`` ranges are left opaque."""
    depth, start = 0, -1
    for i, c in enumerate(text):
        if c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0:
                body = text[start + 1 : i]
                parts = _split_top(body)
                if len(parts) < 2:
                    if ".." in body:
                        return None
                    continue
                out: list[str] = []
                for part in parts:
                    expanded = _braces(text[:start] + part + text[i + 1 :])
                    if expanded is None:
                        return None
                    out.extend(expanded)
                return out
    return [text]


def _split_top(body: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(body):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def _expand_glob(text: str, cwd: str) -> list[str]:
    """What bash expands the glob to now (without dotfiles unless asked), else the literal."""
    from cc_pack_hooks import globs

    absolute = os.path.isabs(text)
    base = "/" if absolute else cwd
    found = [base]
    for seg in [s for s in text.split("/") if s]:
        nxt: list[str] = []
        for d in found:
            if not any(ch in seg for ch in "*?["):
                nxt.append(os.path.join(d, seg))
                continue
            try:
                names = os.listdir(d)
            except OSError:
                continue
            nxt.extend(
                os.path.join(d, name)
                for name in names
                if (seg.startswith(".") or not name.startswith(".")) and globs._one(seg, name)
            )
        found = nxt
    matches = [os.path.realpath(p) for p in found if os.path.lexists(p)]
    return matches or [paths.resolve(text, cwd)]


# --- per-command write finders (the registry) ----------------------------------------------------


def _split_args(words: list[Word], with_arg: frozenset = frozenset()):
    """(options as (name, value word|None), positional words) of a command's arguments."""
    options: list[tuple[str, Word | None]] = []
    positional: list[Word] = []
    i = 0
    while i < len(words):
        w = words[i]
        text = w.text
        if text == "--":
            positional.extend(words[i + 1 :])
            break
        if text.startswith("--") and len(text) > 2:
            if "=" in text:
                name, _, value = text.partition("=")
                v = Word()
                v.text = value
                v.expands = w.expands
                options.append((name, v))
            elif text in with_arg and i + 1 < len(words):
                options.append((text, words[i + 1]))
                i += 1
            else:
                options.append((text, None))
        elif text.startswith("-") and len(text) > 1 and not w.quoted:
            short = text[:2]
            if short in with_arg:
                if len(text) > 2:
                    v = Word()
                    v.text = text[2:]
                    v.expands = w.expands
                    options.append((short, v))
                elif i + 1 < len(words):
                    options.append((short, words[i + 1]))
                    i += 1
            else:
                options.extend((f"-{c}", None) for c in text[1:])
        else:
            positional.append(w)
        i += 1
    return options, positional


def _has(options, *names: str) -> bool:
    return any(name in names for name, _ in options)


def _value(options, *names: str) -> Word | None:
    for name, value in options:
        if name in names:
            return value
    return None


def _all_positional(recursive_flags=(), with_arg=frozenset()):
    def finder(cmd: Command, words: list[Word], result: Analysis) -> None:
        options, positional = _split_args(words[1:], with_arg)
        recursive = _has(options, *recursive_flags)
        for word in positional:
            _target(result, cmd, words[0].text, word, recursive)

    return finder


def _after_first(recursive_flags=(), with_arg=frozenset()):
    """chmod MODE FILE..., chown OWNER FILE...: the first positional is not a path."""

    def finder(cmd: Command, words: list[Word], result: Analysis) -> None:
        options, positional = _split_args(words[1:], with_arg)
        if _value(options, "--reference") is None:
            positional = positional[1:]
        for word in positional:
            _target(result, cmd, words[0].text, word, _has(options, *recursive_flags))

    return finder


def _copy_like(moves: bool):
    with_arg = frozenset(
        {
            "-t",
            "--target-directory",
            "-S",
            "--suffix",
            "-m",
            "--mode",
            "-o",
            "--owner",
            "-g",
            "--group",
        }
    )

    def finder(cmd: Command, words: list[Word], result: Analysis) -> None:
        options, positional = _split_args(words[1:], with_arg)
        name = words[0].text
        if name == "install" and _has(options, "-d", "--directory"):
            for word in positional:
                _target(result, cmd, name, word, False)
            return
        target_dir = _value(options, "-t", "--target-directory")
        if target_dir is None:
            if len(positional) < 2:
                return
            *sources, dest = positional
        else:
            sources, dest = positional, target_dir
        recursive = moves or _has(options, "-r", "-R", "-a", "--recursive", "--archive")
        into_dir = target_dir is not None or not _has(options, "-T", "--no-target-directory")
        for src in sources:
            if moves:
                _target(result, cmd, name, src, True)
            _dest(result, cmd, name, src, dest, into_dir, recursive)

    return finder


def _dest(result, cmd, name, src: Word, dest: Word, into_dir: bool, recursive: bool) -> None:
    """cp/mv SRC DEST: DEST itself, or DEST/basename(SRC) when DEST is a directory."""
    if dest.text in DEVICES:
        return  # `cp x /dev/null` writes no file
    resolved = _resolve_word(dest, cmd.cwds)
    if resolved is None or src.expands:
        result.opaque.append(f"{name} writes to {dest.text!r}, a path only the shell can expand")
        return
    sources = _resolve_word(src, cmd.cwds) or []
    out = []
    for d in resolved:
        if into_dir and os.path.isdir(d):
            out.extend(os.path.join(d, os.path.basename(s.rstrip("/"))) for s in sources)
        else:
            out.append(d)
    tree = recursive and any(os.path.isdir(s) for s in sources)
    result.writes.append(Write(name, dest.text, out, tree))


def _ln(cmd: Command, words: list[Word], result: Analysis) -> None:
    options, positional = _split_args(words[1:], frozenset({"-t", "--target-directory", "-S"}))
    target_dir = _value(options, "-t", "--target-directory")
    if target_dir is not None:
        sources, link = positional, target_dir
    elif len(positional) >= 2:
        *sources, link = positional
    elif positional:
        sources, link = positional, None
    else:
        return
    for src in sources:
        # a link into the state dir (or to a directory holding it) is a way to write it later
        views = _link_views(src, link, cmd.cwds)
        if views is None:
            result.opaque.append(f"ln links to {src.text!r}, a path only the shell can expand")
        else:
            result.links.extend(views)
        if link is None:
            base = Word()
            base.text = os.path.basename(src.text.rstrip("/")) or src.text
            _target(result, cmd, "ln", base, False)
    if link is not None:
        _target(result, cmd, "ln", link, False)


def _link_views(src: Word, link: Word | None, cwds) -> list[str] | None:
    """Where a link to ``src`` may point: relative to the cwd and to the link's own directory."""
    resolved = _resolve_word(src, cwds)
    if resolved is None:
        return None
    views = list(resolved)
    if link is not None and not os.path.isabs(src.text):
        for d in _resolve_word(link, cwds) or []:
            views.append(paths.resolve(src.text, os.path.dirname(d)))
    return views


def _sed(cmd: Command, words: list[Word], result: Analysis) -> None:
    in_place = False
    scripts: list[str] = []
    files: list[Word] = []
    i = 1
    explicit = False
    while i < len(words):
        text = words[i].text
        if text == "--":
            files.extend(words[i + 1 :])
            break
        if text.startswith("--"):
            if text.startswith("--in-place"):
                in_place = True
            elif text in ("--expression", "--file") and i + 1 < len(words):
                scripts.append(words[i + 1].text if text == "--expression" else "w")
                explicit = True
                i += 1
            elif text.startswith(("--expression=", "--file=")):
                scripts.append(text.partition("=")[2] if text.startswith("--e") else "w")
                explicit = True
        elif text.startswith("-") and len(text) > 1:
            for k, ch in enumerate(text[1:], 1):
                if ch == "i":
                    in_place = True
                    break
                if ch in "efl":
                    arg = text[k + 1 :] or (words[i + 1].text if i + 1 < len(words) else "")
                    if not text[k + 1 :]:
                        i += 1
                    if ch != "l":
                        scripts.append(arg if ch == "e" else "w")  # -f: a script file: unknown
                        explicit = True
                    break
        else:
            files.append(words[i])
        i += 1
    if not explicit and files:
        scripts.append(files.pop(0).text)
    if any(_sed_script_writes(s) for s in scripts):
        result.opaque.append("sed with a w/e command (writes or runs what the script says)")
    if in_place:
        for word in files:
            _target(result, cmd, "sed -i", word, False)


def _sed_script_writes(script: str) -> bool:
    for piece in script.replace("\n", ";").split(";"):
        p = piece.strip().lstrip("0123456789$,!~+ ")
        while p.startswith(("/", "\\")):
            end = p.find("/", 1)
            p = p[end + 1 :].lstrip("0123456789$,!~+ ") if end > 0 else ""
        if p[:1] in ("w", "W", "e"):  # r and R only read a file into the output
            return True
        if p[:1] == "s" and len(p) > 1:
            parts = p[2:].split(p[1])
            if len(parts) >= 3 and any(c in parts[2] for c in "weWE"):
                return True
    return False


def _perl(cmd: Command, words: list[Word], result: Analysis) -> None:
    in_place = False
    code: list[str] = []
    files: list[Word] = []
    i = 1
    while i < len(words):
        text = words[i].text
        if text.startswith("-") and len(text) > 1 and not files:
            for k, ch in enumerate(text[1:], 1):
                if ch == "i":
                    in_place = True
                    break
                if ch in "eE":
                    code.append(text[k + 1 :] or (words[i + 1].text if i + 1 < len(words) else ""))
                    if not text[k + 1 :]:
                        i += 1
                    break
                if ch in "IMmx":
                    break
        else:
            files.append(words[i])
        i += 1
    if not code:
        if in_place:
            result.opaque.append("perl -i with a script file")
        elif files:
            result.runs_code.append("perl")
        else:
            result.opaque.append("perl reading its program from stdin")
        return
    risky = (
        "open",
        "system",
        "exec",
        "unlink",
        "rename",
        "`",
        "qx",
        "mkdir",
        "rmdir",
        "symlink",
        "link",
        "chmod",
        "truncate",
        "eval",
        "require",
        "do ",
    )
    if not in_place or any(r in c for c in code for r in risky):
        result.opaque.append("perl -e runs inline code")
        return
    for word in files:
        _target(result, cmd, "perl -i", word, False)


INLINE_CODE = {
    "python": ("-c",),
    "pypy": ("-c",),
    "node": ("-e", "--eval", "-p", "--print"),
    "nodejs": ("-e", "--eval", "-p", "--print"),
    "bun": ("-e", "--eval", "-p", "--print"),
    "deno": ("eval",),
    "ruby": ("-e", "-i"),
    "php": ("-r",),
    "Rscript": ("-e",),
    "lua": ("-e",),
    "osascript": ("-e",),
}
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "mksh", "fish", "ash", "busybox"})


def _interpreter_handler(name: str):
    base = name
    if name.startswith(("python", "pypy")):
        base = "python" if name.startswith("python") else "pypy"
    if base in INLINE_CODE or name in SHELLS:
        return _interpreter
    return None


def _interpreter(cmd: Command, words: list[Word], result: Analysis) -> None:
    name = os.path.basename(words[0].text)
    if name in SHELLS:
        for w in words[1:]:
            t = w.text
            if t.startswith("-") and not t.startswith("--") and ("c" in t or "s" in t):
                result.opaque.append(f"{name} {t} runs a command string")
                return
            if not t.startswith("-"):
                result.runs_code.append(f"{name} {t}")
                return
        result.opaque.append(f"{name} reading commands from stdin")
        return
    base = "python" if name.startswith("python") else "pypy" if name.startswith("pypy") else name
    flags = INLINE_CODE[base]
    letters = {f[1] for f in flags if len(f) == 2 and f[0] == "-"}
    skip = False
    for k, w in enumerate(words[1:], 1):
        t = w.text
        if skip:
            skip = False
            continue
        cluster = t.startswith("-") and not t.startswith("--") and len(t) > 1
        if t in flags or (cluster and any(ch in letters for ch in t[1:])):
            result.opaque.append(f"{name} {t} runs inline code")
            return
        if base in ("python", "pypy") and t in ("-W", "-X"):
            skip = True
            continue
        if base in ("python", "pypy") and t == "-m" and k + 1 < len(words):
            module = words[k + 1].text
            if module.partition(".")[0] == "cc_pack":  # cc_pack, cc_pack.__main__, ...
                result.cli.append(words[k + 1 :])
            else:
                result.runs_code.append(f"{name} -m {module}")
            return
        if t == "-":
            break
        if not t.startswith("-"):
            result.runs_code.append(f"{name} {t}")
            return
    result.opaque.append(f"{name} reading its program from stdin")


def _opaque(reason: str):
    def finder(cmd: Command, words: list[Word], result: Analysis) -> None:
        result.opaque.append(reason)

    return finder


def _awk(cmd: Command, words: list[Word], result: Analysis) -> None:
    options, positional = _split_args(words[1:], frozenset({"-F", "-v", "-f", "-i", "-l"}))
    if _has(options, "-f", "-i", "--file", "--include"):
        result.opaque.append("awk with a program file or in-place edit")
        return
    program = positional[0].text if positional else ""
    if any(c in program for c in ">|") or "system" in program:
        result.opaque.append("awk program that writes files or runs commands")


def _find(cmd: Command, words: list[Word], result: Analysis) -> None:
    actions = {
        "-exec",
        "-execdir",
        "-ok",
        "-okdir",
        "-delete",
        "-fprint",
        "-fprint0",
        "-fprintf",
        "-fls",
    }
    hit = next((w.text for w in words[1:] if w.text in actions), None)
    if hit:
        result.opaque.append(f"find {hit} runs or deletes on every match")


def _xargs(cmd: Command, words: list[Word], result: Analysis) -> None:
    with_arg = frozenset(
        {
            "-a",
            "-d",
            "-E",
            "-e",
            "-I",
            "-i",
            "-L",
            "-l",
            "-n",
            "-P",
            "-s",
            "--arg-file",
            "--delimiter",
            "--max-args",
            "--max-procs",
        }
    )
    i = _skip_options(words, 1, with_arg)
    inner = words[i:]
    if not inner:
        return  # echo by default
    name = os.path.basename(inner[0].text)
    if name == "cc-pack":
        unknown = Word()
        unknown.text, unknown.expands = "<arguments from stdin>", True
        result.cli.append([*inner, unknown])
        return
    if name in WRITERS or _interpreter_handler(name) or name in WRAPPERS or inner[0].expands:
        result.opaque.append(f"xargs {name}: its arguments come from stdin")


def _dd(cmd: Command, words: list[Word], result: Analysis) -> None:
    for w in words[1:]:
        if w.text.startswith("of="):
            v = Word()
            v.text, v.expands, v.glob, v.brace = w.text[3:], w.expands, w.glob, w.brace
            _target(result, cmd, "dd of=", v, False)


def _patch(cmd: Command, words: list[Word], result: Analysis) -> None:
    options, positional = _split_args(
        words[1:],
        frozenset(
            {
                "-o",
                "--output",
                "-i",
                "--input",
                "-p",
                "-d",
                "--directory",
                "-r",
                "-B",
                "-z",
                "-F",
                "-V",
                "-D",
            }
        ),
    )
    if _has(options, "--dry-run", "-C", "--check"):
        return
    if _has(options, "-d", "--directory"):
        result.opaque.append("patch -d changes directory before patching")
        return
    out = _value(options, "-o", "--output")
    if out is not None:
        _target(result, cmd, "patch -o", out, False)
    elif positional:
        _target(result, cmd, "patch", positional[0], False)
    else:
        result.opaque.append(
            "patch takes its target files from the diff: name the file (patch FILE < DIFF)"
        )


def _sort(cmd: Command, words: list[Word], result: Analysis) -> None:
    options, _ = _split_args(words[1:], frozenset({"-o", "--output", "-k", "-t", "-S", "-T"}))
    out = _value(options, "-o", "--output")
    if out is not None:
        _target(result, cmd, "sort -o", out, False)


def _uniq(cmd: Command, words: list[Word], result: Analysis) -> None:
    _, positional = _split_args(words[1:], frozenset({"-f", "-s", "-w"}))
    if len(positional) >= 2:
        _target(result, cmd, "uniq", positional[1], False)


def _tar(cmd: Command, words: list[Word], result: Analysis) -> None:
    first = words[1].text if len(words) > 1 else ""
    cluster = first.lstrip("-") if not first.startswith("--") else ""
    longs = {w.text.split("=")[0] for w in words[1:] if w.text.startswith("--")}
    flags = set(cluster) | {
        c for w in words[2:] if w.text[:1] == "-" and w.text[1:2] != "-" for c in w.text[1:]
    }
    if "x" in flags or longs & {"--extract", "--get"}:
        result.opaque.append("tar extracts files named inside the archive")
        return
    if not (flags & set("cruA") or longs & {"--create", "--append", "--update"}):
        return
    for k, w in enumerate(words[1:], 1):
        t = w.text
        if t.startswith("--file="):
            v = Word()
            v.text = t[7:]
            if v.text != "-":  # `-f -`: the archive goes to stdout
                _target(result, cmd, "tar -f", v, False)
            return
        if (
            t == "--file" or (t.startswith("-") and t.endswith("f")) or (k == 1 and "f" in t)
        ) and k + 1 < len(words):
            if words[k + 1].text != "-":
                _target(result, cmd, "tar -f", words[k + 1], False)
            return


def _curl(cmd: Command, words: list[Word], result: Analysis) -> None:
    options, _ = _split_args(
        words[1:],
        frozenset(
            {
                "-o",
                "--output",
                "-d",
                "--data",
                "-H",
                "--header",
                "-X",
                "-u",
                "-A",
                "-e",
                "-b",
                "-c",
                "--cookie-jar",
                "-T",
            }
        ),
    )
    if _has(options, "-O", "--remote-name", "--remote-name-all", "-J"):
        result.opaque.append("curl -O names the file after the URL")
    for name, value in options:
        if (
            name in ("-o", "--output", "-c", "--cookie-jar")
            and value is not None
            and value.text != "-"
        ):
            _target(result, cmd, f"curl {name}", value, False)


def _wget(cmd: Command, words: list[Word], result: Analysis) -> None:
    options, _ = _split_args(words[1:], frozenset({"-O", "--output-document", "-P", "-o"}))
    out = _value(options, "-O", "--output-document")
    if out is None:
        result.opaque.append("wget saves under a name taken from the URL (use -O FILE)")
    elif out.text != "-":
        _target(result, cmd, "wget -O", out, False)


def _formatter(check_flags: tuple, write_flags: tuple = ()):
    """ruff/black/isort: rewrite the given files (or the cwd tree) unless only checking."""

    def finder(cmd: Command, words: list[Word], result: Analysis) -> None:
        args = words[1:]
        name = words[0].text
        if name == "ruff":
            if not args:
                return
            sub = args[0].text
            args = args[1:]
            if sub == "check" and not any(a.text in ("--fix", "--unsafe-fixes") for a in args):
                return
            if sub not in ("check", "format"):
                return
        if any(a.text in check_flags for a in args):
            return
        if write_flags and not any(a.text in write_flags for a in args):
            return
        _, positional = _split_args(
            args, frozenset({"--config", "--line-length", "-l", "--target-version", "--select"})
        )
        if not positional:
            dot = Word()
            dot.text = "."
            positional = [dot]
        for word in positional:
            # the formatter rewrites files under the path, not the tree itself: scope-check the
            # path as named (a directory only passes when the scope names it)
            _target(result, cmd, name, word, False)

    return finder


def _compressor(cmd: Command, words: list[Word], result: Analysis) -> None:
    if any(w.text in ("-c", "--stdout", "-l", "--list", "-t", "--test") for w in words[1:]):
        return
    result.opaque.append(f"{words[0].text} replaces files with (de)compressed ones")


def _git(cmd: Command, words: list[Word], result: Analysis) -> None:
    i = 1
    cwds = cmd.cwds
    while i < len(words) and words[i].text.startswith("-"):
        t = words[i].text
        if t == "-C" and i + 1 < len(words):
            w = words[i + 1]
            cwds = frozenset(
                None if c is None or w.expands else paths.resolve(w.text, c) for c in cwds
            )
            i += 2
        elif t in ("-c",) and i + 1 < len(words):
            i += 2
        elif t.startswith(("--work-tree", "--git-dir")):
            result.opaque.append(f"git {t} points git at another tree")
            return
        else:
            i += 1
    if i >= len(words):
        return
    sub = words[i].text
    rest = words[i + 1 :]
    handler = GIT_WRITERS.get(sub)
    if handler is None:
        return
    inner = Command()
    inner.cwds = cwds
    inner.words = words
    handler(inner, sub, rest, result)


def _git_paths(sub: str, rest: list[Word]) -> list[Word]:
    """Pathspecs: after ``--``, or every non-option word."""
    texts = [w.text for w in rest]
    if "--" in texts:
        return rest[texts.index("--") + 1 :]
    return [w for w in rest if not w.text.startswith("-")]


def _git_checkout(cmd: Command, sub: str, rest: list[Word], result: Analysis) -> None:
    texts = [w.text for w in rest]
    if (
        sub == "restore"
        and ("--staged" in texts or "-S" in texts)
        and not ("--worktree" in texts or "-W" in texts)
    ):
        return
    if "--" not in texts and sub == "checkout":
        result.opaque.append("git checkout without `-- PATH` may switch the whole tree")
        return
    targets = _git_paths(sub, rest)
    if not targets:
        result.opaque.append(f"git {sub} without paths changes the whole tree")
        return
    for w in targets:
        _target(result, cmd, f"git {sub}", w, True)


def _git_rm_mv(cmd: Command, sub: str, rest: list[Word], result: Analysis) -> None:
    if sub == "rm" and any(w.text == "--cached" for w in rest):
        return
    for w in _git_paths(sub, rest):
        _target(result, cmd, f"git {sub}", w, True)


def _git_tree(cmd: Command, sub: str, rest: list[Word], result: Analysis) -> None:
    texts = [w.text for w in rest]
    read_only = {
        "stash": {"list", "show"},
        "apply": {"--check", "--stat", "--numstat", "--summary", "--cached"},
        "reset": {"--soft", "--mixed"},
        "clean": {"-n", "--dry-run"},
        "worktree": {"list"},
        "submodule": {"status", "summary"},
    }.get(sub, set())
    if read_only & set(texts) or (
        sub == "reset"
        and "--hard" not in texts
        and "--merge" not in texts
        and "--keep" not in texts
    ):
        return
    result.opaque.append(f"git {sub} changes files that this analysis cannot list")


GIT_WRITERS = {
    "checkout": _git_checkout,
    "restore": _git_checkout,
    "rm": _git_rm_mv,
    "mv": _git_rm_mv,
    **dict.fromkeys(
        (
            "apply",
            "am",
            "stash",
            "reset",
            "clean",
            "merge",
            "rebase",
            "pull",
            "cherry-pick",
            "revert",
            "switch",
            "worktree",
            "submodule",
            "bisect",
            "filter-branch",
            "sparse-checkout",
            "clone",
            "init",
        ),
        _git_tree,
    ),
}


WRITERS = {
    "tee": _all_positional(),
    "touch": _all_positional(with_arg=frozenset({"-d", "-r", "-t", "--date", "--reference"})),
    "mkdir": _all_positional(with_arg=frozenset({"-m", "--mode"})),
    "rm": _all_positional(recursive_flags=("-r", "-R", "--recursive")),
    "rmdir": _all_positional(),
    "unlink": _all_positional(),
    "shred": _all_positional(with_arg=frozenset({"-n", "-s", "--iterations", "--size"})),
    "truncate": _all_positional(with_arg=frozenset({"-s", "-r", "--size", "--reference"})),
    "chmod": _after_first(recursive_flags=("-R", "--recursive")),
    "chown": _after_first(recursive_flags=("-R", "--recursive")),
    "chgrp": _after_first(recursive_flags=("-R", "--recursive")),
    "cp": _copy_like(moves=False),
    "install": _copy_like(moves=False),
    "mv": _copy_like(moves=True),
    "ln": _ln,
    "sed": _sed,
    "perl": _perl,
    "awk": _awk,
    "gawk": _awk,
    "mawk": _awk,
    "nawk": _awk,
    "find": _find,
    "xargs": _xargs,
    "dd": _dd,
    "patch": _patch,
    "sort": _sort,
    "uniq": _uniq,
    "tar": _tar,
    "curl": _curl,
    "wget": _wget,
    "git": _git,
    "eval": _opaque("eval runs a command string"),
    "source": lambda cmd, words, result: result.runs_code.append("source"),
    ".": lambda cmd, words, result: result.runs_code.append("."),
    "ruff": _formatter(("--check", "--diff")),
    "black": _formatter(("--check", "--diff")),
    "isort": _formatter(("--check", "--check-only", "--diff", "-c")),
    "gzip": _compressor,
    "gunzip": _compressor,
    "bzip2": _compressor,
    "xz": _compressor,
    "zstd": _compressor,
    "unzip": _opaque("unzip extracts files named inside the archive"),
    "rsync": _opaque("rsync writes a tree this analysis does not list"),
    "split": _opaque("split writes files named by a prefix"),
    "csplit": _opaque("csplit writes files named by a prefix"),
}
