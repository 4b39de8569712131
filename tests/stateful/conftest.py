"""Shared case builders for the stateful tests (addresses in 198.18.0.0/15)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

DEMO: dict[str, Any] = {
    "servers": [
        {
            "talk_point": {
                "to_bridge": "virbr25",
                "gw": "198.18.25.16",
                "ip": "198.18.25.110/24",
            },
            "traffic": [
                {
                    "name": "s1",
                    "ip": "198.18.25.110",
                    "ssl": True,
                    "server_name": "www.sharepoint.com",
                    "flow_mode": "sym",
                    "no_print": True,
                }
            ],
        }
    ],
    "clients": [
        {
            "talk_point": {
                "to_bridge": "virbr24",
                "gw": "198.18.24.15",
                "ip": "198.18.24.110/24",
            },
            "traffic": [
                {
                    "s_name": "s1",
                    "no_print": True,
                    "client_sum": 1000,
                    "client_delay": 0,
                    "client_concur": 5,
                }
            ],
        }
    ],
}


@pytest.fixture
def demo() -> dict[str, Any]:
    """A fresh copy of the seed's demo case (198.18.x addresses)."""
    return copy.deepcopy(DEMO)
