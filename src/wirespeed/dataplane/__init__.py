"""The data plane: AF_PACKET TX/RX in batches, pacing, worker processes, counters."""
