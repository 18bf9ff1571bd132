"""Library content (v2 Content API): folders, personal folder, path lookups and the async
import/export/delete jobs with polling. Definitions are Sumo's sync-definition dicts, untouched.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import quote

from deployer.api.errors import JobFailed, JobTimeout

if TYPE_CHECKING:
    from deployer.api.client import SumoClient


class Content:
    """Folder/Content dicts as Sumo returns them: `{id, name, itemType, parentId, children?, ...}`."""

    def __init__(self, client: SumoClient):
        self._client = client

    def personal_folder(self) -> dict:
        return self._client.get("v2/content/folders/personal")

    def get_folder(self, folder_id: str) -> dict:
        return self._client.get(f"v2/content/folders/{folder_id}")

    def create_folder(self, name: str, parent_id: str, description: str = "") -> dict:
        body = {"name": name, "parentId": parent_id, "description": description}
        return self._client.request("POST", "v2/content/folders", json=body)

    def update_folder(self, folder_id: str, name: str, description: str | None = None) -> dict:
        body = {"name": name} | ({"description": description} if description is not None else {})
        return self._client.put(f"v2/content/folders/{folder_id}", body)

    def get_by_path(self, path: str) -> dict:
        """Content at a Library path, e.g. `/Library/Users/me@example.com/Detections`."""
        return self._client.get("v2/content/path", {"path": path})

    def path_of(self, content_id: str) -> str:
        return self._client.get(f"v2/content/{quote(content_id)}/path")["path"]

    def import_item(self, folder_id: str, definition: dict, *, overwrite: bool = False) -> str:
        """Import a sync definition into a folder and wait; returns the new content id.

        With overwrite=False a name clash fails the job (JobFailed); the start POST is then not
        retried (AmbiguousWriteError on an unclear answer). overwrite=True is safe to retry.
        """
        job = self._client.request("POST", f"v2/content/folders/{folder_id}/import", json=definition,
                                   params={"overwrite": str(overwrite).lower()}, idempotent=overwrite)["id"]
        status = self.wait(f"v2/content/folders/{folder_id}/import/{job}/status")
        return (status.get("statusMessage") or "").split(":", 1)[-1].strip()

    def export_item(self, content_id: str) -> dict:
        """The content's sync definition (folders include `children`)."""
        job = self._client.request("POST", f"v2/content/{content_id}/export", idempotent=True)["id"]
        self.wait(f"v2/content/{content_id}/export/{job}/status")
        return self._client.get(f"v2/content/{content_id}/export/{job}/result")

    def delete_item(self, content_id: str) -> None:
        job = self._client.delete(f"v2/content/{content_id}/delete")
        if job is not None:  # None: a retried DELETE found it already gone
            self.wait(f"v2/content/{content_id}/delete/{job['id']}/status")

    def wait(self, status_path: str) -> dict:
        """Poll an async job until `Success` (returns the status) or `Failed` (JobFailed)."""
        deadline = time.monotonic() + self._client.job_timeout
        while True:
            status = self._client.get(status_path)
            if status["status"] == "Success":
                return status
            if status["status"] == "Failed":
                error = status.get("error") or status.get("errors") or {}
                raise JobFailed(f"job {status_path} failed: {error.get('code', '?')}: {error.get('message', '')}",
                                body=status, method="GET", url=status_path)
            if time.monotonic() >= deadline:
                raise JobTimeout(f"job {status_path} still {status['status']} after {self._client.job_timeout}s",
                                 body=status, method="GET", url=status_path)
            time.sleep(self._client.job_poll_interval)
