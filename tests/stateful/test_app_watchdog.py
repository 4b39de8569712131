from __future__ import annotations

import asyncio
import time

from wirespeed.stateful.watchdog import Watchdog


def test_deadline_cancels_and_is_told_apart_from_a_stop() -> None:
    async def main() -> list[str]:
        dog = Watchdog(0.05)
        dog.start()
        seen: list[str] = []

        async def waiter(armed: bool) -> None:
            task = asyncio.current_task()
            assert task is not None
            if armed:
                dog.arm(task, time.monotonic_ns())
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                if dog.expired(task):
                    seen.append("timeout")
                    await asyncio.sleep(0)  # un-cancelled: it can go on awaiting
                    seen.append("went on")
                else:
                    seen.append("stopped")
                    raise
            finally:
                dog.disarm(task)

        timed = asyncio.create_task(waiter(True))
        stopped = asyncio.create_task(waiter(False))
        await timed
        assert not stopped.done()
        stopped.cancel()
        await asyncio.gather(stopped, return_exceptions=True)
        dog.close()
        return seen

    assert asyncio.run(main()) == ["timeout", "went on", "stopped"]


def test_rearming_keeps_a_busy_task_alive() -> None:
    async def main() -> int:
        dog = Watchdog(0.1)
        dog.start()
        task = asyncio.current_task()
        assert task is not None
        steps = 0
        for _ in range(6):  # 6 x 40 ms > the 100 ms timeout, but each step is short
            dog.arm(task, time.monotonic_ns())
            await asyncio.sleep(0.04)
            steps += 1
        dog.disarm(task)
        await asyncio.sleep(0.15)  # disarmed: no deadline
        dog.close()
        return steps

    assert asyncio.run(main()) == 6
