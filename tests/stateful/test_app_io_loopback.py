"""Servers and clients over loopback (127.0.0.1, ephemeral ports, no root)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
from collections.abc import Iterator

import pytest

from wirespeed.errors import PortError
from wirespeed.stateful.case import ClientSpec, ServerSpec
from wirespeed.stateful.client import AppClient
from wirespeed.stateful.flows import BUILTIN_FLOWS, FlowProgram, Step, TransportKind
from wirespeed.stateful.results import ClientStats, ServerStats
from wirespeed.stateful.server import AppServer, make_server_spec
from wirespeed.tlscerts import CertStore

LOOP = "127.0.0.1"


@pytest.fixture(scope="module")
def certs() -> Iterator[CertStore]:
    store = CertStore.create(["app.wirespeed.test", "other.wirespeed.test"])
    yield store
    store.remove()


def _client(
    server: ServerSpec,
    n: int,
    *,
    concur: int = 3,
    cps: float | None = None,
    delay_s: float = 0.0,
    timeout_s: float = 5.0,
) -> ClientSpec:
    return ClientSpec(
        label="c",
        host_key="c1",
        field="c",
        server=server,
        client_sum=n,
        client_concur=concur,
        client_delay_s=delay_s,
        client_cps=cps,
        timeout_s=timeout_s,
        no_print=True,
    )


def _run(
    server: ServerSpec,
    client: ClientSpec,
    certs: CertStore | None = None,
    client_certs: CertStore | None = None,
) -> tuple[ClientStats, ServerStats]:
    async def main() -> tuple[ClientStats, ServerStats]:
        srv = AppServer(server, certs=certs)
        await srv.start()
        cli = AppClient(client, certs=client_certs or certs, port=srv.port)
        cstats = await cli.run()
        sstats = await srv.stop(grace_s=2.0)
        return cstats, sstats

    return asyncio.run(main())


def test_tcp_sym_counts_every_byte() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["sym"], ip=LOOP, port=0)
    c, s = _run(spec, _client(spec, 20))
    assert (c.attempted, c.established, c.completed, c.failed) == (20, 20, 20, 0)
    assert (c.transactions, c.bytes_tx, c.bytes_rx) == (240, 120_000, 120_000)
    assert (s.accepted, s.completed, s.failed) == (20, 20, 0)
    assert (s.transactions, s.bytes_rx, s.bytes_tx) == (240, 120_000, 120_000)
    counts = {k: h.count for k, h in c.hists.items()}
    assert counts == {
        "connect": 20,
        "tls_handshake": 0,
        "transaction": 240,
        "connection": 20,
    }
    assert c.errors == {}
    assert s.errors == {}
    assert c.peak_concurrent == 3  # client_concur


def test_tls_checks_sni_on_the_server(certs: CertStore) -> None:
    spec = make_server_spec(
        BUILTIN_FLOWS["mouse"], ip=LOOP, port=0, server_name="app.wirespeed.test"
    )
    c, s = _run(spec, _client(spec, 10), certs)
    assert (c.completed, c.failed, c.hists["tls_handshake"].count) == (10, 0, 10)
    assert (s.accepted, s.tls_established, s.sni_ok, s.sni_mismatch) == (10, 10, 10, 0)
    assert (s.completed, s.hists["tls_handshake"].count) == (10, 10)


def test_sni_mismatch_is_refused(certs: CertStore) -> None:
    server = make_server_spec(
        BUILTIN_FLOWS["mouse"], ip=LOOP, port=0, server_name="app.wirespeed.test"
    )
    # the client believes the server is other.wirespeed.test (a name it can verify)
    believed = dataclasses.replace(server, server_name="other.wirespeed.test")
    c, s = _run(server, _client(believed, 4), certs)
    assert (c.attempted, c.established, c.completed, c.failed) == (4, 0, 0, 4)
    assert c.errors == {"tls_handshake": 4}
    assert (s.accepted, s.sni_ok, s.sni_mismatch, s.tls_established) == (4, 0, 4, 0)
    assert s.errors == {"sni_mismatch": 4}


def test_untrusted_certificate_fails_verification(certs: CertStore) -> None:
    spec = make_server_spec(
        BUILTIN_FLOWS["mouse"], ip=LOOP, port=0, server_name="app.wirespeed.test"
    )
    stranger = CertStore.create(["app.wirespeed.test"])
    try:
        c, s = _run(spec, _client(spec, 3), certs, client_certs=stranger)
    finally:
        stranger.remove()
    assert c.errors == {"tls_verify": 3}
    assert (s.accepted, s.tls_established, s.completed, s.failed) == (3, 0, 0, 3)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOP, 0))
        return int(sock.getsockname()[1])


def test_refused_connections_are_counted_by_cause() -> None:
    port = _free_port()
    spec = make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=port)

    async def main() -> ClientStats:
        return await AppClient(_client(spec, 5)).run()

    c = asyncio.run(main())
    assert (c.attempted, c.established, c.completed, c.failed) == (5, 0, 0, 5)
    assert c.errors == {"refused": 5}
    assert c.hists["connect"].count == 0


def test_payload_mismatch_is_caught_by_the_server() -> None:
    server = make_server_spec(
        FlowProgram("a", (Step(b"abc", b"xyz"),)), ip=LOOP, port=0
    )
    lying = dataclasses.replace(
        server, program=FlowProgram("b", (Step(b"abd", b"xyz"),))
    )
    c, s = _run(server, _client(lying, 3))
    assert s.errors == {"payload_mismatch": 3}
    assert (s.bytes_rx, s.bytes_tx, s.completed) == (9, 0, 0)
    assert (c.completed, c.failed, c.bytes_tx, c.bytes_rx) == (0, 3, 9, 0)
    assert set(c.errors) <= {"eof", "reset"}


def test_response_timeout() -> None:
    slow = FlowProgram("slow", (Step(b"q", b"r", server_delay_s=1.0),))
    spec = make_server_spec(slow, ip=LOOP, port=0)
    c, s = _run(spec, _client(spec, 2, timeout_s=0.2))
    assert c.errors == {"io_timeout": 2}
    assert (c.established, c.completed) == (2, 0)
    assert s.accepted == 2


def test_silent_client_times_out_on_the_server() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=0, timeout_s=0.2)

    async def main() -> ServerStats:
        srv = AppServer(spec)
        await srv.start()
        reader, writer = await asyncio.open_connection(LOOP, srv.port)
        assert await reader.read() == b""  # the server gave up and closed
        writer.close()
        return await srv.stop()

    s = asyncio.run(main())
    assert (s.accepted, s.failed, s.errors) == (1, 1, {"io_timeout": 1})


def test_udp_exchanges() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["udp_test"], ip=LOOP, port=0)
    assert spec.transport is TransportKind.UDP
    c, s = _run(spec, _client(spec, 12))
    assert (c.attempted, c.completed, c.failed, c.bytes_tx, c.bytes_rx) == (
        12,
        12,
        0,
        12 * 14,
        12 * 15,
    )
    assert (s.accepted, s.completed, s.bytes_rx, s.bytes_tx) == (12, 12, 168, 180)


def test_target_rate_spaces_starts() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=0)
    c, _ = _run(spec, _client(spec, 10, cps=100.0))
    assert c.completed == 10
    # the 10th start is due 90 ms after the schedule's start; the first may start
    # a few ms late on a busy machine (unpaced, 10 connections take ~2 ms)
    assert c.elapsed_ns >= 75_000_000


def test_target_rate_latency_has_no_coordinated_omission() -> None:
    # One slot, 50 ms per connection, 100 connections/s asked: each connection starts
    # later than scheduled, and the latency counts that wait.
    slow = FlowProgram("slow", (Step(b"q", b"r", server_delay_s=0.05),))
    spec = make_server_spec(slow, ip=LOOP, port=0)
    c, _ = _run(spec, _client(spec, 5, concur=1, cps=100.0))
    assert c.completed == 5
    # connection 4 is due at 40 ms and cannot end before 5 x 50 ms = 250 ms
    assert c.hists["transaction"].max >= 210_000_000
    assert c.hists["connection"].max >= 210_000_000


def test_stop_ends_a_run_early_with_consistent_counts() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=0)

    async def main() -> ClientStats:
        srv = AppServer(spec)
        await srv.start()
        cli = AppClient(_client(spec, 1_000_000), port=srv.port)
        task = asyncio.create_task(cli.run())
        while cli.stats.completed < 20:
            await asyncio.sleep(0.01)
        cli.stop()
        stats = await task
        await srv.stop()
        return stats

    c = asyncio.run(main())
    assert 20 <= c.completed < 1_000_000
    assert c.attempted == c.completed + c.failed


def test_server_stop_cancels_stuck_connections() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=0)

    async def main() -> ServerStats:
        srv = AppServer(spec)
        await srv.start()
        _, writer = await asyncio.open_connection(LOOP, srv.port)  # sends nothing
        while srv.stats.accepted < 1:
            await asyncio.sleep(0.01)
        stats = await srv.stop(grace_s=0.1)
        writer.close()
        return stats

    s = asyncio.run(main())
    assert (s.accepted, s.failed, s.errors) == (1, 1, {"stopped": 1})


def test_port_in_use_names_the_field() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=0, name="s7")

    async def main() -> None:
        first = AppServer(spec)
        await first.start()
        try:
            await AppServer(dataclasses.replace(spec, port=first.port)).start()
        finally:
            await first.stop()

    with pytest.raises(PortError, match=r"s7\.port: cannot listen on 127\.0\.0\.1:"):
        asyncio.run(main())


def test_a_down_server_does_not_listen() -> None:
    port = _free_port()
    spec = dataclasses.replace(
        make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=port), listen=False
    )
    c, s = _run(spec, _client(spec, 3))
    assert c.errors == {"refused": 3}
    assert s.accepted == 0


def test_http_server_answers_any_http_client() -> None:
    # baseHttp takes any HTTP request head, as a probe (curl, a health check) sends
    spec = make_server_spec(BUILTIN_FLOWS["baseHttp"], ip=LOOP, port=0)
    response = BUILTIN_FLOWS["baseHttp"].steps[0].response
    probe = b"GET /health HTTP/1.1\r\nHost: probe\r\n\r\n"

    async def ask(srv: AppServer, data: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(LOOP, srv.port)
        writer.write(data)
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return answer

    async def main() -> tuple[list[bytes], ServerStats]:
        srv = AppServer(spec)
        await srv.start()
        answers = [
            await ask(srv, probe),
            await ask(srv, b"SSH-2.0-OpenSSH_9.2\r\n\r\n"),  # not HTTP
        ]
        cli = AppClient(_client(spec, 3), port=srv.port)  # our own client too
        cstats = await cli.run()
        assert (cstats.completed, cstats.failed) == (3, 0)
        return answers, await srv.stop()

    answers, s = asyncio.run(main())
    assert answers == [response, b""]
    assert (s.accepted, s.completed, s.failed) == (5, 4, 1)
    assert s.errors == {"payload_mismatch": 1}
    request = BUILTIN_FLOWS["baseHttp"].steps[0].request
    assert s.bytes_rx == len(probe) + len(b"SSH-2.0-OpenSSH_9.2\r\n\r\n") + 3 * len(
        request
    )
    assert s.bytes_tx == 4 * len(response)


def test_an_http_step_needs_an_http_request() -> None:
    with pytest.raises(ValueError, match="HTTP request head"):
        Step(b"hello", b"world", is_http_request=True)


def test_client_delay_spaces_starts() -> None:
    spec = make_server_spec(BUILTIN_FLOWS["mouse"], ip=LOOP, port=0)
    c, s = _run(spec, _client(spec, 5, concur=5, delay_s=0.05))
    assert (c.completed, c.failed, s.completed) == (5, 0, 5)
    assert c.elapsed_ns >= 200_000_000  # the 5th start comes 4 gaps after the 1st


def test_rate_latency_of_an_on_time_connection_is_its_own(certs: CertStore) -> None:
    # On time (one connection at 10/s): the first transaction is request to
    # response, not connect + TLS handshake + transaction as the whole connection.
    spec = make_server_spec(
        BUILTIN_FLOWS["mouse"], ip=LOOP, port=0, server_name="app.wirespeed.test"
    )
    c, _ = _run(spec, _client(spec, 1, cps=10.0), certs)
    h = c.hists
    assert [h[k].count for k in ("connect", "tls_handshake", "transaction")] == [1] * 3
    handshakes = h["connect"].max + h["tls_handshake"].max
    assert h["connection"].max - h["transaction"].max >= handshakes


@pytest.mark.parametrize(
    ("mode", "txns", "tx", "rx"),
    [
        ("asym_s", 6, 6, 600_000),
        ("asym_c", 6, 600_000, 6),
        ("bulksym", 6, 600_000, 600_000),
        ("baseHttp", 1, 85, 80),
    ],
)
def test_builtin_modes_run_end_to_end(mode: str, txns: int, tx: int, rx: int) -> None:
    spec = make_server_spec(BUILTIN_FLOWS[mode], ip=LOOP, port=0)
    c, s = _run(spec, _client(spec, 3, concur=2))
    assert (c.completed, c.failed, c.transactions) == (3, 0, 3 * txns)
    assert (c.bytes_tx, c.bytes_rx) == (3 * tx, 3 * rx)
    assert (s.completed, s.bytes_rx, s.bytes_tx) == (3, 3 * tx, 3 * rx)


def test_elephant_stopped_midway_counts_only_whole_transactions() -> None:
    # 100,000 x 100 kB per connection: stop it and check what was counted
    spec = make_server_spec(BUILTIN_FLOWS["elephant"], ip=LOOP, port=0)

    async def main() -> tuple[ClientStats, ServerStats]:
        srv = AppServer(spec)
        await srv.start()
        cli = AppClient(_client(spec, 2, concur=2), port=srv.port)
        task = asyncio.create_task(cli.run())
        while cli.stats.transactions < 40:
            await asyncio.sleep(0.01)
        cli.stop()
        await asyncio.sleep(0.05)
        task.cancel()  # what the worker does when the grace time is over
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return cli.stats, await srv.stop(grace_s=1.0)

    c, s = asyncio.run(main())
    assert (c.attempted, c.completed, c.failed) == (2, 0, 2)
    assert c.errors == {"stopped": 2}
    assert c.transactions >= 40
    assert c.bytes_rx == c.transactions * 100_000  # whole responses only
    assert c.transactions <= c.bytes_tx <= c.transactions + 2  # one request each
    assert s.transactions >= c.transactions
    assert (s.completed, s.failed) == (0, 2)
