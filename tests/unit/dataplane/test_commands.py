"""The workers' command poller answers as Connection.poll() does."""

import multiprocessing as mp
import time

from wirespeed.dataplane.commands import CommandPoller


def test_ready_when_a_command_waits_and_at_the_pipes_end():
    ours, theirs = mp.Pipe()
    poller = CommandPoller(ours)
    assert poller.ready() is False
    t0 = time.monotonic()
    assert poller.ready(0.02) is False
    assert time.monotonic() - t0 >= 0.015  # it waited
    theirs.send(("stop",))
    assert poller.ready() is True
    assert ours.recv() == ("stop",)
    assert poller.ready() is False
    theirs.close()  # the controller is gone: readable, and recv() says so
    assert poller.ready() is True
    try:
        ours.recv()
    except EOFError:
        pass
    else:  # pragma: no cover
        raise AssertionError("recv() after the end of the pipe")
