from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from wirespeed.tlscerts import CertStore


def test_leaf_per_name_signed_by_the_run_ca() -> None:
    store = CertStore.create(["www.sharepoint.com", "a.test", "a.test"])
    try:
        ca = x509.load_pem_x509_certificate(store.ca_path.read_bytes())
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        names = sorted(p.name for p in store.directory.iterdir())
        assert names == [
            "a.test.key",
            "a.test.pem",
            "ca.pem",
            "www.sharepoint.com.key",
            "www.sharepoint.com.pem",
        ]
        cert_path, key_path = store.paths("www.sharepoint.com")
        leaf = x509.load_pem_x509_certificate(cert_path.read_bytes())
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        assert san.value.get_values_for_type(x509.DNSName) == ["www.sharepoint.com"]
        assert leaf.issuer == ca.subject
        assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
        leaf.verify_directly_issued_by(ca)
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    finally:
        store.remove()
    assert not store.directory.exists()


def test_directories_of_killed_runs_are_removed_by_the_next(tmp_path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(child.stdout)  # that process has exited
    stale = tmp_path / f"wirespeed-tls-{dead}-k1ll3d"
    alive = tmp_path / f"wirespeed-tls-{os.getpid()}-running"
    other = tmp_path / "wirespeed-tls-notours"
    for path in (stale, alive, other):
        path.mkdir()
        (path / "ca.pem").write_text("x")
    store = CertStore.create(["a.test"], parent=tmp_path)
    try:
        assert not stale.exists()
        assert alive.exists()
        assert other.exists()
        assert store.directory.name.startswith(f"wirespeed-tls-{os.getpid()}-")
        assert CertStore.remove_stale(tmp_path) == []  # ours: its process runs
    finally:
        store.remove()
