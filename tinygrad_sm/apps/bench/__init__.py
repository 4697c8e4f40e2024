"""Benchmarks behind ``tinygrad-sm bench`` (and the scripts in ``benchmarks/``).

``softmax``: the output-only VJP against the explicit Jacobian and peers;
``train``: an MLP step and per-op costs. ``harness``: pinned threads, interleaved
timing, medians; ``report``: tables, JSON/CSV, plots. Speed lives here, never in tests.
"""
