"""wirespeed: a software traffic generator and network tester.

The layers, from pure to IO: ``packet``, ``model``, ``fieldengine``, ``tpld``,
``analysis`` (pure, numpy) and ``dataplane``, ``topology``, ``service``, ``server``,
``client``, ``stateful``, ``cli`` (IO).
"""

from wirespeed._version import __version__

__all__ = ["__version__"]
