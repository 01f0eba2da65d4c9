"""Trivial-job apps of the task engines compared by ``bench_perception_engines.py``."""
