"""Counters in shared memory, written by one worker and read by the controller.

A block is a flat int64 array. Word 0 is a sequence lock: the writer makes it odd
before it changes anything and even again afterwards; a reader copies the block and
retries if the word was odd or changed meanwhile. One writer per block, any number of
readers, no locks shared between processes.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import secrets
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

__all__ = ["CounterBlock"]


class CounterBlock:
    """``size`` int64 words of shared memory guarded by a sequence lock.

    Args:
        size: number of int64 words after the lock word.
        name: attach to an existing block (a worker) instead of creating one.
    """

    def __init__(self, size: int, name: str | None = None) -> None:
        nbytes = (size + 1) * 8
        self._owner = name is None
        self._name = name or f"wirespeed-{os.getpid()}-{secrets.token_hex(4)}"
        path = f"/dev/shm/{self._name}"
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if self._owner else 0)
        fd = os.open(path, flags, 0o600)
        try:
            if self._owner:
                os.ftruncate(fd, nbytes)
            self._mm = mmap.mmap(fd, nbytes)
        finally:
            os.close(fd)
        self._all: npt.NDArray[np.int64] = np.frombuffer(self._mm, dtype=np.int64)
        if self._owner:
            self._all[:] = 0
        self.size = size
        #: The writer's view of the data words (write only inside :meth:`writing`).
        self.words = self._all[1:]

    @property
    def name(self) -> str:
        """The shared-memory name a worker attaches with."""
        return self._name

    @contextlib.contextmanager
    def writing(self) -> Iterator[npt.NDArray[np.int64]]:
        """Change the words inside this block; readers never see half a change."""
        self._all[0] += 1
        try:
            yield self.words
        finally:
            self._all[0] += 1

    def read(self, words: int | None = None) -> npt.NDArray[np.int64]:
        """A consistent copy of the data words (only the first ``words`` of them:
        an RX block is megabytes, its port words are 16)."""
        end = None if words is None else 1 + words
        while True:
            v1 = int(self._all[0])
            if v1 & 1:
                continue
            data = self._all[1:end].copy()
            if int(self._all[0]) == v1:
                return data

    def recover(self) -> None:
        """The writer died, perhaps inside :meth:`writing`: end its change, so
        readers (who wait while the lock word is odd) and the next writer go on.
        Only for the controller, once the writer process has exited."""
        if int(self._all[0]) & 1:
            self._all[0] += 1

    def close(self) -> None:
        """Detach (and remove, if this side created it)."""
        # Drop the numpy views first so the buffer can be released.
        self._all = np.zeros(1, dtype=np.int64)
        self.words = self._all[1:]
        self._mm.close()
        if self._owner:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"/dev/shm/{self._name}")
