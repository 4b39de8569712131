"""Certificates for TLS servers (app traffic, the OTG API), made per run with the
``cryptography`` package.

A run gets its own throwaway certificate authority and one leaf certificate per
``server_name`` (subject CN and subjectAltName DNS = the name, ECDSA P-256). Clients
trust only that CA and verify the server's name, and servers check the SNI that each
client sends, so a TLS connection only completes when both sides agree on the name.
The PEM files live in a private temporary directory that :meth:`CertStore.remove`
deletes. Its name carries the creating process's pid, so the directory of a run that
was killed is removed by the next :meth:`CertStore.create` (see
:meth:`CertStore.remove_stale`).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import ssl
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["CertStore", "client_context", "server_context"]

_VALID = datetime.timedelta(days=2)
_PREFIX = "wirespeed-tls-"
_STALE = re.compile(rf"^{_PREFIX}(\d+)-[A-Za-z0-9_]+$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "wirespeed app traffic"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _validity(
    builder: x509.CertificateBuilder, now: datetime.datetime
) -> x509.CertificateBuilder:
    return (
        builder.serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALID)
    )


def _ca_certificate(
    key: ec.EllipticCurvePrivateKey, now: datetime.datetime
) -> x509.Certificate:
    name = _name("wirespeed test CA")
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name)
    return (
        _validity(builder.public_key(key.public_key()), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )


def _leaf_certificate(
    server_name: str,
    key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    now: datetime.datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(server_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
    )
    return (
        _validity(builder, now)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(server_name)]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


class CertStore:
    """A CA plus one leaf certificate per server name, as PEM files.

    Args:
        directory: where the files are (made by :meth:`create`).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def create(
        cls, server_names: Iterable[str], *, parent: Path | None = None
    ) -> CertStore:
        """Make a new CA and a leaf certificate for each name, in a new directory.

        Directories that killed runs left in ``parent`` are removed first.
        """
        cls.remove_stale(parent)
        prefix = f"{_PREFIX}{os.getpid()}-"
        store = cls(Path(tempfile.mkdtemp(prefix=prefix, dir=parent)))
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _ca_certificate(ca_key, now)
        store.ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        for server_name in dict.fromkeys(server_names):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _leaf_certificate(server_name, key, ca_cert, ca_key, now)
            cert_path, key_path = store.paths(server_name)
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            key_path.write_bytes(_pem_key(key))
            key_path.chmod(0o600)
        return store

    @staticmethod
    def remove_stale(parent: Path | None = None) -> list[Path]:
        """Remove the directories of runs whose process is gone; return them.

        Only directories named by :meth:`create` and owned by this user are looked
        at, and only those whose creating process no longer exists are removed.
        """
        where = Path(tempfile.gettempdir()) if parent is None else parent
        removed: list[Path] = []
        for path in sorted(where.glob(f"{_PREFIX}*")):
            match = _STALE.match(path.name)
            if match is None or _pid_alive(int(match.group(1))):
                continue
            with contextlib.suppress(FileNotFoundError):  # another run was first
                if not path.is_dir() or path.stat().st_uid != os.geteuid():
                    continue
                shutil.rmtree(path)
                removed.append(path)
        return removed

    @property
    def ca_path(self) -> Path:
        """The CA certificate (what clients trust)."""
        return self.directory / "ca.pem"

    def paths(self, server_name: str) -> tuple[Path, Path]:
        """The certificate and key files of ``server_name``."""
        return (
            self.directory / f"{server_name}.pem",
            self.directory / f"{server_name}.key",
        )

    def remove(self) -> None:
        """Delete the directory and every file in it."""
        shutil.rmtree(self.directory, ignore_errors=False)


def server_context(
    store: CertStore,
    server_name: str,
    on_sni: Callable[[str | None], bool],
) -> ssl.SSLContext:
    """A server context for ``server_name`` that checks each client's SNI.

    Args:
        store: where the certificate is.
        server_name: the only name this server answers to.
        on_sni: called with the SNI each client sent (None if it sent none); the
            handshake is refused (``unrecognized_name``) when it returns False.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    cert, key = store.paths(server_name)
    ctx.load_cert_chain(cert, key)

    def check(_obj: object, sni: str | None, _ctx: ssl.SSLContext) -> int | None:
        return None if on_sni(sni) else ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME

    ctx.sni_callback = check
    return ctx


def client_context(store: CertStore) -> ssl.SSLContext:
    """A client context that trusts only the run's CA and checks the server name."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(store.ca_path))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx
