"""The brief as Markdown: ``?format=md`` or ``Accept: text/markdown`` (care/views.py)."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer


class MarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # The view renders the brief inside the read's transaction; this only encodes it.
        return str(data).encode()
