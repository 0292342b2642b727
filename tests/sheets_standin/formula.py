"""A deliberately small formula evaluator: arithmetic, comparison, ``&``, cell and range references,
named ranges and a handful of functions (SUM, MIN, MAX, AVERAGE, COUNT, COUNTA, IF, LEN, ROUND, ABS, AND,
OR, NOT, CONCATENATE).  Any other function is ``#NAME?``.  Tests should assert on ``FORMULA`` renders.

>>> evaluate("=4/2", None), evaluate("=3/2", None), evaluate("= 1 / 1024", None)
(2.0, 1.5, 0.0009765625)
>>> evaluate("=1/0", None), evaluate("=FOO(1)", None), evaluate('="a"&"b"', None)
(CellError('#DIV/0!'), CellError('#NAME?'), 'ab')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from . import a1


@dataclass(frozen=True)
class CellError:
    code: str

    def __repr__(self) -> str:
        return f"CellError({self.code!r})"


DIV0 = CellError("#DIV/0!")
VALUE = CellError("#VALUE!")
NAME = CellError("#NAME?")
REF = CellError("#REF!")
PARSE = CellError("#ERROR!")
NA = CellError("#N/A")


class Resolver(Protocol):
    def cell(self, sheet: str | None, row: int, col: int) -> Any: ...

    def span(self, sheet: str | None, box: tuple[int, int | None, int, int | None]) -> list[Any]: ...

    def named(self, name: str) -> list[Any] | None: ...


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?
        (?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?\d+:\$?\d+)
        (?![A-Za-z0-9_(]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>(),:%;])
    )""",
    re.VERBOSE,
)
_ENDPOINT = re.compile(r"^(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?$")

# Compiled formulas are trees of tuples.  References keep absolute parts as indexes and relative parts as
# offsets from the formula's own cell, so every row of a filled-down column shares one compiled tree.
Node = tuple[Any, ...]


class _ParseError(Exception):
    pass


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise _ParseError(text[pos:])
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


def _part(pinned: str, value: int | None, host: int) -> tuple[bool, int | None]:
    """(absolute?, index or offset); None for an open end."""
    if value is None:
        return True, None
    return (True, value) if pinned else (False, value - host)


class _Compiler:
    def __init__(self, tokens: list[tuple[str, str]], host: tuple[int, int]) -> None:
        self.tokens = tokens
        self.i = 0
        self.row, self.col = host

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise _ParseError(value or "end")
        self.i += 1
        return tok

    def at(self, *values: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in values

    def expression(self) -> Node:
        left = self.concat()
        while self.at("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = ("cmp", op, left, self.concat())
        return left

    def concat(self) -> Node:
        left = self.additive()
        while self.at("&"):
            self.take()
            left = ("concat", left, self.additive())
        return left

    def additive(self) -> Node:
        left = self.term()
        while self.at("+", "-"):
            op = self.take()[1]
            left = ("arith", op, left, self.term())
        return left

    def term(self) -> Node:
        left = self.power()
        while self.at("*", "/"):
            op = self.take()[1]
            left = ("arith", op, left, self.power())
        return left

    def power(self) -> Node:
        left = self.unary()
        while self.at("^"):
            self.take()
            left = ("arith", "^", left, self.unary())
        return left

    def unary(self) -> Node:
        if self.at("-"):
            self.take()
            return ("arith", "*", ("const", -1.0), self.unary())
        if self.at("+"):
            self.take()
            return self.unary()
        node = self.primary()
        while self.at("%"):
            self.take()
            node = ("arith", "/", node, ("const", 100.0))
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return ("const", float(text))
        if kind == "str":
            return ("const", text[1:-1].replace('""', '"'))
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            if self.at("("):
                return self.call(text.upper())
            if text.upper() in ("TRUE", "FALSE"):
                return ("const", text.upper() == "TRUE")
            return ("named", text)
        if kind == "op" and text == "(":
            node = self.expression()
            self.take(")")
            return node
        raise _ParseError(text)

    def _endpoint(self, text: str) -> tuple[tuple[bool, int | None], tuple[bool, int | None]]:
        m = _ENDPOINT.match(text)
        if not m or not (m.group(2) or m.group(4)):
            raise _ParseError(text)
        col = a1.col_index(m.group(2)) if m.group(2) else None
        row = int(m.group(4)) - 1 if m.group(4) else None
        return _part(m.group(3), row, self.row), _part(m.group(1), col, self.col)

    def reference(self, text: str) -> Node:
        sheet, rest = a1.split_title(text) if "!" in text else (None, text)
        parts = (rest or "").split(":")
        if len(parts) == 1:
            (row, col) = self._endpoint(parts[0])
            if row[1] is None or col[1] is None:
                raise _ParseError(text)
            return ("ref", sheet, row, col)
        (r0, c0), (r1, c1) = self._endpoint(parts[0]), self._endpoint(parts[1])
        return ("span", sheet, r0, r1, c0, c1)

    def call(self, name: str) -> Node:
        self.take("(")
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(",", ";"):
                self.take()
                args.append(self.expression())
        self.take(")")
        if name not in _FUNCTIONS and name != "IF":
            return ("const", NAME)
        return ("call", name, tuple(args))


_SHAPE = re.compile(
    r"(?P<lit>\"(?:[^\"]|\"\")*\"?|'(?:[^']|'')*'?)"
    r"|(?<![A-Za-z0-9_.$])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])"
)
_COMPILED: dict[str, Node] = {}  # by shape
_BY_CELL: dict[tuple[str, int, int], Node] = {}  # by (text, row, col): no shape to compute


def _shape(formula: str, host: tuple[int, int]) -> str:
    """The formula with relative cell references written as offsets: equal for a filled-down column."""
    row, col = host

    def canonical(m: re.Match[str]) -> str:
        if m.group("lit") is not None:
            return m.group(0)
        c = m.group(3) if m.group(2) else f"[{a1.col_index(m.group(3)) - col}]"
        r = m.group(5) if m.group(4) else f"[{int(m.group(5)) - 1 - row}]"
        return f"\x00{c},{r}\x00"

    return _SHAPE.sub(canonical, formula)


def compile_formula(formula: str, host: tuple[int, int] = (0, 0)) -> Node:
    known = _BY_CELL.get((formula, *host))
    if known is not None:
        return known
    key = _shape(formula, host)
    node = _COMPILED.get(key)
    if node is None:
        try:
            compiler = _Compiler(_tokenize(formula[1:]), host)
            node = compiler.expression()
            if compiler.peek() is not None:
                node = ("const", PARSE)
        except (_ParseError, ValueError):
            node = ("const", PARSE)
        if len(_COMPILED) > 1 << 16:
            _COMPILED.clear()
        _COMPILED[key] = node
    _remember(formula, host, node)
    return node


def _remember(formula: str, host: tuple[int, int], node: Node) -> None:
    if len(_BY_CELL) > 1 << 18:
        _BY_CELL.clear()
    _BY_CELL[(formula, *host)] = node


def evaluate(formula: str, resolver: Resolver | None, host: tuple[int, int] = (0, 0)) -> Any:
    """Evaluate ``=...`` written in cell ``host`` (row, col); returns float, str, bool, None (empty) or a
    :class:`CellError`."""
    value = _Evaluation(resolver, host).run(compile_formula(formula, host))
    if isinstance(value, list):
        value = value[0] if value else None
    return value


class _Evaluation:
    def __init__(self, resolver: Resolver | None, host: tuple[int, int]) -> None:
        self.resolver = resolver
        self.row, self.col = host

    def _at(self, part: tuple[bool, int | None], host: int) -> int | None:
        absolute, value = part
        if value is None:
            return None
        return value if absolute else value + host

    def _bounds(self, first: Any, last: Any, host: int) -> tuple[int, int | None] | None:
        """(start, end-exclusive or None for open) of one dimension of a span; None when off the grid."""
        lo, hi = self._at(first, host), self._at(last, host)
        lo = 0 if lo is None else lo
        if hi is not None and hi < lo:
            lo, hi = hi, lo
        if lo < 0:
            return None
        return lo, None if hi is None else hi + 1

    def run(self, node: Node) -> Any:
        kind = node[0]
        if kind == "const":
            return node[1]
        if kind == "arith":
            return _arith(node[1], self.run(node[2]), self.run(node[3]))
        if kind == "cmp":
            return _compare(node[1], self.run(node[2]), self.run(node[3]))
        if kind == "concat":
            left, right = self.run(node[1]), self.run(node[2])
            return _first_error(left, right) or _text(left) + _text(right)
        if kind == "ref":
            row, col = self._at(node[2], self.row), self._at(node[3], self.col)
            if self.resolver is None or row is None or col is None or row < 0 or col < 0:
                return REF
            return self.resolver.cell(node[1], row, col)
        if kind == "span":
            rows = self._bounds(node[2], node[3], self.row)
            cols = self._bounds(node[4], node[5], self.col)
            if self.resolver is None or rows is None or cols is None:
                return [REF]
            return self.resolver.span(node[1], (rows[0], rows[1], cols[0], cols[1]))
        if kind == "named":
            named = self.resolver.named(node[1]) if self.resolver else None
            if named is None:
                return NAME
            return named if len(named) != 1 else named[0]
        if kind == "call":
            name, args = node[1], node[2]
            if name == "IF":  # only the branch taken is evaluated
                return self._if(args)
            return _FUNCTIONS[name]([self.run(a) for a in args])
        raise AssertionError(kind)

    def _if(self, args: tuple[Node, ...]) -> Any:
        if not 1 <= len(args) <= 3:
            return NA
        cond = _number(self.run(args[0]))
        if isinstance(cond, CellError):
            return cond
        if cond:
            return self.run(args[1]) if len(args) > 1 else True
        return self.run(args[2]) if len(args) > 2 else False


# ---------------------------------------------------------------- semantics
def _first_error(*values: Any) -> CellError | None:
    for v in values:
        if isinstance(v, CellError):
            return v
        if isinstance(v, list):
            err = _first_error(*v)
            if err:
                return err
    return None


def _scalar(v: Any) -> Any:
    if isinstance(v, list):
        return v[0] if v else None
    return v


def _number(v: Any) -> float | CellError:
    v = _scalar(v)
    if isinstance(v, CellError):
        return v
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return VALUE


def _text(v: Any) -> str:
    v = _scalar(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        from .formatting import general

        return general(v)
    return str(v)


def _arith(op: str, left: Any, right: Any) -> Any:
    a, b = _number(left), _number(right)
    if isinstance(a, CellError):
        return a
    if isinstance(b, CellError):
        return b
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return DIV0 if b == 0 else a / b
    try:
        result = a**b
    except (OverflowError, ZeroDivisionError):
        return DIV0
    return VALUE if isinstance(result, complex) or not math.isfinite(result) else result


def _compare(op: str, left: Any, right: Any) -> Any:
    left, right = _scalar(left), _scalar(right)
    err = _first_error(left, right)
    if err:
        return err
    if isinstance(left, str) or isinstance(right, str):
        a, b = _text(left).lower(), _text(right).lower()
    else:
        a, b = _number(left), _number(right)  # type: ignore[assignment]
    return {
        "=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b,  # type: ignore[operator]
    }[op]  # fmt: skip


def _flatten(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        out.extend(a if isinstance(a, list) else [a])
    return out


def _numbers(args: list[Any]) -> list[float] | CellError:
    nums: list[float] = []
    for a in args:
        if isinstance(a, list):  # ranges: only real numbers count
            for v in a:
                if isinstance(v, CellError):
                    return v
                if isinstance(v, int | float) and not isinstance(v, bool):
                    nums.append(float(v))
        else:
            n = _number(a)
            if isinstance(n, CellError):
                return n
            nums.append(n)
    return nums


def _agg(fn: Callable[[list[float]], Any]) -> Callable[[list[Any]], Any]:
    def run(args: list[Any]) -> Any:
        nums = _numbers(args)
        return nums if isinstance(nums, CellError) else fn(nums)

    return run


def _round(args: list[Any]) -> Any:
    x = _number(args[0]) if args else NA
    digits = _number(args[1]) if len(args) > 1 else 0.0
    if isinstance(x, CellError):
        return x
    if isinstance(digits, CellError):
        return digits
    factor = 10 ** int(digits)
    return math.floor(abs(x) * factor + 0.5) / factor * (1 if x >= 0 else -1)


def _logic(fn: Callable[[list[bool]], bool]) -> Callable[[list[Any]], Any]:
    def run(args: list[Any]) -> Any:
        values = [_number(v) for v in _flatten(args) if v is not None]
        err = _first_error(*values)
        return err or fn([bool(v) for v in values])

    return run


_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "SUM": _agg(sum),
    "MIN": _agg(lambda n: min(n) if n else 0.0),
    "MAX": _agg(lambda n: max(n) if n else 0.0),
    "AVERAGE": _agg(lambda n: sum(n) / len(n) if n else DIV0),
    "COUNT": _agg(lambda n: float(len(n))),
    "COUNTA": lambda args: float(sum(1 for v in _flatten(args) if v not in (None, ""))),
    "LEN": lambda args: float(len(_text(args[0]))) if args else NA,
    "ROUND": _round,
    "ABS": lambda args: abs(n) if not isinstance(n := _number(args[0] if args else None), CellError) else n,
    "AND": _logic(all),
    "OR": _logic(any),
    "NOT": lambda args: (not n) if not isinstance(n := _number(args[0] if args else None), CellError) else n,
    "CONCATENATE": lambda args: _first_error(*args) or "".join(_text(v) for v in _flatten(args)),
}


_SHIFT = re.compile(
    r"(?P<lit>\"(?:[^\"]|\"\")*\"?|'(?:[^']|'')*'?)"  # string literals and quoted sheet names stay
    r"|(?<![A-Za-z0-9_.$])(?P<c1>\$?)(?P<col>[A-Za-z]{1,3})(?P<r1>\$?)(?P<row>\d+)(?![A-Za-z0-9_(])"  # A1, $A$1
    r"|(?<![A-Za-z0-9_.$])(?P<p1>\$?)(?P<from>[A-Za-z]{1,3}):(?P<p2>\$?)(?P<to>[A-Za-z]{1,3})(?![A-Za-z0-9_(])"  # A:C
    r"|(?<![A-Za-z0-9_.$:])(?P<q1>\$?)(?P<top>\d+):(?P<q2>\$?)(?P<bottom>\d+)(?![A-Za-z0-9_(.:])"  # 2:5
)


class Shifter:
    """A formula split once into literal text and references, then moved as a fill does.

    >>> Shifter('=IF($B2>0,C2&"A1",Sheet1!D$2)').at(3, 0)
    '=IF($B5>0,C5&"A1",Sheet1!D$2)'
    """

    def __init__(self, text: str) -> None:
        self.parts: list[str | re.Match[str]] = []
        pos = 0
        for m in _SHIFT.finditer(text):
            if m.group("lit") is not None:
                continue
            self.parts.append(text[pos : m.start()])
            self.parts.append(m)
            pos = m.end()
        self.parts.append(text[pos:])

    def at(self, rows: int, cols: int) -> str:
        return "".join(p if isinstance(p, str) else _shift_match(p, rows, cols) for p in self.parts)

    def fill(self, origin: tuple[int, int], rows: int, cols: int) -> str:
        """The formula moved by (rows, cols) from ``origin``; its compiled form is the origin's (same offsets)."""
        text = self.at(rows, cols)
        if "#REF!" not in text:
            base = "".join(p if isinstance(p, str) else p.group(0) for p in self.parts)
            _remember(text, (origin[0] + rows, origin[1] + cols), compile_formula(base, origin))
        return text


def shift_formula(text: str, rows: int, cols: int) -> str:
    """Move relative references as a fill does (``=A2*2`` three rows down is ``=A5*2``; ``$`` pins)."""
    return text if rows == 0 and cols == 0 else Shifter(text).at(rows, cols)


def _shift_col(letters: str, pinned: str, cols: int) -> str | None:
    if pinned:
        return "$" + letters
    index = a1.col_index(letters) + cols
    return None if index < 0 else a1.col_letters(index)


def _shift_match(m: re.Match[str], rows: int, cols: int) -> str:
    if m.group("col") is not None:
        col = _shift_col(m.group("col"), m.group("c1"), cols)
        row = int(m.group("row")) + (0 if m.group("r1") else rows)
        if col is None or row < 1:
            return "#REF!"
        return f"{col}{m.group('r1')}{row}"
    if m.group("top") is not None:
        top = int(m.group("top")) + (0 if m.group("q1") else rows)
        bottom = int(m.group("bottom")) + (0 if m.group("q2") else rows)
        if min(top, bottom) < 1:
            return "#REF!"
        return f"{m.group('q1')}{top}:{m.group('q2')}{bottom}"
    first = _shift_col(m.group("from"), m.group("p1"), cols)
    last = _shift_col(m.group("to"), m.group("p2"), cols)
    if first is None or last is None:
        return "#REF!"
    return f"{first}:{last}"
