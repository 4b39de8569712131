"""Fuzzing the command layer with implemented commands and plausible values.

Random bytes and random text mostly die in the framing or the lexer; these cases
reach the handlers: real command names and codes, real and wrong addresses and
indices, value tokens and bytes of every shape. A handler that raises (a bug, which
the servers turn into FAILED) fails the test; every request gets one answer. Each
runs on an idle port and on one that sends.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from xena_env import new_tester  # type: ignore[import-not-found]

from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import answer_line
from wirespeed.server.xena.commands import TABLE_BY_NAME
from wirespeed.server.xena.session import XenaSession
from wirespeed.server.xena.status import Status
from wirespeed.server.xena.wire import Message, MessageReader, MsgType
from wirespeed.server.xena.xoa import answer_message

NAMES = sorted(TABLE_BY_NAME)
SETUP = ['C_LOGON "xena"', 'C_OWNER "fuzz"', "C_RESERVATION RESERVE",
         "0 M_RESERVATION RESERVE", "0/0 P_RESERVATION RESERVE", "0/0 PS_CREATE [0]",
         "0/0 PS_MODIFIERCOUNT [0] 1", "0/0 PS_MODIFIEREXTCOUNT [0] 1"]  # fmt: skip
TOKENS = ["0", "1", "-1", "2", "64", "65535", "4294967296", "99999999999999999999",
          "ON", "OFF", "SUPPRESS", "RESERVE", "RELINQUISH", "FIXED", "RANDOM", "INC",
          "MICRO", "0x", "0xFFFF", "0x0FC00000", "0xZZ", '"x"', '"', "?", "1.5",
          "[0]", "]", "13,10", "198.18.0.1"]  # fmt: skip
TOKENS += ["?"] * 5  # queries are half of what clients send
WHERE = ["", "0", "1", "0/0", "0/1", "1/1", "9/9", "0/9"]
INDEX = ["", "[0]", "[1]", "[0,0]", "[5,0]", "[0,9]", "[4294967295]", "[0,0,0]"]


@contextmanager
def _chassis(sending: bool) -> Iterator[tuple[XenaChassis, XenaSession, XenaSession]]:
    """A fresh chassis on a fresh tester (over the fake data plane), closed after."""
    tester, _ = new_tester()
    try:
        yield _set_up(XenaChassis(tester), sending)
    finally:
        tester.close()


def _set_up(
    chassis: XenaChassis, sending: bool
) -> tuple[XenaChassis, XenaSession, XenaSession]:
    cli, xoa = XenaSession("cli", "c"), XenaSession("xoa", "x")
    for s in (cli, xoa):
        chassis.open_session(s)
    setup = SETUP + (["0/0 PS_ENABLE [0] ON", "0/0 P_TRAFFIC ON"] if sending else [])
    assert [answer_line(chassis, cli, x).lines for x in setup] == [["<OK>"]] * len(
        setup
    )
    for code, value in ((1, b"xena"), (2, b"fuzz")):
        answer_message(
            chassis, xoa, Message(MsgType.VALUE, code, 255, 255, 1, (), value)
        )
    return chassis, cli, xoa


ROUNDS = 60  # fresh chassis per round, LINES requests each
LINES = 40


def _line(rnd: random.Random) -> str:
    tokens = " ".join(rnd.choice(TOKENS) for _ in range(rnd.randint(0, 5)))
    where, name, idx = rnd.choice(WHERE), rnd.choice(NAMES), rnd.choice(INDEX)
    return f"{where} {name} {idx} {tokens}"


def _message(rnd: random.Random, rid: int) -> Message:
    spec = TABLE_BY_NAME[rnd.choice(NAMES)]
    n_idx = spec.n_indices if rnd.random() < 0.8 else rnd.randint(0, 3)
    size = rnd.choice([0, 1, 2, 4, 5, 8, 12, 16, rnd.randint(0, 64)])
    return Message(
        rnd.choice([MsgType.QUERY, MsgType.VALUE]), spec.code,
        rnd.choice([0, 0, 1, 9, 0xFE, 0xFF]), rnd.choice([0, 0, 1, 9, 0xFF]), rid,
        tuple(rnd.choice([0, 0, 1, 5, 2**32 - 1]) for _ in range(n_idx)),
        rnd.randbytes(size),
    )  # fmt: skip


@pytest.mark.parametrize("sending", [False, True], ids=["idle", "sending"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cli_lines_of_real_commands(seed: int, sending: bool) -> None:
    rnd = random.Random(seed)
    for _ in range(ROUNDS):
        with _chassis(sending) as (chassis, cli, _):
            for _ in range(LINES):
                text = _line(rnd)
                answer = answer_line(chassis, cli, text).lines
                assert answer, text
                assert "<FAILED>" not in answer, text


@pytest.mark.parametrize("sending", [False, True], ids=["idle", "sending"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_xoa_requests_of_real_commands(seed: int, sending: bool) -> None:
    rnd = random.Random(seed)
    for _ in range(ROUNDS):
        with _chassis(sending) as (chassis, _, xoa):
            for rid in range(10, 10 + LINES):
                msg = _message(rnd, rid)
                (reply,) = MessageReader().feed(answer_message(chassis, xoa, msg))
                assert isinstance(reply, Message)
                assert reply.request_id == rid
                failed = (MsgType.STATUS, Status.FAILED)
                assert (reply.msg_type, reply.code) != failed, msg
