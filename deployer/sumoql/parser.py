"""Recursive-descent parser from Sumo log-search text to the AST in `ast.py`.

Owns the grammar (scope, operators, expressions) and syntax errors with positions and hints;
it does not judge style or semantics (lint.py) nor run queries (evaluate.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from deployer.sumoql import ast as a
from deployer.sumoql.errors import QuerySyntaxError
from deployer.sumoql.tokens import Mode, Token, Tokenizer, TokenType

T = TokenType

MAX_NESTING = 40  # parentheses, calls, subqueries: keeps the Python stack safe
MAX_DEPTH = 200  # depth of any expression tree (long arithmetic chains)

CODE_SYNTAX = "SQL100"
CODE_UNKNOWN_OPERATOR = "SQL101"
CODE_TOO_DEEP = "SQL102"

AGGREGATES = frozenset({
    "count", "count_distinct", "count_frequent", "sum", "avg", "min", "max", "stddev", "median", "pct",
    "first", "last", "most_recent", "least_recent", "values",
})

# Operators Sumo documents that are kept as name + argument tokens (evaluate.py reads the arguments
# of the few it runs: withtime, total, accum, fillmissing).
GENERIC_OPERATORS = frozenset({
    "accum", "backshift", "bin", "cat", "compare", "compose", "diff", "fillmissing", "filter", "geoip",
    "infer", "join", "logcompare", "logexplain", "logreduce", "merge", "outlier", "predict", "rollingstd",
    "save", "sessionize", "smooth", "threatip", "threatlookup", "topk", "total", "trace", "transaction",
    "transactionize", "transpose", "withtime", "asn", "parsehex", "timecompare",
})

# Words people bring from other query languages, with the Sumo way to say it.
FOREIGN_OPERATORS: dict[str, str] = {
    "eval": "Sumo assigns with '<expression> as <field>', e.g. 'toLowerCase(process_image) as process_lower'",
    "let": "Sumo assigns with '<expression> as <field>'",
    "set": "Sumo assigns with '<expression> as <field>'",
    "rename": "copy a field with '<field> as <new_name>'",
    "search": "put keywords in the scope before the first pipe, or use '| where ...'",
    "stats": "aggregate with e.g. '| count by host' or '| sum(bytes) as total by host'",
    "table": "choose output fields with '| fields a, b'",
    "head": "use '| limit N'",
    "rex": "use '| parse regex \"(?<name>...)\"'",
    "spath": "use '| json \"path\" as field'",
    "project": "use '| fields a, b'",
    "extend": "use '<expression> as <field>'",
    "summarize": "aggregate with e.g. '| count by host'",
}

COMPARISONS = {T.EQ: "=", T.EQEQ: "=", T.NEQ: "!=", T.LTGT: "!=", T.LT: "<", T.GT: ">", T.LTE: "<=", T.GTE: ">="}
ADDITIVE = {T.PLUS: "+", T.MINUS: "-"}
MULTIPLICATIVE = {T.STAR: "*", T.SLASH: "/", T.PERCENT: "%"}
TIME_UNITS = ("ms", "s", "m", "h", "d", "w")
STAGE_END = frozenset({T.PIPE, T.EOF, T.RBRACKET})
PAREN_DEPTH = {T.LPAREN: 1, T.RPAREN: -1}
BRACKET_DEPTH = {T.LPAREN: 1, T.SUBQUERY: 1, T.LBRACKET: 1, T.RPAREN: -1, T.RBRACKET: -1}
# One-token operands, and what may follow an operand to extend it: `_parse_expression` and
# `_parse_additive` skip the precedence levels for a lone operand (most function arguments).
LEAVES = frozenset({T.NUMBER, T.STRING, T.PARAM, T.ESCAPED_FIELD, T.IDENT})
ARITHMETIC = frozenset({*ADDITIVE, *MULTIPLICATIVE})
CONTINUES = frozenset({*COMPARISONS, *ARITHMETIC, T.QUESTION, T.ANDAND, T.OROR})
CONTINUE_WORDS = frozenset({"and", "or", "matches", "contains", "in", "not"})
NO_WORDS: frozenset[str] = frozenset()
_PLAIN_EVAL = re.compile(r"eval\s+([A-Za-z_][\w.]*)\s*=\s*(.+)", re.I | re.S)


class Parser:
    """Parses one query. With `collect=True`, a stage that fails becomes `Invalid` and parsing
    goes on at the next pipe; the errors are in `errors` (the linter uses this)."""

    def __init__(self, text: str, *, collect: bool = False) -> None:
        self.text = text
        self.tokens = Tokenizer(text)
        self.collect = collect
        self.errors: list[QuerySyntaxError] = []
        self.pos = 0
        self.mode = Mode.SCOPE
        self.tok = self.tokens.scan(0, Mode.SCOPE)  # the token at (pos, mode); _seek keeps it current
        self._nesting = 0
        self._depths: dict[int, int] = {}
        self._subquery_depth = 0

    # --- token plumbing ------------------------------------------------------------------------

    def _seek(self, pos: int, mode: Mode | None = None) -> None:
        if mode is not None:
            self.mode = mode
        self.pos = pos
        self.tok = self.tokens.scan(pos, self.mode)

    def advance(self) -> Token:
        token = self.tok
        if token.type is T.ERROR:
            self._fail_token(token)
        self._seek(token.end)
        return token

    def at(self, *types: TokenType) -> bool:
        return self.tok.type in types

    def at_word(self, *words: str) -> bool:
        return self.tok.word in words

    def accept(self, token_type: TokenType) -> Token | None:
        token = self.tok
        if token.type is not token_type:
            return None
        self._seek(token.end)
        return token

    def accept_word(self, *words: str) -> Token | None:
        token = self.tok
        if token.word not in words:
            return None
        self._seek(token.end)
        return token

    def expect(self, token_type: TokenType, what: str | None = None) -> Token:
        token = self.tok
        if token.type is not token_type:
            self.fail(f"expected {what or repr(token_type.value)}, found {describe(token)}", token)
        return self.advance()

    def expect_word(self, word: str) -> Token:
        token = self.tok
        if not self.at_word(word):
            self.fail(f"expected '{word}', found {describe(token)}", token)
        return self.advance()

    def span_from(self, start: int) -> a.Span:
        return self.tokens.span(start, self.pos)

    def fail(self, message: str, token: Token, hint: str | None = None, code: str = CODE_SYNTAX):
        if token.type is T.ERROR:
            self._fail_token(token)
        raise QuerySyntaxError(code, message, self.tokens.span(token.offset, token.end), hint)

    def _fail_token(self, token: Token):
        message, hint = f"unexpected character {token.text!r}", None
        if token.text == '"':
            message, hint = ("unterminated string: a '\"' has no closing quote",
                             'close the string, and escape quotes inside it as \\"')
        elif token.text == "/*":
            message = "unterminated comment: '/*' has no closing '*/'"
        raise QuerySyntaxError(CODE_SYNTAX, message, self.tokens.span(token.offset, token.end), hint)

    def _enter(self, token: Token) -> None:
        self._nesting += 1
        if self._nesting > MAX_NESTING:
            self.fail(f"query nested more than {MAX_NESTING} levels deep", token,
                      "flatten the expression or compute parts in earlier pipes", CODE_TOO_DEEP)

    def _leave(self) -> None:
        self._nesting -= 1

    def _tree(self, node, start_token: Token, *kids):
        depths = self._depths
        depth = 1
        for kid in kids:
            kid_depth = depths.get(id(kid), 1)
            if kid_depth >= depth:
                depth = kid_depth + 1
        if depth > MAX_DEPTH:
            self.fail(f"expression nested more than {MAX_DEPTH} levels deep", start_token,
                      "split the expression over several pipes", CODE_TOO_DEEP)
        self._depths[id(node)] = depth
        return node

    # --- query and scope -----------------------------------------------------------------------

    def parse(self) -> a.Query:
        query = self._parse_query()
        token = self.tok
        if token.type is not T.EOF:
            self.fail(f"unexpected {describe(token)}", token)
        return query

    def _parse_query(self) -> a.Query:
        start = self.pos
        self._seek(self.pos, Mode.SCOPE)
        scope = None if self.at(T.PIPE, T.EOF) else self._parse_scope_or()
        if not self.at(T.PIPE, T.EOF) and not (self._subquery_depth and self.at(T.RBRACKET)):
            token = self.tok
            self.fail(f"unexpected {describe(token)} in the search scope", token,
                      "operators come after a pipe: 'scope | operator ...'")
        self._seek(self.pos, Mode.EXPR)
        stages = []
        while self.accept(T.PIPE):
            stages.append(self._parse_stage_guarded())
        return a.Query(scope, tuple(stages), self.span_from(start))

    def _parse_scope_or(self) -> a.ScopeExpr:
        start = self.pos
        operands = [self._parse_scope_and()]
        while self.accept_word("or"):
            operands.append(self._parse_scope_and())
        return operands[0] if len(operands) == 1 else a.ScopeBool("or", tuple(operands), self.span_from(start))

    def _starts_scope_term(self) -> bool:
        token = self.tok
        if token.type is T.WORD:
            return token.text.lower() not in ("or", "and")
        return token.type in (T.STRING, T.LPAREN, T.BANG, T.ESCAPED_FIELD, T.SUBQUERY)

    def _parse_scope_and(self) -> a.ScopeExpr:
        start = self.pos
        operands = [self._parse_scope_not()]
        while True:
            if self.accept_word("and"):
                operands.append(self._parse_scope_not())
            elif self._starts_scope_term():
                operands.append(self._parse_scope_not())
            else:
                break
        return operands[0] if len(operands) == 1 else a.ScopeBool("and", tuple(operands), self.span_from(start))

    def _parse_scope_not(self) -> a.ScopeExpr:
        start = self.pos
        token = self.tok
        if token.type is T.BANG or self.at_word("not"):
            self.advance()
            self._enter(token)
            operand = self._parse_scope_not()
            self._leave()
            return a.ScopeNot(operand, self.span_from(start))
        return self._parse_scope_primary()

    def _parse_scope_primary(self) -> a.ScopeExpr:
        start = self.pos
        token = self.advance()
        if token.type is T.LPAREN:
            self._enter(token)
            inner = self._parse_scope_or()
            self._leave()
            self.expect(T.RPAREN, "')' to close the group")
            return inner
        if token.type is T.SUBQUERY:
            return self._parse_subquery(token)
        if token.type is T.STRING:
            return a.Keyword(token.text[1:-1], True, self.span_from(start))
        if token.type in (T.WORD, T.ESCAPED_FIELD) and self.at(T.EQ, T.NEQ):
            op = "=" if self.advance().type is T.EQ else "!="
            value = self.tok
            if value.type not in (T.WORD, T.STRING):
                self.fail(f"expected a value after '{token.text}{op}', found {describe(value)}", value)
            self.advance()
            keyword = a.Keyword(value.text[1:-1] if value.type is T.STRING else value.text,
                                value.type is T.STRING, self.tokens.span(value.offset, value.end))
            return a.FieldMatch(field_name(token), op, keyword, self.span_from(start))
        if token.type is T.WORD:
            return a.Keyword(token.text, False, self.span_from(start))
        self.fail(f"unexpected {describe(token)} in the search scope", token)

    def _parse_subquery(self, open_token: Token) -> a.Subquery:
        start = open_token.offset
        mode = self.mode
        self._seek(self.pos, Mode.EXPR)
        self._enter(open_token)
        self.expect_word("subquery")
        options = []
        while not self.at(T.COLON, T.EOF):
            options.append(self._generic_argument())
        self.expect(T.COLON, "':' after 'subquery'")
        self._subquery_depth += 1
        query = self._parse_query()
        self._subquery_depth -= 1
        self._seek(self.pos, Mode.EXPR)
        self.expect(T.RBRACKET, "']' to close the subquery")
        self._leave()
        self._seek(self.pos, mode)
        return a.Subquery(tuple(options), query, self.span_from(start))

    # --- stages --------------------------------------------------------------------------------

    def _parse_stage_guarded(self) -> a.Node:
        if not self.collect:
            return self._parse_stage()
        start = self.pos
        try:
            return self._parse_stage()
        except QuerySyntaxError as error:
            self.errors.append(error)
            self._nesting = 0
            recovered = self._recover_eval(start)
            self._skip_stage(start)
            return recovered or a.Invalid(self.text[start:self.pos].strip(), self.span_from(start))

    def _recover_eval(self, start: int) -> a.Assign | None:
        """`eval x = expr` read as `expr as x`, so the linter can still check the expression."""
        end = self._stage_end(start)
        match = _PLAIN_EVAL.fullmatch(self.text[start:end].strip())
        if not match:
            return None
        inner = Parser(self.text)
        inner._seek(start + self.text[start:end].index(match.group(2)), Mode.EXPR)
        try:
            expr = inner._parse_expression()
        except QuerySyntaxError:
            return None
        if inner.tok.type not in STAGE_END:
            return None
        self._seek(inner.pos)
        return a.Assign(expr, match.group(1), self.span_from(start))

    def _stage_end(self, start: int) -> int:
        saved = self.pos
        self._seek(start)
        self._skip_stage(start)
        end = self.pos
        self._seek(saved)
        return end

    def _skip_stage(self, start: int) -> None:
        self._seek(max(self.pos, start))
        depth = 0
        while True:
            token = self.tok
            if token.type is T.EOF or (depth == 0 and token.type in STAGE_END and
                                       (token.type is not T.RBRACKET or self._subquery_depth)):
                return
            if token.type is T.PIPE and self._starts_line(token.offset):
                return
            if token.type is T.ERROR:
                self._seek(token.end)
                continue
            depth += BRACKET_DEPTH.get(token.type, 0)
            depth = max(depth, 0)
            self._seek(token.end)

    def _starts_line(self, offset: int) -> bool:
        line_start = self.text.rfind("\n", 0, offset) + 1
        return not self.text[line_start:offset].strip()

    def _parse_stage(self) -> a.Node:
        token = self.tok
        name = token.text.lower() if token.type is T.IDENT else ""
        start = self.pos
        if name in STAGE_PARSERS:
            self.advance()
            node = STAGE_PARSERS[name](self, token)
        elif name in AGGREGATES and self._looks_like_aggregate():
            node = self._parse_aggregate()
        elif name in GENERIC_OPERATORS:
            self.advance()
            node = self._parse_generic(token)
        else:
            node = self._parse_assignment()
        end = self.tok
        if end.type not in STAGE_END or (end.type is T.RBRACKET and not self._subquery_depth):
            hint = "each operator needs its own pipe: '... | where ...'"
            if self.text[end.offset - 1:end.offset] == '"':
                hint = 'a \'"\' inside a string ends it; escape quotes inside strings as \\"'
            self.fail(f"unexpected {describe(end)} after '{self.text[start:end.offset].strip()[:40]}'", end, hint)
        return node

    def _looks_like_aggregate(self) -> bool:
        """`max(a, b) as m` is the scalar function; `max(a) by h` is the aggregate."""
        saved = self.pos
        self.advance()
        if not self.accept(T.LPAREN):
            self._seek(saved)
            return True
        depth, commas = 1, 0
        while depth and not self.at(T.EOF, T.PIPE):
            token = self.advance()
            depth += PAREN_DEPTH.get(token.type, 0)
            commas += depth == 1 and token.type is T.COMMA
        name = self.tokens.scan(saved, Mode.EXPR).text.lower()
        self._seek(saved)
        return not (name in ("min", "max") and commas == 1)

    def _parse_where(self, token: Token) -> a.Where:
        return a.Where(self._parse_expression(), self.span_from(token.offset))

    def _parse_assignment(self) -> a.Assign:
        start_token = self.tok
        start = self.pos
        expr = self._parse_expression()
        if self.accept_word("as"):
            return a.Assign(expr, self._field_name(), self.span_from(start))
        if isinstance(expr, a.Call) or self.tok.type in STAGE_END and not isinstance(expr, a.Field):
            return a.Assign(expr, None, self.span_from(start))
        if isinstance(expr, a.Field) and start_token.type is T.IDENT:
            self._unknown_operator(start_token, start)
        self.fail(f"expected 'as <field>' after the expression, found {describe(self.tok)}", self.tok,
                  "an expression pipe reads '| <expression> as <field>'")

    def _unknown_operator(self, token: Token, start: int):
        name = token.text.lower()
        hint = FOREIGN_OPERATORS.get(name)
        text = self.text[start:self._stage_end(start)].strip()
        match = _PLAIN_EVAL.fullmatch(text)
        if name == "eval" and match:
            hint = f"Sumo assigns with '<expression> as <field>', e.g. '{match.group(2).strip()} as {match.group(1)}'"
        message = f"unknown operator '{token.text}'"
        if hint and len(hint) <= 120:
            message += f" — {hint}"
        elif hint:
            message += f" — {FOREIGN_OPERATORS[name]}"
        self.fail(message, token, hint or "see the Sumo operator index for the supported operators",
                  CODE_UNKNOWN_OPERATOR)

    def _parse_parse(self, token: Token) -> a.Node:
        if self.accept_word("regex"):
            return self._parse_extract(token)
        if self.accept_word("xml"):
            generic = self._parse_generic(token)
            return a.Operator("parse xml", generic.args, generic.span)
        start = token.offset
        field = self._parse_options({})
        patterns = []
        while True:
            pattern_start = self.pos
            pattern = self._string("a quoted anchor pattern, e.g. parse \"user=*,\" as user")
            self.expect_word("as")
            names = [self._field_name()]
            while self.at(T.COMMA) and self.tokens.scan(self.tok.end, Mode.EXPR).type is not T.STRING:
                self.advance()
                names.append(self._field_name())
            patterns.append(a.AnchorPattern(pattern, tuple(names), self.span_from(pattern_start)))
            if not self.accept(T.COMMA):
                break
        nodrop = "nodrop" in self._parse_options({"nodrop": False})
        return a.ParseAnchor(tuple(patterns), field.get("field"), nodrop, self.span_from(start))

    def _parse_extract(self, token: Token) -> a.ParseRegex:
        start = token.offset
        options = self._parse_options({"multi": False, "nodrop": False})
        pattern = self._string("a quoted regular expression with a named group (?<name>...)")
        options.update(self._parse_options({"multi": False, "nodrop": False}))
        return a.ParseRegex(pattern, options.get("field"), "multi" in options, "nodrop" in options,
                            self.span_from(start))

    def _at_field_option(self) -> bool:
        return self.at_word("field") and self.tokens.scan(self.tok.end, Mode.EXPR).type is T.EQ

    def _field_option(self) -> str:
        """`field=<name>`: the name (the caller checked `_at_field_option`)."""
        self.advance()
        self.advance()
        return self._field_name()

    def _parse_options(self, flags: dict[str, bool]) -> dict[str, str | None]:
        """`field=<name>` and bare flag words, in any order."""
        found: dict[str, str | None] = {}
        while True:
            if self._at_field_option():
                found["field"] = self._field_option()
            elif self.at_word(*flags):
                found[self.advance().text.lower()] = None
            else:
                return found

    def _parse_json(self, token: Token) -> a.Json:
        start = token.offset
        paths, aliases, flags = [], [], []
        field, nodrop, auto, maxdepth = None, False, False, None
        while not self.at(*STAGE_END):
            if self.at(T.STRING):
                paths.append(self._string("a JSON key"))
                self.accept(T.COMMA)
            elif self._at_field_option():
                field = self._field_option()
            elif self.accept_word("nodrop"):
                nodrop = True
            elif self.accept_word("auto"):
                auto = True
            elif self.at_word("keys", "refonly", "extractarrays"):
                flags.append(self.advance().text.lower())
            elif self.accept_word("maxdepth"):
                maxdepth = int(self.expect(T.NUMBER, "a number after maxdepth").text)
            elif self.accept_word("as"):
                aliases = self._field_list()
            else:
                self.fail(f"unexpected {describe(self.tok)} in json", self.tok,
                          'json [field=<f>] "key1", "key2" [as a, b] [nodrop]')
        if not paths and not auto:
            self.fail("json needs at least one quoted key, or 'auto'", token)
        return a.Json(tuple(paths), tuple(aliases), field, nodrop, auto, tuple(flags), maxdepth,
                      self.span_from(start))

    def _parse_keyvalue(self, token: Token) -> a.KeyValue:
        start = token.offset
        keys, aliases, flags = [], [], []
        field, nodrop, auto, regex, delim = None, False, False, None, None
        while not self.at(*STAGE_END):
            if self._at_field_option():
                field = self._field_option()
            elif self.accept_word("nodrop"):
                nodrop = True
            elif self.accept_word("auto"):
                auto = True
            elif self.accept_word("regex"):
                regex = self._string("a quoted regular expression")
            elif self.accept_word("delim"):
                delim = self._string("a quoted delimiter")
            elif self.at_word("infer", "keys", "refonly"):
                flags.append(self.advance().text.lower())
            elif self.accept_word("as"):
                aliases = self._field_list()
            elif self.at(T.STRING):
                keys.append(self._string("a key"))
                self.accept(T.COMMA)
            else:
                self.fail(f"unexpected {describe(self.tok)} in keyvalue", self.tok)
        return a.KeyValue(tuple(keys), tuple(aliases), field, nodrop, auto, regex, delim, tuple(flags),
                          self.span_from(start))

    def _parse_split(self, token: Token) -> a.Split:
        start = token.offset
        field = self._field_name()
        options = []
        while not self.at_word("extract"):
            name = self.expect(T.IDENT, "an option such as delim=':' or 'extract'").text.lower()
            self.expect(T.EQ)
            value = self.advance()
            if value.type not in (T.CHAR, T.STRING):
                self.fail(f"expected a quoted character after {name}=", value)
            options.append((name, value.text))
            self.accept(T.COMMA)
        self.expect_word("extract")
        extractions = []
        while True:
            item_start = self.pos
            if self.at(T.NUMBER):
                index = int(self.advance().text)
                self.expect_word("as")
                extractions.append(a.Extraction(index, self._field_name(), self.span_from(item_start)))
            else:
                extractions.append(a.Extraction(None, self._field_name(), self.span_from(item_start)))
            if not self.accept(T.COMMA):
                break
        return a.Split(token.text.lower(), field, tuple(options), tuple(extractions), self.span_from(start))

    def _parse_fields(self, token: Token) -> a.Fields:
        start = token.offset
        mode = ""
        if self.at(T.MINUS, T.PLUS):
            mode = self.advance().text
        return a.Fields(mode, tuple(self._field_refs()), self.span_from(start))

    def _sort_keys(self) -> list[a.SortKey]:
        keys = []
        while True:
            start = self.pos
            direction = None
            if self.at(T.PLUS, T.MINUS):
                direction = "asc" if self.advance().type is T.PLUS else "desc"
            expr = self._parse_additive()
            if self.at_word("asc", "desc"):
                direction = self.advance().text.lower()
            keys.append(a.SortKey(expr, direction, self.span_from(start)))
            if not self.accept(T.COMMA):
                return keys

    def _parse_sort(self, token: Token) -> a.Sort:
        if not self.accept_word("by") and self.at(*STAGE_END):
            return a.Sort((), self.span_from(token.offset))
        return a.Sort(tuple(self._sort_keys()), self.span_from(token.offset))

    def _count(self, what: str) -> a.Number | a.Param:
        token = self.tok
        if token.type is T.NUMBER:
            self.advance()
            return a.Number(token.text, self.tokens.span(token.offset, token.end))
        if token.type is T.PARAM:
            self.advance()
            return a.Param(token.text[2:-2], self.tokens.span(token.offset, token.end))
        self.fail(f"expected {what}, found {describe(token)}", token)

    def _parse_limit(self, token: Token) -> a.Limit:
        return a.Limit(self._count("a number after limit"), self.span_from(token.offset))

    def _parse_top(self, token: Token) -> a.Top:
        count = self._count("a number after top, e.g. 'top 10 user'")
        fields = [a.Field(self._field_name())]
        while self.accept(T.COMMA):
            fields.append(a.Field(self._field_name()))
        by = tuple(self._sort_keys()) if self.accept_word("by") else ()
        return a.Top(count, tuple(fields), by, self.span_from(token.offset))

    def _parse_dedup(self, token: Token) -> a.Dedup:
        consecutive = bool(self.accept_word("consecutive"))
        count = int(self.advance().text) if self.at(T.NUMBER) else None
        by = ()
        if self.accept_word("by"):
            by = tuple(self._field_refs())
        return a.Dedup(consecutive, count, by, self.span_from(token.offset))

    def _parse_lookup(self, token: Token) -> a.Lookup:
        outputs = []
        if self.accept(T.STAR):
            outputs.append(a.LookupOutput("*", None))
        else:
            while True:
                start = self.pos
                name = self._field_name()
                alias = self._field_name() if self.accept_word("as") else None
                outputs.append(a.LookupOutput(name, alias, self.span_from(start)))
                if not self.accept(T.COMMA):
                    break
        self.expect_word("from")
        table_start = self.tok.offset
        while not self.at_word("on"):
            if self.at(*STAGE_END):
                self.fail("expected 'on <event field>=<table field>' after the lookup table", self.tok)
            self.advance()
        table = self.text[table_start:self.pos].strip()
        if not table:
            self.fail("expected a lookup table location after 'from'", self.tok)
        self.expect_word("on")
        pairs = []
        while True:
            left = self._field_name()
            right = self._field_name() if self.accept(T.EQ) or self.accept(T.EQEQ) else left
            pairs.append((left, right))
            if not self.accept(T.COMMA):
                break
        return a.Lookup(tuple(outputs), table, tuple(pairs), self.span_from(token.offset))

    def _parse_timeslice(self, token: Token) -> a.Timeslice:
        self.accept_word("by")
        size = self._count("a bucket size, e.g. 'timeslice 5m'")
        if isinstance(size, a.Number) and size.text.isdigit() and self.at_word(*TIME_UNITS):
            size = a.Number(size.text + self.advance().text, self.span_from(size.span.offset))
        buckets = bool(self.accept_word("buckets"))
        alias = self._field_name() if self.accept_word("as") else None
        return a.Timeslice(size, buckets, alias, self.span_from(token.offset))

    def _parse_aggregate(self) -> a.Aggregate:
        start = self.pos
        calls = []
        while True:
            call_start = self.pos
            name_token = self.advance()
            name = name_token.text.lower()
            if name not in AGGREGATES:
                self.fail(f"expected an aggregate function (count, sum, ...), found {describe(name_token)}",
                          name_token)
            parens = bool(self.accept(T.LPAREN))
            args: tuple[a.Expr, ...] = ()
            if parens:
                self._enter(name_token)
                args = tuple(self._arguments())
                self._leave()
            elif name == "count_frequent":
                args = tuple(self._field_refs())
            alias = self._field_name() if self.accept_word("as") else None
            calls.append(a.AggCall(name, args, alias, parens, self.span_from(call_start)))
            if not self.accept(T.COMMA):
                break
        by = ()
        if self.accept_word("group"):
            self.expect_word("by")
            by = tuple(self._field_refs())
        elif self.accept_word("by") or self.at(T.IDENT, T.ESCAPED_FIELD):
            by = tuple(self._field_refs())
        return a.Aggregate(tuple(calls), by, self.span_from(start))

    def _parse_generic(self, token: Token) -> a.Operator:
        args = []
        depth = 0
        while True:
            current = self.tok
            if current.type is T.EOF or (depth == 0 and current.type in STAGE_END):
                break
            depth += BRACKET_DEPTH.get(current.type, 0)
            if depth < 0:
                self.fail(f"unexpected {describe(current)}", current)
            args.append(self._generic_argument())
        return a.Operator(token.text.lower(), tuple(args), self.span_from(token.offset))

    def _generic_argument(self) -> str:
        token = self.tok
        if token.type is T.SLASH and (regex := self.tokens.regex_literal(token.offset)) and " " not in regex.text:
            self._seek(regex.end)
            return regex.text
        return self.advance().text

    # --- names ---------------------------------------------------------------------------------

    def _field_name(self) -> str:
        token = self.tok
        if token.type in (T.IDENT, T.ESCAPED_FIELD, T.PARAM, T.STAR):
            self.advance()
            return field_name(token)
        if token.type is T.NUMBER and token.text.isdigit():
            self.advance()
            return token.text
        self.fail(f"expected a field name, found {describe(token)}", token)

    def _field_list(self) -> list[str]:
        names = [self._field_name()]
        while self.accept(T.COMMA):
            names.append(self._field_name())
        return names

    def _field_refs(self) -> list[a.Field]:
        refs = []
        while True:
            start = self.pos
            refs.append(a.Field(self._field_name(), self.span_from(start)))
            if not self.accept(T.COMMA):
                return refs

    def _string(self, what: str) -> a.String:
        token = self.tok
        if token.type is not T.STRING:
            self.fail(f"expected {what}, found {describe(token)}", token)
        self.advance()
        return a.String(token.text[1:-1], self.tokens.span(token.offset, token.end))

    # --- expressions ---------------------------------------------------------------------------

    def _lone_operand(self, token: Token, continues: frozenset[TokenType], words: frozenset[str]) -> bool:
        following = self.tokens.scan(token.end, Mode.EXPR)
        return (following.type not in continues and following.word not in words
                and (token.type is not T.IDENT or following.type is not T.LPAREN))

    def _parse_expression(self) -> a.Expr:
        start_token = self.tok
        if (start_token.type in LEAVES and start_token.word != "not"
                and self._lone_operand(start_token, CONTINUES, CONTINUE_WORDS)):
            return self._parse_primary()
        start = self.pos
        condition = self._parse_or()
        if not self.accept(T.QUESTION):
            return condition
        self._enter(start_token)
        then = self._parse_expression()
        self.expect(T.COLON, "':' in the ternary 'condition ? a : b'")
        otherwise = self._parse_expression()
        self._leave()
        node = a.Ternary(condition, then, otherwise, self.span_from(start))
        return self._tree(node, start_token, condition, then, otherwise)

    def _parse_logical(self, op: str, symbol: TokenType, operand: Callable[[], a.Expr]) -> a.Expr:
        start_token = self.tok
        start = self.pos
        operands = [operand()]
        while self.at_word(op) or self.at(symbol):
            self.advance()
            operands.append(operand())
        if len(operands) == 1:
            return operands[0]
        return self._tree(a.Logical(op, tuple(operands), self.span_from(start)), start_token, *operands)

    def _parse_or(self) -> a.Expr:
        return self._parse_logical("or", T.OROR, self._parse_and)

    def _parse_and(self) -> a.Expr:
        return self._parse_logical("and", T.ANDAND, self._parse_not)

    def _parse_not(self) -> a.Expr:
        token = self.tok
        if token.type is T.BANG or (self.at_word("not") and not self._next_is_word(token, "in")):
            self.advance()
            self._enter(token)
            operand = self._parse_not()
            self._leave()
            return self._tree(a.Unary("not", operand, self.span_from(token.offset)), token, operand)
        return self._parse_comparison()

    def _next_is_word(self, token: Token, word: str) -> bool:
        following = self.tokens.scan(token.end, Mode.EXPR)
        return following.type is T.IDENT and following.word == word

    def _parse_comparison(self) -> a.Expr:
        start_token = self.tok
        start = self.pos
        left = self._parse_additive()
        token = self.tok
        if token.type in COMPARISONS:
            self.advance()
            right = self._parse_additive()
            return self._tree(a.Binary(COMPARISONS[token.type], left, right, self.span_from(start)),
                              start_token, left, right)
        word = token.text.lower() if token.type is T.IDENT else ""
        if word in ("matches", "contains"):
            self.advance()
            right = self._parse_additive()
            return self._tree(a.Binary(word, left, right, self.span_from(start)), start_token, left, right)
        negated = word == "not" and self._next_is_word(token, "in")
        if word == "in" or negated:
            self.advance()
            if negated:
                self.advance()
            open_token = self.expect(T.LPAREN, "'(' after in")
            self._enter(open_token)
            items = tuple(self._arguments())
            self._leave()
            return self._tree(a.In(left, items, negated, self.span_from(start)), start_token, left, *items)
        return left

    def _parse_binary(self, table: dict[TokenType, str], operand: Callable[[], a.Expr]) -> a.Expr:
        start_token = self.tok
        start = self.pos
        left = operand()
        while self.tok.type in table:
            op = table[self.advance().type]
            right = operand()
            left = self._tree(a.Binary(op, left, right, self.span_from(start)), start_token, left, right)
        return left

    def _parse_additive(self) -> a.Expr:
        token = self.tok
        if token.type in LEAVES and self._lone_operand(token, ARITHMETIC, NO_WORDS):
            return self._parse_primary()
        return self._parse_binary(ADDITIVE, self._parse_multiplicative)

    def _parse_multiplicative(self) -> a.Expr:
        return self._parse_binary(MULTIPLICATIVE, self._parse_unary)

    def _parse_unary(self) -> a.Expr:
        token = self.tok
        if token.type is T.MINUS:
            self.advance()
            self._enter(token)
            operand = self._parse_unary()
            self._leave()
            return self._tree(a.Unary("-", operand, self.span_from(token.offset)), token, operand)
        if token.type is T.BANG:
            return self._parse_not()
        return self._parse_primary()

    def _parse_primary(self) -> a.Expr:
        token = self.tok
        kind = token.type
        if kind is T.SLASH:
            regex = self.tokens.regex_literal(token.offset)
            if regex is None:
                self.fail("unterminated regular expression: '/' has no closing '/'", token,
                          "write a regex as /pattern/ and escape '/' inside it as '\\/'")
            self._seek(regex.end)
            return a.Regex(regex.text[1:-1], self.tokens.span(regex.offset, regex.end))
        self.advance()
        if kind is T.IDENT and self.tok.type is T.LPAREN:
            self.advance()
            self._enter(token)
            args = tuple(self._arguments())
            self._leave()
            return self._tree(a.Call(token.text, args, self.span_from(token.offset)), token, *args)
        if kind in LEAVES or kind is T.STAR:
            span = self.tokens.span(token.offset, token.end)
            if kind is T.IDENT:
                if token.word in ("true", "false"):
                    return a.Bool(token.word == "true", span)
                return a.Field(token.text, span)
            if kind is T.NUMBER:
                return a.Number(token.text, span)
            if kind is T.STRING:
                return a.String(token.text[1:-1], span)
            if kind is T.PARAM:
                return a.Param(token.text[2:-2], span)
            return a.Field(field_name(token), span)
        if kind is T.LPAREN:
            self._enter(token)
            inner = self._parse_expression()
            self._leave()
            self.expect(T.RPAREN, "')'")
            return inner
        if kind is T.SUBQUERY:
            return self._parse_subquery(token)
        if kind is T.ERROR:
            self._fail_token(token)
        self.fail(f"expected a value, field or function, found {describe(token)}", token)

    def _arguments(self) -> list[a.Expr]:
        """Comma-separated expressions up to and including the closing ')'."""
        if self.accept(T.RPAREN):
            return []
        args = [self._parse_expression()]
        while self.accept(T.COMMA):
            args.append(self._parse_expression())
        self.expect(T.RPAREN, "')' to close the argument list")
        return args


# Operators with a grammar of their own (the printer parenthesises expressions that start with one).
STAGE_PARSERS: dict[str, Callable[[Parser, Token], a.Node]] = {
    "where": Parser._parse_where,
    "parse": Parser._parse_parse,
    "extract": Parser._parse_extract,
    "json": Parser._parse_json,
    "keyvalue": Parser._parse_keyvalue,
    "kv": Parser._parse_keyvalue,
    "csv": Parser._parse_split,
    "split": Parser._parse_split,
    "fields": Parser._parse_fields,
    "sort": Parser._parse_sort,
    "order": Parser._parse_sort,
    "limit": Parser._parse_limit,
    "top": Parser._parse_top,
    "dedup": Parser._parse_dedup,
    "lookup": Parser._parse_lookup,
    "timeslice": Parser._parse_timeslice,
}


def field_name(token: Token) -> str:
    if token.type is T.ESCAPED_FIELD:
        text = token.text[1:].lstrip()
        return text[1:-1].replace('\\"', '"') if text.startswith('"') else text
    return token.text


def describe(token: Token) -> str:
    if token.type is T.EOF:
        return "the end of the query"
    if token.type in (T.STRING, T.IDENT, T.WORD, T.NUMBER):
        return f"'{token.text[:40]}'"
    return f"'{token.text}'"


def parse(text: str) -> a.Query:
    """Parse a whole query; raise QuerySyntaxError at the first error."""
    return Parser(text).parse()


def parse_collecting(text: str) -> tuple[a.Query | None, list[QuerySyntaxError]]:
    """Parse, replacing stages that fail by `Invalid` nodes; the scope must parse."""
    parser = Parser(text, collect=True)
    try:
        query = parser.parse()
    except QuerySyntaxError as error:
        return None, [*parser.errors, error]
    return query, parser.errors
