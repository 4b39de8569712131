"""The daemon's HTTP front end: the live dashboard, the JSON API behind it,
Prometheus ``/metrics`` and the control actions (docs/http-api.md).

aiohttp serves it from a thread of its own with its own event loop; every number
is read through :mod:`wirespeed.monitor` (the tester's one statistics path).
"""

from wirespeed.server.http.server import HttpServer

__all__ = ["HttpServer"]
