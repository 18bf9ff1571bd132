"""Rendering: content + environment -> the exact API payloads each detection becomes (pure functions).

Owns payload shapes and ownership markers; it never sends anything (deployer.api) nor plans (deployer.sync).
"""

from .cse import RenderedRule, RenderError, render_cse_rule
from .markers import marked_id, marker_tag, version_tag
from .payloads import Payload, render_payloads
from .search import description_marker, marker_in, render_monitor, render_scheduled_search

__all__ = ["Payload", "RenderError", "RenderedRule", "description_marker", "marked_id", "marker_in", "marker_tag",
           "render_cse_rule", "render_monitor", "render_payloads", "render_scheduled_search", "version_tag"]
