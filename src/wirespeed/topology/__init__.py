"""Network namespaces, veth pairs, bridges and the embedded default test bed."""
