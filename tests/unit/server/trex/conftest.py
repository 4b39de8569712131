"""Fixtures of the TRex front-end unit tests: a front end on a real tester over the
package's fake data plane."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from trex_env import API_H, Env

from wirespeed.server.trex.dispatch import Dispatcher
from wirespeed.server.trex.frontend import TrexFrontEnd
from wirespeed.server.trex.methods import build_method_table
from wirespeed.service import Tester
from wirespeed.service.fake import FakeDataplane, fake_config


@pytest.fixture
def fake() -> FakeDataplane:
    return FakeDataplane(2)


@pytest.fixture
def tester(fake: FakeDataplane) -> Iterator[Tester]:
    with Tester(fake_config(2), dataplane=fake) as t:
        yield t


@pytest.fixture
def env(tester: Tester, fake: FakeDataplane) -> Iterator[Env]:
    fe = TrexFrontEnd(
        tester, clock=lambda: 1000.0, api_h=API_H, read_mtu=lambda s: 1500
    )
    yield Env(tester, fake, fe, Dispatcher(fe, build_method_table()))
    fe.close()
