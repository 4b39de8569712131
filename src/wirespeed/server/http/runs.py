"""RFC 2544 suites run by the daemon on its own ports, watched from the page.

The suite's rules live above the server (``wirespeed.rfc2544_suite``); the daemon
is handed a :data:`SuiteFactory` that makes the service parsing and running them
on its tester. A run reserves its ports for the asking owner first (a port owned
by someone else refuses the run with that owner's name) and releases them at its
end; its progress is told after every trial.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from wirespeed.errors import OwnershipError, StateError, WirespeedError
from wirespeed.service import Tester

__all__ = ["Runs", "SuiteFactory", "SuiteService"]

_log = logging.getLogger("wirespeed.server.http")

Progress = Callable[[dict[str, Any]], None]


class SuiteService(Protocol):
    """Parses and runs RFC 2544 suites on one tester."""

    def parse(self, data: Any) -> Any:
        """The suite from its file's content (raises ConfigError naming the
        field)."""

    def ports(self, suite: Any) -> list[int]:
        """The ports a suite sends or receives on."""

    def run(self, suite: Any, progress: Progress) -> dict[str, Any]:
        """Run it; ``progress`` after every trial (raising from it stops the
        run). Returns the results (schema of ``wirespeed.rfc2544_suite``)."""


SuiteFactory = Callable[[Tester, Any], SuiteService]


class _Cancelled(Exception):
    pass


class Runs:
    """The RFC 2544 runs of this daemon: running, done or failed."""

    def __init__(self, service: SuiteService | None, tester: Tester) -> None:
        self._service = service
        self._tester = tester
        self._runs: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def served(self) -> bool:
        """Whether this daemon runs suites."""
        return self._service is not None

    def submit(self, data: Any, owner: str) -> dict[str, Any]:
        """Check ``data``, reserve its ports for ``owner`` and start the run.

        Raises:
            StateError: this daemon does not run suites.
            ConfigError: the suite is invalid (naming the field).
            OwnershipError: a port is owned by someone else.
        """
        if self._service is None:
            raise StateError("this daemon does not run RFC 2544 suites")
        suite = self._service.parse(data)
        ports = self._service.ports(suite)
        self._reserve(ports, owner)
        rid = next(self._ids)
        run: dict[str, Any] = {
            "id": rid,
            "owner": owner,
            "ports": ports,
            "state": "running",
            "started_ns": time.time_ns(),
            "finished_ns": None,
            "progress": {"done": 0, "planned": 0},
            "last_trial": None,
            "error": None,
            "results": None,
        }
        with self._lock:
            self._runs[rid] = run
        t = threading.Thread(
            target=self._run, args=(run, suite), name=f"rfc2544-{rid}", daemon=True
        )
        self._threads.append(t)
        t.start()
        return self.summary(rid)

    def _reserve(self, ports: list[int], owner: str) -> None:
        taken: list[int] = []
        try:
            for p in ports:
                res = self._tester.reservation(p)
                if res is not None:
                    if res.owner != owner:
                        raise OwnershipError(
                            f"port {p} is owned by {res.owner}", port=p
                        )
                    continue
                self._tester.reserve(p, owner, f"rfc2544:{owner}")
                taken.append(p)
        except BaseException:
            for p in taken:
                self._tester.relinquish(p)
            raise

    def _run(self, run: dict[str, Any], suite: Any) -> None:
        assert self._service is not None

        def progress(event: dict[str, Any]) -> None:
            with self._lock:
                run["progress"] = {"done": event["done"], "planned": event["planned"]}
                run["last_trial"] = event
            if self._closing.is_set():
                raise _Cancelled

        try:
            results = self._service.run(suite, progress)
        except _Cancelled:
            self._end(run, "cancelled", "the daemon stopped", None)
        except WirespeedError as exc:
            self._end(run, "failed", str(exc), None)
        except Exception as exc:  # the daemon goes on; the run says why it ended
            _log.exception("RFC 2544 run %s failed", run["id"])
            self._end(run, "failed", f"{type(exc).__name__}: {exc}", None)
        else:
            self._end(run, "done", None, results)
        finally:
            for p in run["ports"]:
                res = self._tester.reservation(p)
                if res is not None and res.session == f"rfc2544:{run['owner']}":
                    self._tester.relinquish(p)

    def _end(
        self, run: dict[str, Any], state: str, error: str | None, results: Any
    ) -> None:
        with self._lock:
            run.update(
                state=state,
                error=error,
                results=results,
                finished_ns=time.time_ns(),
            )

    def summary(self, rid: int) -> dict[str, Any]:
        """A run without its results (KeyError: no such run)."""
        with self._lock:
            run = self._runs[rid]
            return {k: v for k, v in run.items() if k != "results"}

    def list(self) -> list[dict[str, Any]]:
        """Every run's summary, oldest first."""
        with self._lock:
            ids = sorted(self._runs)
        return [self.summary(i) for i in ids]

    def get(self, rid: int) -> dict[str, Any]:
        """A run with its results (KeyError: no such run)."""
        with self._lock:
            return dict(self._runs[rid])

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop the running suites at their next trial's end."""
        self._closing.set()
        deadline = time.monotonic() + timeout_s
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
