"""Alert digests to a Slack-compatible incoming webhook: `{"text": ...}` (Slack, Mattermost, Rocket.Chat and
Microsoft Teams' Slack-compatible connectors read it). The URL is a secret: it never reaches a log."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from trueup.domain.errors import TransientError


class WebhookNotifier:
    name = "webhook"

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self._url, self._timeout = url, timeout

    def send(self, subject: str, lines: Sequence[str]) -> None:
        text = "\n".join([f"*{subject}*", *lines])
        try:
            response = httpx.post(self._url, json={"text": text}, timeout=self._timeout)
        except httpx.HTTPError as error:
            raise TransientError(f"cannot post the alert webhook: {type(error).__name__}") from error
        if response.status_code >= 300:
            raise TransientError(f"the alert webhook answered HTTP {response.status_code}")
