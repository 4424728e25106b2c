"""The benchmark: `make bench` (bench/README.md). Not part of the installed product."""
