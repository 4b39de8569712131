"""The deployment files agree with the code and with each other: the image's
command is a ``wirespeed server`` command line click accepts, its health check and
the DaemonSet's probes ask the HTTP API where the server listens, the image, the
compose file and the DaemonSet serve the same ports file with the same
capabilities and name the same front-end ports. (No container runtime here: the
image is not built; its capabilities are tried on a real daemon in
``test_container_caps.py``.)"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from wirespeed.capture.bpf import _LIBPCAP_NAMES
from wirespeed.cli.main import cli
from wirespeed.server.http.routes import ENDPOINTS
from wirespeed.topology.testbed import load_config

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
FRONT_END_PORT_OPTIONS = (
    "http_port", "otg_port", "native_port", "trex_port", "trex_pub_port", "xoa_port",
    "cli_port",
)  # fmt: skip


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text()
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def instructions(name: str) -> list[str]:
    return [rest for word, rest in dockerfile() if word == name]


def entrypoint() -> list[str]:
    (raw,) = instructions("ENTRYPOINT")
    argv = json.loads(raw)
    assert isinstance(argv, list)
    return [str(a) for a in argv]


def server_params() -> dict[str, Any]:
    """The image's ``wirespeed server`` options as click parses them (its
    ``--config`` path swapped for the ports file mounted there)."""
    argv = entrypoint()
    cmd = cli.get_command(click.Context(cli), argv[1])
    assert cmd is not None
    args = argv[2:] + json.loads(instructions("CMD")[0])
    mounted = args[args.index("--config") + 1]
    args[args.index("--config") + 1] = str(DEPLOY / Path(mounted).name)
    ctx = cmd.make_context("server", args)
    return {**ctx.params, "mounted_config": mounted}


def compose_service() -> dict[str, Any]:
    raw = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    (svc,) = raw["services"].values()
    assert isinstance(svc, dict)
    return svc


def manifests() -> dict[str, dict[str, Any]]:
    docs = yaml.safe_load_all((DEPLOY / "k8s" / "daemonset.yaml").read_text())
    return {d["kind"]: d for d in docs}


def daemon_container() -> dict[str, Any]:
    (container,) = manifests()["DaemonSet"]["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def test_the_image_runs_a_real_server_command_line() -> None:
    argv = entrypoint()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[argv[0]] == "wirespeed.cli.main:main"  # which runs cli()
    assert argv[1] == "server"
    params = server_params()
    assert params["bind"] == "0.0.0.0"
    assert params["mounted_config"] == "/etc/wirespeed/ports.yaml"
    assert params["config"] == DEPLOY / "ports.yaml"
    assert params["dut"] is None  # real NICs from the ports file, no test bed
    # an option click does not know is refused, so the check above means something
    with pytest.raises(click.NoSuchOption):
        cli.get_command(click.Context(cli), "server").make_context(  # type: ignore[union-attr]
            "server", ["--bind-address", "0.0.0.0"]
        )


def test_the_ports_file_loads() -> None:
    ports = load_config(DEPLOY / "ports.yaml").ports
    assert [(p.interface, p.netns, p.speed_bps, p.reaches_stack) for p in ports] == [
        ("eth1", None, 10_000_000_000, False), ("eth2", None, 10_000_000_000, False),
    ]  # fmt: skip


def test_the_image_holds_the_tools_the_code_runs() -> None:
    (base_build, base_run) = instructions("FROM")
    assert base_build == "python:3.11-slim-bookworm AS build"
    assert base_run == "python:3.11-slim-bookworm"
    (apt,) = [r for r in instructions("RUN") if "apt-get install" in r]
    packages = set(apt.split("--no-install-recommends", 1)[1].split("&&")[0].split())
    assert packages == {
        "iproute2", "nftables", "libpcap0.8", "ethtool", "chrony",
        "libxdp1", "libbpf1", "libbpf-dev", "clang",
    }  # fmt: skip
    assert "libpcap.so.0.8" in _LIBPCAP_NAMES  # what libpcap0.8 installs
    # what scripts/bootstrap.sh installs to run wirespeed (gcc: builds only)
    boot = (ROOT / "scripts" / "bootstrap.sh").read_text().split("want_test = 1")[0]
    runtime = {
        p for grp in re.findall(r"need\+=\(([^)]*)\)", boot) for p in grp.split()
    }
    assert runtime - {"gcc", "libc6-dev"} <= packages
    # the build copies what the package build needs, and the ignore file lets it in
    copied = [r.split()[0] for r in instructions("COPY") if "--from" not in r]
    assert copied == ["pyproject.toml", "src"]
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {"!pyproject.toml", "!README.md", "!src/"} <= set(ignore)
    assert (
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["readme"]
        == "README.md"
    )
    assert "pyproject.toml README.md ./" in instructions("COPY")


def test_health_check_and_probes_ask_the_http_api() -> None:
    params = server_params()
    http_port = params["http_port"]
    assert http_port == 8080
    assert "GET /api" in ENDPOINTS
    (health,) = instructions("HEALTHCHECK")
    assert f"http://127.0.0.1:{http_port}/api'" in health
    container = daemon_container()
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/api", "port": http_port}


def test_every_file_names_the_same_front_end_ports() -> None:
    params = server_params()
    defaults = {params[o] for o in FRONT_END_PORT_OPTIONS}
    assert defaults == {8080, 8443, 4510, 4501, 4500, 22606, 22611}
    (expose,) = instructions("EXPOSE")
    assert {int(p) for p in expose.split()} == defaults
    container_ports = {p["containerPort"] for p in daemon_container()["ports"]}
    service_ports = {p["port"] for p in manifests()["Service"]["spec"]["ports"]}
    assert container_ports == service_ports == defaults


def test_compose_and_daemonset_run_it_alike() -> None:
    svc = compose_service()
    container = daemon_container()
    pod = manifests()["DaemonSet"]["spec"]["template"]["spec"]
    # host networking, and the same capabilities: only these two
    assert svc["network_mode"] == "host"
    assert pod["hostNetwork"] is True
    caps = container["securityContext"]["capabilities"]
    assert svc["cap_drop"] == caps["drop"] == ["ALL"]
    assert svc["cap_add"] == caps["add"] == ["NET_ADMIN", "NET_RAW"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    # one image, built from deploy/Dockerfile
    assert svc["image"] == container["image"]
    assert (
        DEPLOY / svc["build"]["context"] / svc["build"]["dockerfile"]
    ).resolve() == (DEPLOY / "Dockerfile")
    # the control token from the environment click reads
    server = cli.get_command(click.Context(cli), "server")
    assert server is not None
    (token,) = [p for p in server.params if p.name == "http_token"]
    assert isinstance(token, click.Option)
    assert token.envvar == "WIRESPEED_HTTP_TOKEN"
    assert "WIRESPEED_HTTP_TOKEN" in svc["environment"]
    assert [e["name"] for e in container["env"]] == ["WIRESPEED_HTTP_TOKEN"]


def test_compose_and_daemonset_mount_the_same_ports_file() -> None:
    mounted = Path(server_params()["mounted_config"])
    # compose: deploy/ports.yaml, read-only, where --config reads it
    (volume,) = compose_service()["volumes"]
    source, target, mode = volume.split(":")
    assert (DEPLOY / source).resolve() == DEPLOY / "ports.yaml"
    assert (Path(target), mode) == (mounted, "ro")
    # the DaemonSet: the ConfigMap's key, in the directory --config reads
    container = daemon_container()
    (mount,) = container["volumeMounts"]
    assert (Path(mount["mountPath"]), mount["readOnly"]) == (mounted.parent, True)
    pod = manifests()["DaemonSet"]["spec"]["template"]["spec"]
    (vol,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    cmap = manifests()["ConfigMap"]
    assert vol["configMap"]["name"] == cmap["metadata"]["name"]
    assert sorted(cmap["data"]) == [mounted.name]
    # ... holding the same ports file as compose's
    assert cmap["data"][mounted.name] == (DEPLOY / "ports.yaml").read_text()


def test_the_headless_service_selects_the_daemons() -> None:
    m = manifests()
    ds, svc = m["DaemonSet"], m["Service"]
    labels = ds["spec"]["template"]["metadata"]["labels"]
    assert ds["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert svc["spec"]["selector"].items() <= labels.items()
    assert svc["spec"]["clusterIP"] == "None"
    assert sorted(m) == ["ConfigMap", "DaemonSet", "Service"]
