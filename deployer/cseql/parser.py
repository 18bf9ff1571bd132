"""Parser: tokens -> AST, with a span on every node and ExpressionSyntaxError on bad input.

Owns grammar and precedence (OR < AND < NOT < predicates < + - < * / < unary - < postfix);
it does not check names or types (lint.py does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from deployer.diagnostics import Span

from . import ast
from .errors import ExpressionSyntaxError
from .tokens import Token, Tokenizer, TokenType, number_value

MAX_NESTING = 40
"""Parentheses / NOT / unary minus nesting accepted; deeper input is an error, never a RecursionError."""

MAX_DEPTH = 150
"""AST depth accepted (long arithmetic chains nest too); every later stage recurses at most this deep."""

T = TokenType

COMPARISONS: dict[TokenType, str] = {T.EQ: "=", T.NEQ: "!=", T.LT: "<", T.LE: "<=", T.GT: ">", T.GE: ">="}
ADDITIVE: dict[TokenType, str] = {T.PLUS: "+", T.MINUS: "-"}
MULTIPLICATIVE: dict[TokenType, str] = {T.STAR: "*", T.SLASH: "/"}

DESCRIBE: dict[TokenType, str] = {T.EOF: "end of expression", T.STRING: "string", T.NUMBER: "number"}


def describe(token: Token) -> str:
    return DESCRIBE.get(token.type) or repr(token.text)


class Parser:
    def __init__(self, text: str) -> None:
        self.tokenizer = Tokenizer(text)
        self.tokens = self.tokenizer.tokenize()
        self.pos = 0
        self.nesting = 0
        # Predicate keywords that may follow an operand (optionally after NOT / !).
        self.predicates: dict[TokenType, Callable[[ast.Expr, bool, Token], ast.Expr]] = {
            T.IN: self._parse_in,
            T.BETWEEN: self._parse_between,
            T.LIKE: self._parse_like,
            T.RLIKE: self._parse_rlike,
            T.MATCHES: self._parse_matches,
        }
        self.primaries: dict[TokenType, Callable[[Token], ast.Expr]] = {
            T.NUMBER: lambda tok: ast.Number(number_value(tok.text), tok.text, span=tok.span),
            T.STRING: lambda tok: ast.String(tok.text, tok.quote, span=tok.span),
            T.TRUE: lambda tok: ast.Boolean(True, span=tok.span),
            T.FALSE: lambda tok: ast.Boolean(False, span=tok.span),
            T.NULL: lambda tok: ast.Null(span=tok.span),
            T.IDENT: self._parse_name,
            T.LPAREN: self._parse_paren,
            T.LBRACKET: self._parse_list,
        }

    # Token helpers -----------------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.type is not T.EOF:
            self.pos += 1
        return token

    def match(self, *types: TokenType) -> Token | None:
        return self.advance() if self.current.type in types else None

    def expect(self, kind: TokenType, what: str, hint: str | None = None) -> Token:
        if self.current.type is kind:
            return self.advance()
        raise self.unexpected(f"expected {what}", hint)

    def unexpected(self, expected: str, hint: str | None = None) -> ExpressionSyntaxError:
        token = self.current
        if token.type is T.RPAREN:
            return ExpressionSyntaxError(
                "CSE105", "unmatched ')'", token.span, hint or "remove it or add '('"
            )
        return ExpressionSyntaxError("CSE100", f"{expected}, found {describe(token)}", token.span, hint)

    def span_from(self, start: Span) -> Span:
        """Span from `start` to the end of the last consumed token."""
        last = self.tokens[self.pos - 1].span if self.pos else start
        end = last.offset + last.length
        return Span(start.line, start.column, start.offset, max(0, end - start.offset))

    def nested(self, start: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionSyntaxError(
                "CSE108", f"expression nested deeper than {MAX_NESTING} levels", start.span, "simplify it"
            )

    # Grammar ----------------------------------------------------------------------------------

    def parse(self) -> ast.Expr:
        expr = self._parse_or()
        if self.current.type is not T.EOF:
            raise self.unexpected("expected AND, OR or end of expression")
        check_depth(expr)
        return expr

    def _parse_chain(self, kind: TokenType, node: type, operand: Callable[[], ast.Expr]) -> ast.Expr:
        start = self.current.span
        operands = [operand()]
        while self.match(kind):
            operands.append(operand())
        if len(operands) == 1:
            return operands[0]
        return node(tuple(operands), span=self.span_from(start))

    def _parse_or(self) -> ast.Expr:
        return self._parse_chain(T.OR, ast.Or, self._parse_and)

    def _parse_and(self) -> ast.Expr:
        return self._parse_chain(T.AND, ast.And, self._parse_not)

    def _parse_not(self) -> ast.Expr:
        start = self.current
        if start.type in (T.NOT, T.BANG):
            self.advance()
            self.nested(start)
            operand = self._parse_not()
            self.nesting -= 1
            return ast.Not(operand, span=self.span_from(start.span))
        return self._parse_predicate()

    def _parse_predicate(self) -> ast.Expr:
        start = self.current.span
        left = self._parse_additive()
        token = self.current
        if token.type in COMPARISONS:
            self.advance()
            right = self._parse_additive()
            return ast.Compare(COMPARISONS[token.type], left, right, span=self.span_from(start))
        if token.type is T.IS:
            self.advance()
            negated = self.match(T.NOT) is not None
            self.expect(T.NULL, "NULL after IS" + (" NOT" if negated else ""))
            return ast.IsNull(left, negated, span=self.span_from(start))
        negated = token.type in (T.NOT, T.BANG) and self.peek().type in self.predicates
        if negated:
            self.advance()
        handler = self.predicates.get(self.current.type)
        if handler is None:
            return left
        node = handler(left, negated, self.advance())
        return replace(node, span=self.span_from(start))

    def _parse_in(self, left: ast.Expr, negated: bool, _: Token) -> ast.Expr:
        opening = self.expect(T.LPAREN, "'(' after IN", "write IN ('a', 'b')")
        items = self._parse_items(opening, T.RPAREN, "')'")
        if not items:
            raise ExpressionSyntaxError("CSE100", "IN needs at least one value", opening.span)
        return ast.InList(left, items, negated)

    def _parse_between(self, left: ast.Expr, negated: bool, _: Token) -> ast.Expr:
        low = self._parse_additive()
        self.expect(T.AND, "AND between the bounds of BETWEEN", "write x BETWEEN 1 AND 10")
        high = self._parse_additive()
        return ast.Between(left, low, high, negated)

    def _parse_like(self, left: ast.Expr, negated: bool, _: Token) -> ast.Expr:
        pattern = self._parse_additive()
        escape = None
        if self.match(T.ESCAPE):
            token = self.expect(T.STRING, "a one-character string after ESCAPE")
            if len(token.text) != 1:
                raise ExpressionSyntaxError("CSE100", "ESCAPE takes exactly one character", token.span)
            escape = token.text
        return ast.Like(left, pattern, negated, escape)

    def _parse_rlike(self, left: ast.Expr, negated: bool, _: Token) -> ast.Expr:
        return ast.RLike(left, self._parse_additive(), negated)

    def _parse_matches(self, left: ast.Expr, negated: bool, keyword: Token) -> ast.Expr:
        token = self.current
        if token.type is T.REGEX:
            self.advance()
            return ast.Matches(left, ast.Regex(token.text, span=token.span), negated)
        if token.type is T.STRING and token.quote == '"':
            self.advance()
            return ast.Matches(left, ast.String(token.text, '"', span=token.span), negated)
        raise ExpressionSyntaxError(
            "CSE106",
            f"MATCHES must be followed by /regex/ or a double-quoted wildcard, found {describe(token)}",
            token.span if token.type is not T.EOF else keyword.span,
            'write x MATCHES /re/ for a regex, or x MATCHES "wild*card"',
        )

    def _parse_binary(self, ops: dict[TokenType, str], operand: Callable[[], ast.Expr]) -> ast.Expr:
        start = self.current.span
        left = operand()
        while self.current.type in ops:
            op = ops[self.advance().type]
            left = ast.Binary(op, left, operand(), span=self.span_from(start))
        return left

    def _parse_additive(self) -> ast.Expr:
        return self._parse_binary(ADDITIVE, self._parse_multiplicative)

    def _parse_multiplicative(self) -> ast.Expr:
        return self._parse_binary(MULTIPLICATIVE, self._parse_unary)

    def _parse_unary(self) -> ast.Expr:
        start = self.current
        if start.type is T.MINUS:
            self.advance()
            self.nested(start)
            operand = self._parse_unary()
            self.nesting -= 1
            return ast.Neg(operand, span=self.span_from(start.span))
        return self._parse_postfix()

    def _parse_postfix(self) -> ast.Expr:
        start = self.current.span
        expr = self._parse_primary()
        while True:
            opening = self.match(T.LBRACKET)
            if opening:
                self.nested(opening)
                key = self._parse_or()
                self._close(opening, T.RBRACKET, "']'")
                self.nesting -= 1
                expr = ast.Index(expr, key, span=self.span_from(start))
            elif self.match(T.DOT):
                name = self.advance()
                if name.type in (T.STRING, T.REGEX, T.EOF) or not (
                    name.text[:1].isalnum() or name.text[:1] == "_"
                ):
                    raise ExpressionSyntaxError("CSE100", "expected a name after '.'", name.span)
                expr = ast.Member(expr, name.text, span=self.span_from(start))
            else:
                return expr

    def _parse_primary(self) -> ast.Expr:
        token = self.current
        handler = self.primaries.get(token.type)
        if handler is None:
            raise self.unexpected("expected a value, field or function")
        self.advance()
        return handler(token)

    def _parse_name(self, token: Token) -> ast.Expr:
        if self.current.type is not T.LPAREN:
            return ast.Field(token.text, span=token.span)
        opening = self.advance()
        args = self._parse_items(opening, T.RPAREN, "')'")
        return ast.Call(token.text, args, span=self.span_from(token.span))

    def _parse_paren(self, opening: Token) -> ast.Expr:
        self.nested(opening)
        inner = self._parse_or()
        self._close(opening, T.RPAREN, "')'")
        self.nesting -= 1
        return ast.Paren(inner, span=self.span_from(opening.span))

    def _parse_list(self, opening: Token) -> ast.Expr:
        items = self._parse_items(opening, T.RBRACKET, "']'")
        return ast.ListExpr(items, span=self.span_from(opening.span))

    def _parse_items(self, opening: Token, closing: TokenType, what: str) -> tuple[ast.Expr, ...]:
        """Comma-separated expressions up to `closing` (the opening token is consumed)."""
        self.nested(opening)
        items: list[ast.Expr] = []
        if self.current.type is not closing:
            items.append(self._parse_or())
            while self.match(T.COMMA):
                items.append(self._parse_or())
        self._close(opening, closing, what)
        self.nesting -= 1
        return tuple(items)

    def _close(self, opening: Token, closing: TokenType, what: str) -> None:
        if self.current.type is closing:
            self.advance()
            return
        if self.current.type is T.EOF:
            raise ExpressionSyntaxError(
                "CSE105",
                f"missing {what} for {opening.text!r} opened at {opening.span.line}:{opening.span.column}",
                opening.span,
                f"add {what}",
            )
        raise self.unexpected(f"expected ',' or {what}")


def check_depth(expr: ast.Expr) -> None:
    """Reject trees deeper than MAX_DEPTH without recursing."""
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionSyntaxError(
                "CSE108", f"expression nested deeper than {MAX_DEPTH} levels", node.span, "simplify it"
            )
        stack.extend((child, depth + 1) for child in node.children())


def parse(text: str) -> ast.Expr:
    """Parse one Cloud SIEM expression; raises ExpressionSyntaxError with code, line, column and hint."""
    return Parser(text).parse()
