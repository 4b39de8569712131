"""Fixtures of the Xena command-layer tests: a real tester over the package's fake
data plane (helpers in xena_env.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from xena_env import OPEN, fake_tester

from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.session import XenaSession
from wirespeed.service import Tester
from wirespeed.service.fake import FakeDataplane


@pytest.fixture(autouse=True)
def _close_testers() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


@pytest.fixture
def tester_and_fake() -> tuple[Tester, FakeDataplane]:
    return fake_tester()


@pytest.fixture
def tester(tester_and_fake: tuple[Tester, FakeDataplane]) -> Tester:
    return tester_and_fake[0]


@pytest.fixture
def fake(tester_and_fake: tuple[Tester, FakeDataplane]) -> FakeDataplane:
    return tester_and_fake[1]


@pytest.fixture
def chassis(tester: Tester) -> Iterator[XenaChassis]:
    c = XenaChassis(tester)
    yield c
    c.close()


@pytest.fixture
def session(chassis: XenaChassis) -> XenaSession:
    s = XenaSession("cli", "test")
    chassis.open_session(s)
    return s
