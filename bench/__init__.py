"""Benchmarks: a load generator of simulated phones, the bare-transport floor, a report."""
