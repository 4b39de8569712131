"""The Xena front ends: XOA binary protocol (TCP 22606) and text CLI (TCP 22611).

Both run on one command layer (:class:`XenaChassis`) per tester, built by their
owner (the daemon) and handed to both servers, so a stream set over the binary
protocol reads back the same over the CLI; both drive the same tester as every
other front end.
"""

from wirespeed.server.xena.chassis import XenaChassis
from wirespeed.server.xena.cli import CLI_PORT, XenaCliServer
from wirespeed.server.xena.profile import ChassisProfile, ModuleProfile, PortLimits
from wirespeed.server.xena.status import Status, XenaStatusError
from wirespeed.server.xena.xoa import XOA_PORT, XoaServer

__all__ = [
    "CLI_PORT",
    "XOA_PORT",
    "ChassisProfile",
    "ModuleProfile",
    "PortLimits",
    "Status",
    "XenaChassis",
    "XenaCliServer",
    "XenaStatusError",
    "XoaServer",
]
