"""Bash command text -> simple commands, without ever running a shell.

Word splitting and quote removal follow POSIX ``shlex`` (``tests/hooks/test_fuzz.py``
checks that they agree), but this tokenizer also keeps what shlex throws away and a write
analysis needs: operators (``;`` ``&&`` ``||`` ``|`` ``&`` ``(`` ``)`` newline), redirections
with their fd, heredoc bodies (skipped, not parsed as commands), comments, and per word whether
it expands (``$x``, ``$(...)``, backticks: its value is unknown), globs, braces or ``~``.
Command substitutions are returned as text so that the commands inside them are analysed too.
``shlex`` itself is not used on the hot path: it imports ``re`` (9 ms, most of a hook's budget).

``commands()`` then splits the tokens into simple commands and tracks the working directory
through ``cd`` the way bash would, keeping every directory a command might run in.
"""

from __future__ import annotations

import os

from cc_pack_hooks import paths


class ShellSyntaxError(ValueError):
    """Unterminated quote or substitution: bash would refuse it too, so it cannot be analysed."""


class Word:
    __slots__ = ("brace", "expands", "glob", "quoted", "subs", "text", "tilde")

    def __init__(self):
        self.text = ""
        self.quoted = False  # some part was quoted
        self.expands = False  # contains $x, ${x}, $(...), `...`: the value is unknown
        self.glob = False  # unquoted * ? [
        self.brace = False  # unquoted {
        self.tilde = False  # unquoted ~ at the start
        self.subs: list[str] = []  # command substitutions, as command text

    def __repr__(self) -> str:
        return f"Word({self.text!r})"


class Op:
    __slots__ = ("fd", "text")

    def __init__(self, text: str, fd: str | None = None):
        self.text = text
        self.fd = fd

    def __repr__(self) -> str:
        return f"Op({self.text!r})"


# longest first: the tokenizer takes the first that matches
OPERATORS = (
    "&>>", "<<<", "<<-", ";;&",
    "&&", "||", "|&", ";;", ";&", ">>", ">|", ">&", "<&", "<>", "<<", "&>",
    "|", "&", ";", "(", ")", "<", ">",
)  # fmt: skip
REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">&", "<", "<&", "<<", "<<-", "<<<"})
WRITE_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">&"})
_OP_CHARS = frozenset("|&;<>()")
_BREAK = frozenset(" \t\r\n|&;<>()")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_SPECIAL_PARAMS = frozenset("@*#?$!-0123456789")


def tokenize(text: str) -> list:
    """Words and operators of ``text``; ``ShellSyntaxError`` when bash could not parse it."""
    tokens: list = []
    heredocs: list = []  # (delimiter, strip_tabs, expands, holder word) awaiting a newline
    i, n = 0, len(text)
    fd = None
    in_test = False  # inside [[ ... ]]: < > && || ( ) ! are the test's, not the shell's
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
        elif c == "(" and text.startswith("((", i) and _command_start(tokens):
            end = _arithmetic_end(text, i)
            if end is None:  # `((cmd) …)`: nested subshells after all
                tokens.append(Op("("))
                i += 1
                continue
            # An arithmetic command: nothing in it is a redirection or a heredoc (`a << 2`,
            # `a > b`), but its command substitutions run.
            word = Word()
            word.text, word.expands = "((", True
            word.subs.extend(substitutions(text[i + 2 : end - 2]))
            tokens.append(word)
            i = end
        elif c == "\\" and text.startswith("\n", i + 1):
            i += 2
        elif c == "\n":
            tokens.append(Op("\n"))
            i = _skip_heredocs(text, i + 1, heredocs)
            heredocs = []
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "<>" and text.startswith("(", i + 1):
            # process substitution: a file name whose writes are the inner command's
            word = Word()
            end = _match_paren(text, i + 1)
            word.subs.append(text[i + 2 : end - 1])
            word.text, word.expands = text[i:end], True
            i = _append_word(tokens, word, text, end, heredocs)
        elif c in _OP_CHARS:
            op = next(o for o in OPERATORS if text.startswith(o, i))
            if in_test and op in _TEST_OPS:
                word = Word()
                word.text = op
                tokens.append(word)
            else:
                tokens.append(Op(op, fd))
            fd = None
            i += len(op)
        else:
            word, end = _read_word(text, i)
            if (
                not word.quoted
                and word.text.isdigit()
                and end < n
                and text[end] in "<>"
                and not text.startswith("(", end + 1)
            ):
                fd = word.text  # an IO number: `2>file` redirects fd 2, it is no argument
                i = end
                continue
            if not word.quoted and word.text == "[[" and _command_start(tokens):
                in_test = True
            elif in_test and not word.quoted and word.text == "]]":
                in_test = False
            i = _append_word(tokens, word, text, end, heredocs)
    return tokens


# What [[ ... ]] reads as its own operators (string comparison, logic, grouping).
_TEST_OPS = frozenset({"<", ">", "&&", "||", "(", ")"})
_STARTS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})


def _command_start(tokens: list) -> bool:
    """Whether the next token stands where a command name would."""
    if not tokens:
        return True
    last = tokens[-1]
    if isinstance(last, Op):
        return last.text in ("\n", ";", "&&", "||", "|", "|&", "&", "(", ";;", ";&", ";;&")
    return not last.quoted and last.text in _STARTS


def _arithmetic_end(text: str, i: int) -> int | None:
    """Index after the ``))`` closing the ``((`` at ``i`` when it is an arithmetic command: the
    inner ``(`` closes right before the outer one, and no ``;`` or newline is inside."""
    try:
        end = _match_paren(text, i)
        inner = _match_paren(text, i + 1)
    except ShellSyntaxError:
        return None
    body = text[i + 2 : end - 2]
    if inner != end - 1 or ";" in body or "\n" in body:
        return None
    return end


def _append_word(tokens: list, word: Word, text: str, end: int, heredocs: list) -> int:
    if tokens and isinstance(tokens[-1], Op) and tokens[-1].text in ("<<", "<<-"):
        heredocs.append((word.text, tokens[-1].text == "<<-", not word.quoted, word))
    tokens.append(word)
    return end


def _skip_heredocs(text: str, i: int, heredocs: list) -> int:
    """Skip the bodies of the heredocs opened on the line just ended; an unquoted delimiter
    means the body expands, so its command substitutions run (and are kept for analysis)."""
    n = len(text)
    for delimiter, strip_tabs, expands, holder in heredocs:
        while i < n:
            end = text.find("\n", i)
            end = n if end < 0 else end
            line = text[i:end]
            i = min(end + 1, n)
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                break
            if expands:
                holder.subs.extend(substitutions(line))
    return i


def substitutions(text: str) -> list[str]:
    """Command substitutions in expanding text (a heredoc body line)."""
    found: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "$" and i + 1 < n and text[i + 1] in "({":
            w = Word()
            i = _read_dollar(text, i, w)
            found.extend(w.subs)
        elif c == "`":
            w = Word()
            i = _read_backtick(text, i, w)
            found.extend(w.subs)
        else:
            i += 1
    return found


def _read_word(text: str, i: int) -> tuple[Word, int]:
    word = Word()
    out: list[str] = []
    n = len(text)
    start = i
    while i < n:
        c = text[i]
        if c in _BREAK:
            break
        if c == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                i += 2
                continue
            word.quoted = True
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated single quote")
            out.append(text[i + 1 : end])
            word.quoted = True
            i = end + 1
        elif c == '"':
            i = _read_double(text, i + 1, word, out)
        elif c == "$":
            if text.startswith("'", i + 1):  # $'...' ANSI-C quoting: escapes we do not decode
                end = i + 2
                while end < n and text[end] != "'":
                    end += 2 if text[end] == "\\" else 1
                if end >= n:
                    raise ShellSyntaxError("unterminated $'...'")
                out.append(text[i + 2 : end])
                word.quoted = True
                word.expands = word.expands or "\\" in text[i + 2 : end]
                i = end + 1
            elif text.startswith('"', i + 1):
                i = _read_double(text, i + 2, word, out)
            else:
                end = _read_dollar(text, i, word)
                out.append(text[i:end])
                i = end
        elif c == "`":
            end = _read_backtick(text, i, word)
            out.append(text[i:end])
            i = end
        else:
            if c in "*?[":
                word.glob = True
            elif c == "{":
                word.brace = True
            elif c == "~" and i == start:
                word.tilde = True
            out.append(c)
            i += 1
    word.text = "".join(out)
    return word, i


def _read_double(text: str, i: int, word: Word, out: list[str]) -> int:
    """Inside "...": only \\ $ ` " and newline are special."""
    word.quoted = True
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return i + 1
        if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
        elif c == "$":
            end = _read_dollar(text, i, word)
            out.append(text[i:end])
            i = end
        elif c == "`":
            end = _read_backtick(text, i, word)
            out.append(text[i:end])
            i = end
        else:
            out.append(c)
            i += 1
    raise ShellSyntaxError("unterminated double quote")


def _read_dollar(text: str, i: int, word: Word) -> int:
    """``$...`` at ``i``: mark the word as expanding; collect command substitutions."""
    n = len(text)
    nxt = text[i + 1] if i + 1 < n else ""
    if nxt == "(":
        end = _match_paren(text, i + 1)
        inner = text[i + 2 : end - 1]
        # $((...)) is arithmetic, but it may hold $(...) itself: analyse it as a command either
        # way (the arithmetic words are harmless unknown commands)
        word.subs.append(inner)
        word.expands = True
        return end
    if nxt == "{":
        depth, j = 0, i + 1
        while j < n:
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    word.subs.extend(substitutions(text[i + 2 : j]))
                    word.expands = True
                    return j + 1
            elif ch == "'":
                close = text.find("'", j + 1)
                j = n if close < 0 else close
            j += 1
        raise ShellSyntaxError("unterminated ${...}")
    if nxt and nxt in _NAME_CHARS and not nxt.isdigit():
        j = i + 1
        while j < n and text[j] in _NAME_CHARS:
            j += 1
        word.expands = True
        return j
    if nxt and nxt in _SPECIAL_PARAMS:
        word.expands = True
        return i + 2
    return i + 1  # a lone $ is literal


def _read_backtick(text: str, i: int, word: Word) -> int:
    j = i + 1
    n = len(text)
    inner: list[str] = []
    while j < n and text[j] != "`":
        if text[j] == "\\" and j + 1 < n:
            inner.append(text[j + 1] if text[j + 1] in "`$\\" else text[j : j + 2])
            j += 2
        else:
            inner.append(text[j])
            j += 1
    if j >= n:
        raise ShellSyntaxError("unterminated backquote")
    word.subs.append("".join(inner))
    word.expands = True
    return j + 1


def _match_paren(text: str, i: int) -> int:
    """Index after the ``)`` closing the ``(`` at ``i``, skipping quoted text."""
    depth = 0
    n = len(text)
    j = i
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "'":
            close = text.find("'", j + 1)
            if close < 0:
                break
            j = close
        elif c == '"':
            j += 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise ShellSyntaxError("unterminated $( or (")


# --- simple commands -----------------------------------------------------------------------------

RESERVED_PREFIXES = frozenset(
    {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"}
)
RESERVED_ENDS = frozenset({"fi", "done", "esac", "}"})
_CONTROL = frozenset({";", "\n", "&&", "||", "|", "|&", "&", "(", ")", ";;", ";&", ";;&"})


class Command:
    """One simple command: its words (reserved words dropped), redirections and the set of
    directories it may run in (``None`` in the set: a directory that cannot be known)."""

    __slots__ = ("cwds", "redirects", "words")

    def __init__(self):
        self.words: list[Word] = []
        self.redirects: list[tuple[str, str | None, Word]] = []
        self.cwds: frozenset = frozenset()

    @property
    def name(self) -> str:
        return self.words[0].text if self.words else ""

    def __repr__(self) -> str:
        return f"Command({[w.text for w in self.words]!r}, {sorted(map(str, self.cwds))})"


def commands(tokens: list, cwd: str) -> list[Command]:
    out: list[Command] = []
    cwds: set = {cwd}
    fallback: set | None = None  # directories again possible once the && chain after a cd ends
    stack: list = []
    cur = Command()
    prev_op: str | None = None
    pending: tuple | None = None  # a redirection waiting for its target word

    def finish(next_op: str | None) -> None:
        nonlocal cwds, fallback, cur
        if cur.words or cur.redirects:
            cur.cwds = frozenset(cwds)
            out.append(cur)
            name = cur.name
            # a cd in a pipeline or in the background runs in a subshell: no effect here
            in_subshell = next_op in ("|", "|&", "&") or prev_op in ("|", "|&")
            if name in ("cd", "pushd", "popd") and not in_subshell:
                new = {_cd_target(cur, c) for c in cwds}
                if next_op == "&&" and prev_op != "||":
                    fallback = (fallback or set()) | cwds
                    cwds = new
                else:
                    cwds = cwds | new
        cur = Command()

    for tok in tokens:
        if isinstance(tok, Word):
            if pending is not None:
                cur.redirects.append((pending[0], pending[1], tok))
                pending = None
            elif not cur.words and (tok.text in RESERVED_PREFIXES or tok.text in RESERVED_ENDS):
                if tok.quoted:
                    cur.words.append(tok)
            else:
                cur.words.append(tok)
            continue
        if tok.text in REDIRECTS:
            pending = (tok.text, tok.fd)
            continue
        pending = None
        finish(tok.text)
        if tok.text == "(":
            stack.append((cwds, fallback))
            fallback = None
        elif tok.text == ")":
            if stack:
                cwds, fallback = stack.pop()
        elif tok.text != "&&" and fallback is not None:
            cwds = cwds | fallback
            fallback = None
        prev_op = tok.text
    finish(None)
    return out


def _cd_target(cmd: Command, cwd):
    args = [w for w in cmd.words[1:] if not (w.text.startswith("-") and len(w.text) > 1)]
    if cwd is None or cmd.name != "cd":
        return None  # pushd/popd: a directory stack this analysis does not follow
    if not args:
        return paths.home()
    word = args[0]
    if word.expands or word.glob or word.brace or word.text == "-":
        return None
    text = word.text
    if word.tilde and not (text == "~" or text.startswith("~/")):
        return None
    if word.tilde:
        text = paths.home() + text[1:]
    return os.path.realpath(os.path.join(cwd, text))
