"""Fixtures of the TRex front-end unit tests: a front end on a fake tester."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from trex_env import API_H, Env
from trex_fake_tester import FakeTester

from wirespeed.server.trex.dispatch import Dispatcher
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.methods import build_method_table


@pytest.fixture
def env() -> Iterator[Env]:
    tester = FakeTester()
    fe = TrexFrontEnd(
        tester, clock=lambda: 1000.0, api_h=API_H, read_mtu=lambda s: 1500
    )
    yield Env(tester, fe, Dispatcher(fe, build_method_table()))
    fe.close()
