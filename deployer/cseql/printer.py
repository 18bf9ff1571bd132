"""Printer: AST -> canonical expression text (upper-case keywords, parentheses as parsed).

Owns formatting; parse(format_expression(e)) == e (spans aside). It does not parse or lint.
"""

from __future__ import annotations

from collections.abc import Callable

from . import ast

# Binding strength; a child weaker than its slot requires is wrapped in parentheses.
OR, AND, NOT, PREDICATE, ADD, MUL, UNARY, ATOM = range(8)
BINARY_PRECEDENCE = {"+": ADD, "-": ADD, "*": MUL, "/": MUL}


def precedence(node: ast.Expr) -> int:
    table = {ast.Or: OR, ast.And: AND, ast.Not: NOT, ast.Neg: UNARY}
    if isinstance(node, ast.Binary):
        return BINARY_PRECEDENCE[node.op]
    if isinstance(node, ast.PREDICATES):
        return PREDICATE
    return table.get(type(node), ATOM)


def quote(value: str, quote_char: str = "'", escape_both: bool = False) -> str:
    """A string literal that tokenizes back to `value` (backslashes are kept verbatim).

    A value ending in an odd run of backslashes (a lenient string, see tokens.py) is written as-is;
    it reads back only when no later literal uses the same quote, which holds for parsed input
    once the other quote character is escaped everywhere (`escape_both`).
    """
    body = []
    run = 0  # length of the backslash run just emitted
    for char in value:
        if char in "'\"":
            if run % 2:
                raise ValueError(f"string value {value!r} cannot be written as a literal")
            body.append("\\" + char if char == quote_char or escape_both else char)
        else:
            body.append(char)
        run = run + 1 if char == "\\" else 0
    return quote_char + "".join(body) + quote_char


def ends_with_odd_backslashes(value: str) -> bool:
    return (len(value) - len(value.rstrip("\\"))) % 2 == 1


class Printer:
    def __init__(self, escape_both: bool = False) -> None:
        self.escape_both = escape_both
        self.handlers: dict[type, Callable[[ast.Expr], str]] = {
            ast.String: lambda n: quote(n.value, n.quote, self.escape_both),
            ast.Number: lambda n: n.text or repr(n.value),
            ast.Boolean: lambda n: "true" if n.value else "false",
            ast.Null: lambda n: "NULL",
            ast.Regex: lambda n: f"/{n.source}/",
            ast.ListExpr: lambda n: "[" + self.items(n.items) + "]",
            ast.Field: lambda n: n.name,
            ast.Member: lambda n: f"{self.wrap(n.base, ATOM)}.{n.name}",
            ast.Index: lambda n: f"{self.wrap(n.base, ATOM)}[{self.print(n.key)}]",
            ast.Call: lambda n: f"{n.name}({self.items(n.args)})",
            ast.Paren: lambda n: f"({self.print(n.expr)})",
            ast.Not: lambda n: f"NOT {self.wrap(n.operand, NOT)}",
            ast.Neg: lambda n: f"-{self.wrap(n.operand, UNARY)}",
            ast.And: lambda n: " AND ".join(self.wrap(o, AND + 1) for o in n.operands),
            ast.Or: lambda n: " OR ".join(self.wrap(o, OR + 1) for o in n.operands),
            ast.Binary: self.binary,
            ast.Compare: lambda n: f"{self.wrap(n.left, ADD)} {n.op} {self.wrap(n.right, ADD)}",
            ast.InList: lambda n: f"{self.wrap(n.operand, ADD)} {self.neg(n)}IN ({self.items(n.items)})",
            ast.Between: lambda n: (
                f"{self.wrap(n.operand, ADD)} {self.neg(n)}BETWEEN {self.wrap(n.low, ADD)} AND {self.wrap(n.high, ADD)}"
            ),
            ast.Like: self.like,
            ast.RLike: lambda n: (
                f"{self.wrap(n.operand, ADD)} {self.neg(n)}RLIKE {self.wrap(n.pattern, ADD)}"
            ),
            ast.Matches: lambda n: (
                f"{self.wrap(n.operand, ADD)} {self.neg(n)}MATCHES {self.print(n.pattern)}"
            ),
            ast.IsNull: lambda n: f"{self.wrap(n.operand, ADD)} IS {self.neg(n)}NULL",
        }

    def print(self, node: ast.Expr) -> str:
        return self.handlers[type(node)](node)

    def wrap(self, node: ast.Expr, minimum: int) -> str:
        text = self.print(node)
        return f"({text})" if precedence(node) < minimum else text

    def items(self, nodes: tuple[ast.Expr, ...]) -> str:
        return ", ".join(self.print(n) for n in nodes)

    @staticmethod
    def neg(node: ast.Expr) -> str:
        return "NOT " if node.negated else ""

    def binary(self, node: ast.Binary) -> str:
        level = BINARY_PRECEDENCE[node.op]
        return f"{self.wrap(node.left, level)} {node.op} {self.wrap(node.right, level + 1)}"

    def like(self, node: ast.Like) -> str:
        text = f"{self.wrap(node.operand, ADD)} {self.neg(node)}LIKE {self.wrap(node.pattern, ADD)}"
        return text + (f" ESCAPE {quote(node.escape)}" if node.escape is not None else "")


def format_expression(expr: ast.Expr) -> str:
    """Canonical text of an expression; comments and original spacing are not kept."""
    lenient = any(
        isinstance(node, ast.String) and ends_with_odd_backslashes(node.value) for node in expr.walk()
    )
    return Printer(escape_both=lenient).print(expr)
