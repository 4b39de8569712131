"""What a person or a scraper watching the tester reads: one snapshot of the
chassis, its ports, streams and TIDs (:mod:`.snapshot`), and a history of
per-second samples of it (:mod:`.history`).

Every number is the tester's own reading (the statistics path every front end
uses); the dashboard, ``/metrics``, ``wirespeed top`` and the reports only
present it.
"""

from wirespeed.monitor.history import History, Sample, sample_of
from wirespeed.monitor.snapshot import SCHEMA, port_identity, port_view, snapshot

__all__ = [
    "SCHEMA",
    "History",
    "Sample",
    "port_identity",
    "port_view",
    "sample_of",
    "snapshot",
]
