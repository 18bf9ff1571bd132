"""Positions: spans inside string values map back to the right file line and column."""

from deployer.content.parameters import parameter_names, substitute
from deployer.content.yamlpos import load_document
from deployer.diagnostics import Span

TEXT = """search:
  query: |
    _sourceCategory=x
    | eval y = 1
  one_line: "abc | eval z"
created: 2026-12-04
"""


def test_block_scalar_lines_map_to_file_lines():
    doc = load_document(TEXT, "d.yaml")
    # query line 2, column 3 ('eval') is file line 4, column 7
    assert doc.text_span(("search", "query"), Span(2, 3)) == Span(4, 7)


def test_quoted_scalar_columns_include_the_quote():
    doc = load_document(TEXT, "d.yaml")
    assert doc.text_span(("search", "one_line"), Span(1, 7)) == Span(5, 20)


def test_dates_stay_strings():
    assert load_document(TEXT, "d.yaml").data["created"] == "2026-12-04"


def test_parameters_only_declared_names_are_substituted():
    text = "_sourceCategory={{win_source}} | {{SearchName}}"
    assert parameter_names(text) == {"win_source", "SearchName"}
    assert substitute(text, {"win_source": "prod/win"}) == "_sourceCategory=prod/win | {{SearchName}}"
