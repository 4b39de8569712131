"""A writer killed inside a counter update leaves the lock word odd: the
controller's recover() lets readers and the next writer go on."""

from __future__ import annotations

import threading

from wirespeed.dataplane.counters import CounterBlock


def test_recover_after_a_writer_died_mid_update() -> None:
    block = CounterBlock(4)
    try:
        writer = CounterBlock(4, name=block.name)
        ctx = writer.writing()
        words = ctx.__enter__()  # the writer dies here: never leaves the block
        words[0] = 7
        got: list[int] = []
        reader = threading.Thread(target=lambda: got.append(int(block.read()[0])))
        reader.daemon = True
        reader.start()
        reader.join(0.2)
        assert reader.is_alive()  # readers wait while the lock is odd
        block.recover()
        reader.join(2.0)
        assert got == [7]
        with block.writing() as w:  # the next writer's changes are seen
            w[1] = 9
        del w
        assert block.read().tolist() == [7, 9, 0, 0]
        block.recover()  # nothing to do when the lock is even
        assert block.read().tolist() == [7, 9, 0, 0]
        del words, ctx  # the dead writer's views go with it
        writer.close()
    finally:
        block.close()
