"""The chassis's parts: one chassis per daemon, handed to both servers."""

from __future__ import annotations

import pytest

from wirespeed.server.xena.chassis import XenaChassis, server_chassis
from wirespeed.server.xena.profile import ChassisProfile
from wirespeed.server.xena.session import XenaSession


def test_a_server_uses_the_chassis_it_is_given(chassis, tester) -> None:
    assert server_chassis(tester, chassis, None) is chassis
    assert server_chassis(tester, chassis, chassis.profile) is chassis


def test_a_server_without_a_chassis_gets_its_own(tester) -> None:
    a = server_chassis(tester, None, None)
    b = server_chassis(tester, None, ChassisProfile(module_slots=(4, 8)))
    assert a is not b
    assert b.state.slots == (4, 8)


def test_a_chassis_with_another_profile_is_refused(chassis, tester) -> None:
    with pytest.raises(ValueError, match="another profile"):
        server_chassis(tester, chassis, ChassisProfile(module_slots=(4, 8)))


def test_sessions_are_numbered_by_their_chassis(tester) -> None:
    first, second = XenaChassis(tester), XenaChassis(tester)
    a, b, c = XenaSession("xoa"), XenaSession("cli"), XenaSession("cli")
    first.open_session(a)
    first.open_session(b)
    second.open_session(c)
    assert (a.id, b.id, c.id) == (1, 2, 1)
