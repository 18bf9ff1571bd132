"""The shared Java-regex translator: Java-only syntax, groups, positions and errors."""

import re

import pytest

from deployer.javaregex import RegexError, compile_java, groups, translate


@pytest.mark.parametrize(("java", "matches", "misses"), [
    (r"a\z", ["a"], ["a\n"]),
    (r"a\Z", ["a", "a\n"], ["ab"]),
    (r"a\hb", ["a b", "a\u3000b"], ["a\nb"]),
    (r"a\Hb", ["axb"], ["a b"]),
    (r"a\vb", ["a\nb", "a\u2028b"], ["a b"]),
    (r"a\Vb", ["a b"], ["a\rb"]),
    (r"^a\Rb$", ["a\r\nb", "a\nb"], ["a b"]),
    (r"\e", ["\x1b"], ["e"]),
    (r"[\h\e]+", [" \t\x1b\u3000"], ["x"]),
    (r"\Qa.b(\E+", ["a.b((("], ["axb("]),
    (r"[\Q]-\E]", ["]", "-"], ["a"]),
    (r"\x{1F600}", ["\U0001f600"], ["x"]),
    (r"^[\w-]+$", ["a-b_c"], ["a b"]),
    (r"^[\d-x]+$", ["1-x"], ["y"]),
    (r"^[]a]+$", ["]a]"], ["b"]),
    (r"(?<word>\w+) \k<word>", ["hey hey"], ["hi you"]),
    (r"(?<user_name>\w+)", ["x"], [""]),
    (r"^\p{Lower}\p{Upper}\p{Digit}\p{Punct}$", ["aB1!"], ["AB1!"]),
    (r"^\p{Alpha}\p{Alnum}\p{XDigit}\p{Space}$", ["a1F "], ["11F "]),
    (r"^\p{ASCII}$", ["~"], ["é"]),
    (r"^\P{Alpha}$", ["1"], ["a"]),
    (r"^\p{L}+$", ["héllo"], ["h3llo"]),
    (r"^\pL\PL$", ["a1"], ["ab"]),
    (r"^[\P{L}x]+$", ["x1_"], ["a"]),
    (r"^\p{IsAlphabetic}\p{IsLetter}\p{IsDigit}\p{IsL}$", ["aé1c"], ["a1bc"]),
    (r"^\p{N}\p{Nd}$", ["12"], ["1a"]),
    (r"^[\p{Lower}\p{Digit}]+$", ["a1"], ["A"]),
])
def test_java_only_syntax_is_translated(java, matches, misses):
    regex = compile_java(java)
    assert all(regex.search(text) for text in matches)
    assert not any(regex.search(text) for text in misses)


@pytest.mark.parametrize(("java", "python"), [
    ("(?i)abc", "(?i)abc"),
    ("x(?i)LICE", "x(?i:LICE)"),
    ("(a(?i)b)c", "(a(?i:b))c"),
    ("a(?i)b|c", "a(?i:b)|(?i:c)"),  # the flags outlive `|`, the alternation stays on top
    ("(?i-s)x", "(?i-s:x)"),
    ("(?s)a.(?i)b", "(?s)a.(?i:b)"),
    ("(?i:)bed", "(?i:)bed"),
    ("(?iu)x(?d)y", "(?i)xy"),  # u and d have no Python switch
    ("(?<name>x)", "(?P<name>x)"),
])
def test_inline_flags_and_named_groups(java, python):
    assert translate(java).python == python


def test_mid_pattern_flags_apply_to_the_rest_of_their_group():
    regex = compile_java("x(?i)LICE")
    assert regex.fullmatch("xlice") and not regex.fullmatch("Xlice")
    assert compile_java("(a(?i)b)B").fullmatch("aBB") and not compile_java("(a(?i)b)B").fullmatch("abb")
    assert compile_java("a(?i)b|c").fullmatch("C") and not compile_java("a(?i)b|c").fullmatch("aC")


@pytest.mark.parametrize(("java", "message", "index"), [
    ("x(?P<tool>y)", "(?P<name>...) is Python syntax; Java writes a named group (?<name>...)", 1),
    ("(?P=x)", "(?P...) is Python syntax", 0),
    (r"ab\G", r"\G (end of previous match) is not supported", 2),
    (r"\X", r"\X (grapheme cluster) is not supported", 0),
    (r"(?<a>\p{InGreek})", r"Unicode/POSIX property \p{InGreek} is not supported", 5),
    (r"\p{lower}", r"Unicode/POSIX property \p{lower}", 0),  # Java names are case-sensitive
    (r"[\p{L}0-9]", r"\p{L} inside a character class is not supported", 1),
    (r"[\s&&[^\r]]", "character class intersection '&&'", 3),
    ("[a[b]]", "nested character class", 2),
        (r"[\H]", r"\H inside a character class", 1),
    ("(?q)x", "unknown inline flag 'q'", 0),
    (r"\h+(x", "missing ), unterminated subpattern", 3),
    (r"\Qa(\Eb[", "unterminated character set", 7),
    ("abc\\", "bad escape (end of pattern)", 3),
    ("x{99999999999}", "repetition number is too large", None),
])
def test_errors_carry_a_message_and_the_java_index(java, message, index):
    with pytest.raises(RegexError) as raised:
        compile_java(java)
    assert message in raised.value.message and raised.value.index == index
    assert str(raised.value) == raised.value.message + ("" if index is None else f" at position {index}")


def test_translation_lists_what_python_cannot_run_and_maps_positions():
    translation = translate(r"\h(?<a>\G)\X")
    assert [index for index, _ in translation.problems] == [7, 10]
    assert translation.errors == ()
    translation = translate(r"\hx(")
    assert translation.java_index(translation.python.index("x(")) == 2
    assert translation.java_index(len(translation.python)) == len(r"\hx(")


def test_a_translation_compiles_past_what_java_rejects_with_java_positions():
    # the linter reports (?P< itself and still wants the positions of later errors in the original text
    translation = translate(r"(?P<u>a)\hx")
    assert [index for index, _ in translation.errors] == [0]
    assert translation.compile().fullmatch("a x")
    with pytest.raises(RegexError) as raised:
        translate(r"(?P<u>a)\h[x").compile()
    assert raised.value.index == 10


def test_compile_java_takes_re_flags_and_caches():
    assert compile_java("abc", re.IGNORECASE).fullmatch("ABC")
    assert compile_java("abc") is compile_java("abc")


def test_groups_skip_escapes_quotes_and_classes():
    found = groups(r"(?<a>x(?<b>y))(z)(?:w)(?=q)(?<!r)[(]\((\Q(\E)(?P<c>d)")
    assert [(g.kind, g.name, g.start, g.inside_named) for g in found] == [
        ("named", "a", 0, None), ("named", "b", 6, "a"), ("capturing", None, 14, None),
        ("non-capturing", None, 17, None), ("lookaround", None, 22, None), ("lookaround", None, 27, None),
        ("capturing", None, 38, None), ("python-named", "c", 45, None),
    ]
    assert [g.start for g in groups("[^]( ](x)")] == [6]
