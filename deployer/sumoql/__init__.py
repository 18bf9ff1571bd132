"""Sumo log-search language: parse, print, lint and evaluate queries offline.

Owns the public surface of the sumoql package; callers import from here, not from the modules.
"""

from deployer.sumoql.ast import Query
from deployer.sumoql.errors import CannotEvaluateOffline, QuerySyntaxError
from deployer.sumoql.evaluate import EvalResult, EventTrace, Pipeline, StageStep, compile_query
from deployer.sumoql.lint import lint
from deployer.sumoql.parser import parse
from deployer.sumoql.printer import format_query

__all__ = [
    "CannotEvaluateOffline", "EvalResult", "EventTrace", "Pipeline", "Query", "QuerySyntaxError", "StageStep",
    "compile_query", "format_query", "lint", "parse",
]
