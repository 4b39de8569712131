"""The native Python API: tester -> modules -> ports -> streams, in-process
(``Chassis.embedded``) or on another host's daemon (``Chassis.connect``)."""

from wirespeed.client.api import Chassis, Module, Port, StreamHandle

__all__ = ["Chassis", "Module", "Port", "StreamHandle"]
