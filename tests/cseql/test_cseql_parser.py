"""Tokenizer, parser and printer: shapes, precedence, lexical rules, spans and syntax errors."""

from __future__ import annotations

import pytest

from deployer.cseql import ExpressionSyntaxError, ast, format_expression, parse
from deployer.diagnostics import Severity


def roundtrip(text: str) -> ast.Expr:
    expr = parse(text)
    assert parse(format_expression(expr)) == expr
    return expr


def test_precedence_or_and_not_predicate():
    expr = roundtrip("NOT a = 1 AND b LIKE 'x%' OR c IS NOT NULL")
    assert isinstance(expr, ast.Or)
    first, second = expr.operands
    assert isinstance(first, ast.And) and isinstance(first.operands[0], ast.Not)
    assert isinstance(first.operands[0].operand, ast.Compare)
    assert second == ast.IsNull(ast.Field("c"), negated=True)


def test_keywords_and_symbols_are_case_insensitive_synonyms():
    assert parse("a = 1 and b = 2 AnD c = 3") == parse("a = 1 && b = 2 && c = 3")
    assert parse("a = 1 or b = 2") == parse("a = 1 || b = 2")
    assert parse("not a = 1") == parse("!a = 1") == parse("NOT a = 1")
    assert parse("a is not Null") == parse("a IS NOT NULL")
    assert parse("a <> 1") == parse("a != 1") and parse("a == 1") == parse("a = 1")
    assert parse("success = True") == ast.Compare("=", ast.Field("success"), ast.Boolean(True))


def test_negated_infix_forms():
    assert parse("a NOT IN (1, 2)") == ast.InList(
        ast.Field("a"), (ast.Number(1), ast.Number(2)), negated=True
    )
    assert parse("a not like 'x'").negated and parse("a NOT RLIKE 'x'").negated
    assert parse("a !matches /x/") == parse("a NOT MATCHES /x/")
    assert parse("a NOT BETWEEN 1 AND 2").negated


def test_between_bounds_and_unary_minus():
    expr = roundtrip("severity between -0.699 and -0.600 AND x = 1")
    between = expr.operands[0]
    assert between.low == ast.Neg(ast.Number(0.699)) and between.high == ast.Neg(ast.Number(0.6))


def test_quotes_and_backslashes_are_verbatim():
    assert parse(r"""x = "\"foo\"" """).right.value == '"foo"'
    assert parse(r"x = 'it\'s'").right.value == "it's"
    assert parse(r"x like '%\temp\%'").pattern.value == "%\\temp\\%"
    assert parse(r"x rlike 'software\\(?:microsoft'").pattern.value == "software\\\\(?:microsoft"
    assert parse(r"x = 'C:\\'").right.value == "C:\\\\"


def test_string_ending_in_backslash_is_read_leniently():
    expr = roundtrip("a like ':\\Program Files (x86)\\' AND b = \"it\\'s\"")
    assert expr.operands[0].pattern.value == ":\\Program Files (x86)\\"
    assert expr.operands[1].right.value == "it's"


def test_regex_literal_only_after_matches():
    expr = roundtrip(r"x MATCHES /\\services\.exe$/ AND y matches /a\/b/")
    assert expr.operands[0].pattern == ast.Regex(r"\\services\.exe$")
    assert expr.operands[1].pattern.source == r"a\/b"
    assert parse("a / 2 > 1").left == ast.Binary("/", ast.Field("a"), ast.Number(2))
    assert parse('x matches "wild*card"').pattern == ast.String("wild*card")


def test_field_references():
    assert parse("fields['EventData.TargetImage']") == ast.Index(
        ast.Field("fields"), ast.String("EventData.TargetImage")
    )
    assert parse('fields["x"]') == parse("fields['x']")
    assert parse("fields.yaraStatus") == ast.Member(ast.Field("fields"), "yaraStatus")
    assert parse("bro_smb_command.status") == ast.Member(ast.Field("bro_smb_command"), "status")
    assert parse("arr[0]") == ast.Index(ast.Field("arr"), ast.Number(0))
    assert parse("fields.in") == ast.Member(ast.Field("fields"), "in")


def test_calls_lists_comments_and_suffixes():
    expr = roundtrip("/* GPResult */ lower(commandLine) RLIKE '\\bgpresult\\b' /* end */")
    assert expr.operand == ast.Call("lower", (ast.Field("commandLine"),))
    call = roundtrip("hasThreatMatch([a, b], confidence =< 74, active_indicators)")
    assert call.args[0] == ast.ListExpr((ast.Field("a"), ast.Field("b")))
    assert call.args[1].op == "<="
    assert parse("x > 5m").right.value == 300_000 and parse("x > 2Ki").right.value == 2048
    assert format_expression(parse("x > 5m")) == "x > 5m"


def test_parentheses_are_kept_and_printed():
    text = "NOT (a = 1 OR b = 2) AND (c rlike ('x|y'))"
    assert format_expression(parse(text)) == text.replace("rlike", "RLIKE")
    assert isinstance(parse("(a)"), ast.Paren)


def test_printer_adds_parentheses_for_built_trees():
    tree = ast.And((ast.Or((ast.Field("a"), ast.Field("b"))), ast.Field("c")))
    assert format_expression(tree) == "(a OR b) AND c"
    assert (
        format_expression(ast.Binary("-", ast.Field("a"), ast.Binary("-", ast.Field("b"), ast.Field("c"))))
        == "a - (b - c)"
    )


def test_node_spans_are_one_based_and_relative_to_the_expression():
    expr = parse("a = 1\n  AND lower(b) LIKE 'x%'")
    like = expr.operands[1]
    assert (like.span.line, like.span.column) == (2, 7)
    assert like.pattern.span.offset == len("a = 1\n  AND lower(b) LIKE ")
    assert like.span.length == len("lower(b) LIKE 'x%'")


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("a = 'abc", "CSE101", 1, 5),
        ("a matches /abc", "CSE102", 1, 11),
        ("a = 1 /* x", "CSE103", 1, 7),
        ("a = 1 // note", "CSE104", 1, 7),
        ("(a = 1\nAND b = 2", "CSE105", 1, 1),
        ("a = 1)", "CSE105", 1, 6),
        ("x matches 'glob*'", "CSE106", 1, 11),
        ("x matches", "CSE106", 1, 3),
        ("a = 1 # 2", "CSE107", 1, 7),
        ("a > 10x", "CSE109", 1, 5),
        ("a = 1 AND", "CSE100", 1, 10),
        ("a = = 1", "CSE100", 1, 5),
        ("a IN ()", "CSE100", 1, 6),
        ("a BETWEEN 1 OR 2", "CSE100", 1, 13),
        ("a = 1 b = 2", "CSE100", 1, 7),
        ("a IS 'x'", "CSE100", 1, 6),
        ("", "CSE100", 1, 1),
    ],
)
def test_syntax_errors_carry_code_and_position(text, code, line, column):
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    error = caught.value
    assert (error.code, error.line, error.column) == (code, line, column)
    diagnostic = error.diagnostic
    assert diagnostic.severity is Severity.ERROR and diagnostic.code == code
    assert diagnostic.span.line == line and error.message


def test_deep_nesting_is_an_error_not_a_crash():
    for text in ("(" * 5000 + "a" + ")" * 5000, "NOT " * 5000 + "a", "-" * 5000 + "1", "a" + " + a" * 3000):
        with pytest.raises(ExpressionSyntaxError) as caught:
            parse(text)
        assert caught.value.code == "CSE108"
    long_chain = " AND ".join(f"f{i} = {i}" for i in range(3000))
    assert len(parse(long_chain).operands) == 3000


def test_tokenizer_types_and_values():
    from deployer.cseql.tokens import TokenType, tokenize

    tokens = tokenize('x !matches /a\\/b/ && y =< 5m /* c */ || "q\\""')
    kinds = [t.type for t in tokens]
    assert kinds == [
        TokenType.IDENT,
        TokenType.BANG,
        TokenType.MATCHES,
        TokenType.REGEX,
        TokenType.AND,
        TokenType.IDENT,
        TokenType.LE,
        TokenType.NUMBER,
        TokenType.OR,
        TokenType.STRING,
        TokenType.EOF,
    ]
    assert tokens[3].text == "a\\/b" and tokens[9].text == 'q"' and tokens[9].quote == '"'
    assert tokens[4].span.column == 19
