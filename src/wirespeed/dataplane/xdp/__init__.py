"""The AF_XDP driver: an AF_XDP socket per port, its UMEM and rings worked with
numpy, and the port's XDP program (libxdp and libbpf through ctypes).

Import the submodules: :mod:`.port` (the RX worker's side), :mod:`.send` (the TX
worker's), :mod:`.receive`, :mod:`.program`, :mod:`.rings`, :mod:`.libs`; this
package itself loads nothing.
"""
