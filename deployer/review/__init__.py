"""Pull-request review: git changes -> a report of changed detections, validation, fixtures and payload diffs.

Composes content, validation, testing and render over two git revisions; it never contacts a tenant.
"""

from deployer.review.build import UnknownEnvironment, build_review
from deployer.review.git import GitError, UnknownRef
from deployer.review.render import to_json, to_markdown, to_text
from deployer.review.report import ReviewReport

__all__ = ["GitError", "ReviewReport", "UnknownEnvironment", "UnknownRef", "build_review", "to_json",
           "to_markdown", "to_text"]
