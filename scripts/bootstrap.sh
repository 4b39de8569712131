#!/usr/bin/env bash
# Install what wirespeed needs on a fresh Debian machine (root): system tools and a
# virtual environment in .venv with wirespeed installed in it.
#   scripts/bootstrap.sh          runtime only
#   scripts/bootstrap.sh --test   also the test tools and the real peer clients
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v tc >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v ethtool >/dev/null || need+=(ethtool)
# libpcap compiles the BPF filters of the port services and captures
ldconfig -p 2>/dev/null | grep -q 'libpcap\.so\.0\.8' || need+=(libpcap0.8)
# the AF_XDP driver: libxdp and libbpf (bound with ctypes), and clang with libbpf's
# headers to build the port's XDP program at its first use
ldconfig -p 2>/dev/null | grep -q 'libxdp\.so\.1' || need+=(libxdp1)
ldconfig -p 2>/dev/null | grep -q 'libbpf\.so\.1' || need+=(libbpf1)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
command -v clang >/dev/null || command -v clang-14 >/dev/null || need+=(clang)
if [ $want_test = 1 ]; then
  command -v tshark >/dev/null || need+=(tshark)  # captures are read back with it
  # the RFC 2544 HTML report is opened and drawn by headless Chromium
  command -v chromium >/dev/null || need+=(chromium)
  command -v ping >/dev/null || need+=(iputils-ping)  # the router DUT pings ports
  # the benchmarks' AF_XDP reference (pb_afxdp.c) links against libxdp
  [ -f /usr/include/xdp/xsk.h ] || need+=(libxdp-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: apt-get install ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "bootstrap: missing ${need[*]} (install them, or run as root on Debian)" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ $want_test = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
  # The real peer clients, each in its own environment: the TRex client puts its own
  # bundled libraries first on sys.path, and both XOA drivers are named xoa_driver.
  mkpeer() {  # dir requirement...
    if [ ! -x "$1/bin/python" ] || ! "$1/bin/python" -m pip show -q "${2%%=*}" >/dev/null 2>&1; then
      "$PY" -m venv "$1"
      "$1/bin/python" -m pip install -q "${@:2}"
    fi
  }
  mkpeer .venv-trex "lbr-trex-client==3.4.0"
  mkpeer .venv-xoa "tdl-xoa-driver==1.11.0"
  mkpeer .venv-xoa2 "xoa-driver==2.9.3"
  # Xena's RFC suites (vendored under tests/peers): their framework pins pydantic 1,
  # and the plugins import loguru without listing it
  mkpeer .venv-xoarfc "xoa-core==2.0.8" "xoa-driver==2.9.3" "loguru==0.7.3"
  # OTG: snappi as users run it, and the conformance suite (vendored under
  # tests/peers) with the snappi and pcap reader it pins
  mkpeer .venv-snappi "snappi==1.62.0"
  mkpeer .venv-otgconf "snappi==1.58.0" "pypcapfile==0.12.0" "pytest==7.1.1" "PyYAML"
else
  .venv/bin/python -m pip install -q -e .
fi
