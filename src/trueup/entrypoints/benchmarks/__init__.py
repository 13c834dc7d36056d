"""Benchmarks: measured figures, never timed assertions."""
