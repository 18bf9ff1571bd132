"""YAML loading that remembers where every key and value came from (file line and column).

Owns turning text into plain Python data plus a position map; it does not validate anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from deployer.diagnostics import Diagnostic, Span

Path_ = tuple  # a path into the document: ("tests", 0, "expect", "match")


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: dates stay the strings the author wrote."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class ScalarText:
    """Where a string value's text starts, so spans inside it map back to the file."""

    line: int  # 1-based file line of the value's first content line
    column: int  # 1-based file column of the first content character
    block: bool  # literal/folded block scalar: every line is indented by `column - 1`


@dataclass
class Document:
    """A loaded YAML document: its data and the source position of every node."""

    data: object
    path: str
    lines: list[str]
    keys: dict[Path_, Span] = field(default_factory=dict)
    values: dict[Path_, Span] = field(default_factory=dict)
    texts: dict[Path_, ScalarText] = field(default_factory=dict)

    def span_of(self, path: Path_, *, key: bool = False) -> Span:
        """The most precise known span for `path`: the key (if asked), else the value, else the nearest parent."""
        probe = tuple(path)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if probe in self.keys:
                return self.keys[probe]
            if not probe:
                return Span(1, 1)
            probe = probe[:-1]

    def source_line(self, line: int) -> str | None:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else None

    def text_span(self, path: Path_, inner: Span) -> Span:
        """Map a span inside the string at `path` (1-based line/col within the string) to the file."""
        where = self.texts.get(tuple(path))
        if where is None:
            return self.span_of(path)
        if where.block:
            return Span(where.line + inner.line - 1, where.column + inner.column - 1, inner.offset, inner.length)
        if inner.line == 1:
            return Span(where.line, where.column + inner.column - 1, inner.offset, inner.length)
        return Span(where.line + inner.line - 1, inner.column, inner.offset, inner.length)


class YamlError(Exception):
    """The file is not valid YAML (or uses a construct content files do not allow)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _span(mark) -> Span:
    return Span(mark.line + 1, mark.column + 1, mark.index, 0)


def _scalar_text(node: yaml.ScalarNode, lines: list[str]) -> ScalarText:
    start = node.start_mark
    if node.style in ("|", ">"):
        # Content begins on the next non-empty line; its indentation is the block's.
        line_index = start.line + 1
        while line_index < len(lines) and not lines[line_index].strip():
            line_index += 1
        text = lines[line_index] if line_index < len(lines) else ""
        indent = len(text) - len(text.lstrip(" "))
        return ScalarText(line_index + 1, indent + 1, True)
    quote = 1 if node.style in ("'", '"') else 0
    return ScalarText(start.line + 1, start.column + 1 + quote, False)


def load_document(text: str, path: str) -> Document:
    """Parse one YAML document, recording positions; raise YamlError with a located diagnostic."""
    lines = text.splitlines()
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = _span(mark) if mark is not None else Span(1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(
            Diagnostic(
                "CNT001",
                f"invalid YAML: {problem}",
                span=span,
                hint="check indentation and quoting on this line; strings containing ': ' or starting with "
                "special characters such as '*', '&', '{' must be quoted",
                path=path,
            )
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(Diagnostic("CNT001", f"invalid YAML: {exc}", span=Span(1, 1), path=path)) from None
    doc = Document(data=None, path=path, lines=lines)
    if node is None:
        return doc
    constructor = _Loader(text)
    doc.data = _build(node, (), doc, constructor)
    return doc


def _build(node, path: Path_, doc: Document, constructor) -> object:
    start, end = node.start_mark, node.end_mark
    length = end.index - start.index if isinstance(node, yaml.ScalarNode) and end.line == start.line else 0
    doc.values[path] = Span(start.line + 1, start.column + 1, start.index, length)
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(
                    Diagnostic("CNT002", "mapping keys must be plain strings", span=_span(key_node.start_mark), path=doc.path)
                )
            key = constructor.construct_object(key_node)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(
                    Diagnostic("CNT002", "YAML merge keys ('<<') are not supported in content files",
                               span=_span(key_node.start_mark), path=doc.path, hint="write the keys out")
                )
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in result:
                raise YamlError(
                    Diagnostic("CNT003", f"duplicate key `{key}`", span=_span(key_node.start_mark), path=doc.path,
                               hint="each key may appear once per mapping; remove or rename one of them")
                )
            doc.keys[child] = Span(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                   key_node.start_mark.index, len(key))
            result[key] = _build(value_node, child, doc, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), doc, constructor) for index, item in enumerate(node.value)]
    value = constructor.construct_object(node)
    if isinstance(value, str):
        doc.texts[path] = _scalar_text(node, doc.lines)
    return value
