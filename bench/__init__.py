"""The benchmark (issue 9): `make bench`. See bench/README.md."""
