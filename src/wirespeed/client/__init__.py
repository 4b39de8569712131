"""The native Python API (in-process): tester -> modules -> ports -> streams."""

from wirespeed.client.api import Chassis, Module, Port, StreamHandle

__all__ = ["Chassis", "Module", "Port", "StreamHandle"]
