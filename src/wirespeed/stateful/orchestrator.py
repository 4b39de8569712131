"""The orchestrator: from a case to hosts, worker processes, results and clean-up.

:class:`CloudTrafficManager` is the Python API of the original vtest tool, rebuilt::

    from wirespeed.stateful import CloudTrafficManager
    mgr = CloudTrafficManager()
    mgr.start_traffic(server=SERVERS, client=CLIENTS)   # same dicts as the YAML
    results = mgr.wait()                                  # until every client is done
    mgr.stop()                                            # removes everything

Everything a case needs is checked before anything is created (a bad field raises
:class:`~wirespeed.errors.ConfigError` naming it). Then a
:class:`~wirespeed.topology.netns.Lab` builds the hosts, one worker process per host
enters its namespace and runs the servers or clients there, and :meth:`stop` (also
on Ctrl-C, on an exception, or at interpreter exit) stops the workers and removes
every namespace, link and certificate it made. A run that was killed outright is
cleaned up by the next :class:`Lab` that starts; its workers die with it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yaml

from wirespeed import errors
from wirespeed.errors import ConfigError, StateError, TopologyError
from wirespeed.stateful.case import CaseSpec, flow_db_refs, parse_case, select_case
from wirespeed.stateful.fabric import Fabric, build_fabric, describe, probe_bridges
from wirespeed.stateful.plan import TopologyPlan, check_impairments, plan_topology
from wirespeed.stateful.results import ClientStats, ServerStats
from wirespeed.stateful.worker import HostJob, spawn_worker
from wirespeed.tlscerts import CertStore
from wirespeed.topology.impair import has_netem
from wirespeed.topology.netns import Lab

__all__ = ["AppResults", "CloudTrafficManager", "read_case_file"]

Progress = Callable[["AppResults"], None]
_READY_TIMEOUT_S = 30.0


@dataclass
class AppResults:
    """What a run counted, per client entry and per server.

    Attributes:
        case: the case name.
        clients: client entry label -> stats.
        servers: server name -> the server's own stats.
        finished: every client entry has ended.
        impairment_drops: host -> direction -> packets dropped by a loss rule.
        topology: what was built (namespaces, bridges).
        worker_errors: host -> why its worker process ended early (its counters
            are the last ones it reported).
    """

    case: str | None = None
    clients: dict[str, ClientStats] = field(default_factory=dict)
    servers: dict[str, ServerStats] = field(default_factory=dict)
    finished: bool = False
    impairment_drops: dict[str, dict[str, int]] = field(default_factory=dict)
    topology: dict[str, Any] = field(default_factory=dict)
    worker_errors: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> ClientStats:
        """All client entries added up."""
        return ClientStats.total(self.clients.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly report (counters, rates, latency percentiles in ms)."""
        return {
            "case": self.case,
            "finished": self.finished,
            "total": self.total.summary(),
            "clients": [s.summary() for s in self.clients.values()],
            "servers": [s.summary() for s in self.servers.values()],
            "impairment_drops": self.impairment_drops,
            "topology": self.topology,
            "worker_errors": self.worker_errors,
        }


def _load_flow_db(path: Path) -> Any:
    text = path.read_text()
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def read_case_file(
    path: str | Path, case: str | None
) -> tuple[str | None, Mapping[str, Any], dict[str, Any]]:
    """Read a YAML file, pick ``case`` and load the ``flow_db`` files it names.

    A ``flow_db`` file is looked up next to the YAML file, then in its ``flow_db/``
    folder (where the original tool keeps them); ``.json`` files are read as JSON,
    others as YAML. Returns the case name, the raw case and the flow databases (for
    :func:`~wirespeed.stateful.case.parse_case`).
    """
    file = Path(path)
    try:
        doc = yaml.safe_load(file.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror}", field="yaml") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file} is not valid YAML: {exc}", field="yaml") from exc
    name, raw = select_case(doc, case)
    dbs: dict[str, Any] = {}
    for db, where in flow_db_refs(raw, name).items():
        places = [file.parent / db, file.parent / "flow_db" / db]
        found = next((p for p in places if p.is_file()), None)
        if found is None:
            raise ConfigError(
                f"no file {db!r} (looked for {' and '.join(map(str, places))})",
                field=where,
            )
        try:
            dbs[db] = _load_flow_db(found)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot load {found}: {exc}", field=where) from exc
        if not isinstance(dbs[db], Mapping):
            raise ConfigError(f"{found} must map flow names to flows", field=where)
    return name, raw, dbs


def _plan(case: CaseSpec, lab_id: str) -> TopologyPlan:
    """The topology of ``case`` against the bridges there are (read only)."""
    bridges = [h.talk_point.to_bridge for h in case.hosts]
    plan = plan_topology(case, probe_bridges(bridges), root_prefix=lab_id)
    wants_netem = any(
        imp is not None and imp.needs_netem
        for h in case.hosts
        for imp in (h.talk_point.egress, h.talk_point.ingress)
    )
    check_impairments(plan, has_netem=wants_netem and has_netem())
    return plan


@dataclass
class _Worker:
    key: str
    role: str
    process: subprocess.Popen[bytes]
    conn: Connection
    last: dict[str, Any] = field(default_factory=dict)
    alive: bool = True
    error: str | None = None

    def ask(self, message: tuple[Any, ...], timeout_s: float) -> tuple[Any, ...]:
        try:
            self.conn.send(message)
        except OSError as exc:
            raise self._lost("closed its pipe") from exc
        return self.receive(timeout_s)

    def receive(self, timeout_s: float) -> tuple[Any, ...]:
        try:
            if not self.conn.poll(timeout_s):
                raise self._lost(f"did not answer in {timeout_s:g} s")
            reply = self.conn.recv()
        except (OSError, EOFError) as exc:
            raise self._lost("exited unexpectedly") from exc
        if reply[0] == "error":
            self.alive = False
            self.error = f"{reply[1]}: {reply[2]}"
            cls = getattr(errors, str(reply[1]), TopologyError)
            if not (isinstance(cls, type) and issubclass(cls, errors.WirespeedError)):
                cls = TopologyError
            raise cls(str(reply[2]))
        return tuple(reply)

    def _lost(self, what: str) -> TopologyError:
        """Mark the worker dead (its last counters stay) and describe why."""
        self.alive = False
        try:
            code = self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None  # still running: stopped answering (killed at teardown)
        if code is not None:
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            what = f"exited unexpectedly ({how})"
        self.error = f"{self.role} worker {self.key} {what}"
        return TopologyError(self.error)


class CloudTrafficManager:
    """Runs app-traffic cases: the original tool's API, plus results.

    Args:
        lab_prefix: start of the namespace names (a random token follows).
        grace_s: how long :meth:`stop` lets open connections finish.
    """

    def __init__(self, *, lab_prefix: str = "wsa", grace_s: float = 5.0) -> None:
        if not 1 <= len(lab_prefix) <= 4:
            raise ValueError("lab_prefix must have 1..4 characters")
        self.lab_prefix = lab_prefix
        self.grace_s = grace_s
        self.case: CaseSpec | None = None
        self.plan: TopologyPlan | None = None
        self._lab: Lab | None = None
        self._fabric: Fabric | None = None
        self._certs: CertStore | None = None
        self._workers: list[_Worker] = []
        self._final: AppResults | None = None

    # -- context manager ---------------------------------------------------------
    def __enter__(self) -> CloudTrafficManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def ca_path(self) -> Path | None:
        """The run's CA certificate (PEM) while TLS servers run, for probes to trust.

        Removed with everything else by :meth:`stop`.
        """
        return self._certs.ca_path if self._certs is not None else None

    @property
    def running(self) -> bool:
        """True between :meth:`start_traffic` and :meth:`stop`."""
        return self._lab is not None

    # -- starting ------------------------------------------------------------------
    def deploy_from_yaml(
        self, yaml_file: str | Path, case: str | None = None
    ) -> list[Any]:
        """Start the case ``case`` of a YAML file (the original tool's entry)."""
        name, raw, dbs = read_case_file(yaml_file, case)
        return self.start_traffic(
            name=name,
            server=raw.get("servers"),
            client=raw.get("clients"),
            flows=raw.get("flows"),
            flow_dbs=dbs,
        )

    def start_traffic(
        self,
        name: str | None = None,
        server: Any = None,
        client: Any = None,
        *,
        flows: Mapping[str, Any] | None = None,
        flow_dbs: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[Any]:
        """Check the case, build its hosts, start servers and then clients.

        Args:
            name: the case name (used in error field paths and reports).
            server: the ``servers`` list (or one entry) of the YAML shape.
            client: the ``clients`` list (or one entry).
            flows: custom flows by name (the case's ``flows:``).
            flow_dbs: loaded ``flow_db`` files by the name the servers give.

        Returns:
            ``[True, message]`` like the original tool (errors raise).

        Raises:
            ConfigError: a field is wrong (nothing was created).
            PortError, TopologyError: building or starting failed (all removed).
        """
        if self.running:
            raise StateError("traffic is already running; stop() it first")
        raw = {"servers": server, "clients": client, "flows": flows or {}}
        case = parse_case(raw, name=name, flow_dbs=flow_dbs)
        lab = Lab(self.lab_prefix)
        plan = _plan(case, lab.lab_id)
        self.case, self.plan, self._final = case, plan, None
        self._workers = []
        tls_names = [s.server_name for s in case.servers if s.tls and s.server_name]
        self._lab = lab
        atexit.register(self.stop)
        try:
            if tls_names:
                self._certs = CertStore.create(tls_names)
            lab.open()
            self._fabric = build_fabric(lab, plan)
            self._start_workers(case)
        except BaseException:
            self.stop()
            raise
        return [
            True,
            f"app traffic started: {len(case.servers)} server(s), "
            f"{len(case.clients)} client entry(ies)",
        ]

    def _spawn(self, key: str, role: str, job: HostJob) -> _Worker:
        proc, conn = spawn_worker(job)
        worker = _Worker(key, role, proc, conn)
        self._workers.append(worker)
        return worker

    def _start_workers(self, case: CaseSpec) -> None:
        assert self._fabric is not None
        tls_dir = str(self._certs.directory) if self._certs is not None else None
        started: list[_Worker] = []
        for role in ("server", "client"):
            batch = []
            for host in case.hosts:
                if host.role != role:
                    continue
                job = HostJob(
                    host_key=host.key,
                    netns=self._fabric.host_ns[host.key],
                    servers=tuple(s for s in case.servers if s.host_key == host.key),
                    clients=tuple(c for c in case.clients if c.host_key == host.key),
                    tls_dir=tls_dir,
                )
                batch.append(self._spawn(host.key, role, job))
            for worker in batch:  # servers listen before any client starts
                worker.receive(_READY_TIMEOUT_S)
            started += batch
        for worker in started:
            if worker.role == "client":
                worker.ask(("start",), _READY_TIMEOUT_S)

    # -- watching ------------------------------------------------------------------
    def results(self) -> AppResults:
        """The counters now (live while running, final after :meth:`stop`).

        A worker process that died (or stopped answering) keeps the counters it
        last reported, and ``worker_errors`` says what happened; its client entries
        count as ended.
        """
        if self._final is not None:
            return self._final
        if not self.running:
            raise StateError("no traffic has been started")
        for worker in self._workers:
            if worker.alive:
                with contextlib.suppress(TopologyError):  # recorded in worker.error
                    worker.last = worker.ask(("poll",), _READY_TIMEOUT_S)[1]
        return self._collect(final=False)

    def wait(
        self,
        timeout_s: float | None = None,
        *,
        poll_s: float = 0.25,
        on_progress: Progress | None = None,
    ) -> AppResults:
        """Poll until every client entry has ended (or ``timeout_s`` passed).

        Servers keep running; call :meth:`stop` to end the run. With no client
        entries this returns after ``timeout_s`` (or waits until interrupted).
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            res = self.results()
            if on_progress is not None:
                on_progress(res)
            has_clients = any(w.role == "client" for w in self._workers)
            if has_clients and res.finished:
                return res
            if deadline is not None and time.monotonic() >= deadline:
                return res
            time.sleep(poll_s)

    def _collect(self, *, final: bool) -> AppResults:
        res = AppResults(case=self.case.name if self.case else None)
        clients = [w for w in self._workers if w.role == "client"]
        for worker in self._workers:
            snap = worker.last
            for label, raw in snap.get("clients", {}).items():
                res.clients[label] = ClientStats.from_dict(raw)
            for sname, raw in snap.get("servers", {}).items():
                res.servers[sname] = ServerStats.from_dict(raw)
        res.finished = bool(clients) and all(
            w.last.get("finished", False) or not w.alive for w in clients
        )
        res.worker_errors = {w.key: w.error for w in self._workers if w.error}
        if self._fabric is not None and self.plan is not None:
            res.topology = describe(self._fabric, self.plan)
            if final:
                res.impairment_drops = self._fabric.impairment_drops()
        return res

    # -- stopping ------------------------------------------------------------------
    def stop(self, grace_s: float | None = None) -> AppResults:
        """Stop clients, then servers; remove every host, bridge and certificate.

        Safe to call more than once and after a failed start. Returns the final
        results.
        """
        if self._final is not None and not self.running:
            return self._final
        grace = self.grace_s if grace_s is None else grace_s
        final: AppResults | None = None
        try:
            for role in ("client", "server"):
                for worker in self._workers:
                    if worker.role == role and worker.alive:
                        with contextlib.suppress(TopologyError):  # in .error
                            worker.last = worker.ask(("stop", grace), grace + 10.0)[1]
            final = self._collect(final=True)
        finally:
            self._teardown()
        final.finished = final.finished or not any(
            w.role == "client" for w in self._workers
        )
        self._final = final
        return final

    def clear_all(self) -> AppResults:
        """The original tool's name for :meth:`stop`."""
        return self.stop()

    def _teardown(self) -> None:
        for worker in self._workers:
            try:
                worker.process.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                worker.process.kill()  # our own child, by its handle
                worker.process.wait(timeout=5.0)
            worker.conn.close()
        if self._lab is not None:
            lab, self._lab = self._lab, None
            lab.close()
        if self._certs is not None:
            certs, self._certs = self._certs, None
            certs.remove()
        atexit.unregister(self.stop)
