"""A start is refused, naming the port and stream, when a stream cannot be built
as the port's sender would build it; nothing starts then. A stream checked once
is not compiled again while it is unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wirespeed import service
from wirespeed.errors import ValidationError
from wirespeed.model import FrameLength, Stream
from wirespeed.service import PortState, buildcheck
from wirespeed.service.fake import FakeDataplane, fake_config

GOOD = Stream(packet=bytes(42), tpld_id=1, length=FrameLength.fixed(128))
TOO_SHORT = Stream(packet=bytes(60), tpld_id=2, length=FrameLength.fixed(64))


@pytest.fixture
def tester() -> Iterator[service.Tester]:
    with service.Tester(fake_config(2), dataplane=FakeDataplane(2)) as t:
        yield t


def test_a_stream_that_cannot_be_built_refuses_the_start(
    tester: service.Tester,
) -> None:
    tester.add_stream(0, 0, GOOD)
    tester.add_stream(0, 1, TOO_SHORT)
    with pytest.raises(ValidationError) as err:
        tester.start_traffic([0, 1])
    assert str(err.value) == (
        "length.min_bytes: frames of 64 bytes cannot hold 60 header + 20 TPLD + "
        "FCS bytes (need 84)"
    )
    assert tester.port_state(0) is PortState.STREAMS  # nothing started


def test_each_stream_is_compiled_once_while_unchanged(
    tester: service.Tester, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[Stream] = []
    real = buildcheck.compile_stream

    def counting(stream: Stream, **kw: object) -> object:
        compiled.append(stream)
        return real(stream, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(buildcheck, "compile_stream", counting)
    tester.add_stream(0, 0, GOOD)
    for _ in range(3):
        tester.start_traffic([0])
        tester.stop_traffic([0])
    assert compiled == [GOOD]
    other = Stream(packet=bytes(42), tpld_id=3, length=FrameLength.fixed(100))
    tester.add_stream(0, 0, other)
    tester.start_traffic([0])
    assert compiled == [GOOD, other]
