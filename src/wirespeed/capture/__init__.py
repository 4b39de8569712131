"""Packet capture: BPF filters compiled by libpcap and run by the kernel, capture
sockets, pcap and pcapng files."""
