"""Sigma import: Sigma rules -> Cloud SIEM match expressions and detection content with fixtures.

Public surface below; reading and writing files is the CLI's (deployer/cli/sigma.py).
"""

from __future__ import annotations

from .convert import to_cse_expression
from .detection import Conversion, convert, detection_id, dump_detection, fixture_verdicts, to_detection
from .errors import SigmaError, SigmaUnsupported
from .events import normalize_event
from .rule import FieldMatch, LogSource, Selection, SigmaRule, parse_sigma

__all__ = [
    "Conversion",
    "FieldMatch",
    "LogSource",
    "Selection",
    "SigmaError",
    "SigmaRule",
    "SigmaUnsupported",
    "convert",
    "detection_id",
    "dump_detection",
    "fixture_verdicts",
    "normalize_event",
    "parse_sigma",
    "to_cse_expression",
    "to_detection",
]
