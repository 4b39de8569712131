"""The HTTP side of ``wirespeed top``: a daemon's snapshot, and port actions.

Speaks the daemon's HTTP API (``docs/http-api.md``): ``GET /api/snapshot``
reads everything; ``POST /api/ports/{i}/{action}`` with the control token and
an owner changes a port. Every failure is a :class:`~wirespeed.errors.RpcError`:
``code`` is the HTTP status of an error answer (its ``{"error"}`` message is the
exception's), or :data:`NO_ANSWER` when the daemon could not be reached.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from wirespeed.errors import ConfigError, RemoteProtocolError, RpcError, ValidationError

__all__ = ["ACTIONS", "NO_ANSWER", "DaemonClient"]

ACTIONS = ("reserve", "release", "start", "stop", "pause", "resume", "clear")
NO_ANSWER = 0
"""``RpcError.code`` when the daemon did not answer (refused, timed out)."""


@contextlib.contextmanager
def _no_answer(url: str) -> Iterator[None]:
    try:
        yield
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        raise RpcError(f"{url}: {reason}", code=NO_ANSWER) from exc


class DaemonClient:
    """Reads and controls one daemon over its HTTP API.

    Args:
        base_url: ``http://host:port`` of the daemon's HTTP front end.
        token: the control token (``Authorization: Bearer``); reading needs none.
        owner: the owner name port actions are made as.
        timeout_s: limit of one request.

    Raises:
        ValidationError: ``base_url`` is not an http(s) URL (field ``url``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        owner: str | None = None,
        timeout_s: float = 3.0,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(
                f"an http:// or https:// URL, not {base_url!r}", field="url"
            )
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self.owner = owner or None
        self.timeout_s = timeout_s
        self._session: aiohttp.ClientSession | None = None

    @property
    def can_control(self) -> bool:
        """True when both a token and an owner were given."""
        return self.token is not None and self.owner is not None

    async def snapshot(self) -> dict[str, Any]:
        """``GET /api/snapshot``: the chassis, ports, streams and TIDs."""
        return await self._request("GET", "/api/snapshot")

    async def control(self, port: int, action: str) -> dict[str, Any]:
        """``POST /api/ports/{port}/{action}`` as :attr:`owner`.

        Raises:
            ConfigError: no token or owner (field ``token`` or ``owner``).
            ValidationError: ``action`` is not one of :data:`ACTIONS`.
            RpcError: the daemon refused (its message) or did not answer.
        """
        if action not in ACTIONS:
            raise ValidationError(f"one of {', '.join(ACTIONS)}", field="action")
        if self.token is None:
            raise ConfigError("control needs the daemon's token", field="token")
        if self.owner is None:
            raise ConfigError("control needs an owner name", field="owner")
        return await self._request(
            "POST",
            f"/api/ports/{port}/{action}",
            body={"owner": self.owner},
            headers={"Authorization": f"Bearer {self.token}"},
        )

    async def close(self) -> None:
        """Close the connections (the client can be used again after)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> DaemonClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s)
            )
        url = self.base_url + path
        with _no_answer(self.base_url):
            async with self._session.request(
                method, url, json=body, headers=headers
            ) as resp:
                text = await resp.text()
                status, reason = resp.status, resp.reason or ""
        answer = _decode(text, status, method, path)
        if status >= 400:
            message = answer.get("error") or reason or f"HTTP {status}"
            raise RpcError(str(message), code=status, data=answer.get("field"))
        return answer


def _decode(text: str, status: int, method: str, path: str) -> dict[str, Any]:
    """The JSON object of an answer ({} for an empty body)."""
    if not text.strip():
        return {}
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        if status >= 400:  # a proxy's or server's own error page
            return {"error": f"HTTP {status}: {text.strip()[:200]}"}
        raise RemoteProtocolError(f"{method} {path}: not JSON ({exc})") from exc
    if not isinstance(answer, dict):
        if status >= 400:
            return {"error": f"HTTP {status}: {text.strip()[:200]}"}
        raise RemoteProtocolError(f"{method} {path}: not a JSON object")
    return answer
