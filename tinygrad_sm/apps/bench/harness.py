"""Honest timing: pinned threads, interleaved variants, medians and IQRs, machine facts."""
import os
import platform
import time
import tracemalloc

import numpy as np

from ...checks import is_int

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def max_threads():
    """The most threads a benchmark may ask for: four per CPU (PyTorch crashes on absurd
    counts such as 100000 instead of refusing them)."""
    return 4 * (os.cpu_count() or 1)


def pin_threads(n):
    """Use ``n`` threads in NumPy's BLAS and, if they are installed, PyTorch and JAX.

    BLAS is limited at run time (threadpoolctl); the environment variables cover
    libraries imported later (PyTorch, JAX's XLA reads its flags at import).
    ``n`` must be an int from 1 to ``max_threads()`` (a ValueError otherwise).
    """
    if not is_int(n) or not 1 <= n <= max_threads():
        raise ValueError(f"pin_threads: n must be an int from 1 to {max_threads()} "
                         f"(4 per CPU, {os.cpu_count()} CPUs), got {n!r}")
    for var in _THREAD_VARS:
        os.environ[var] = str(n)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_cpu_multi_thread_eigen={'true' if n > 1 else 'false'}").strip()
    limiter = None
    try:
        import threadpoolctl

        limiter = threadpoolctl.threadpool_limits(n)
    except ImportError:
        pass
    torch = optional("torch")
    if torch is not None:
        torch.set_num_threads(n)
    return limiter


def optional(name):
    """Import a comparison library if it is installed, else None."""
    try:
        return __import__(name)
    except ImportError:
        return None


def machine(threads):
    """What a result was measured on: printed and stored with every result."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = "unknown"
    try:
        import threadpoolctl

        info = threadpoolctl.threadpool_info()
        blas = ", ".join(f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)" for i in info)
    except ImportError:
        pass
    from ... import __version__

    facts = {
        "cpu": cpu, "cores": os.cpu_count(), "threads": threads, "python": platform.python_version(),
        "numpy": np.__version__, "blas": blas, "tinygrad_sm": __version__,
    }
    torch = optional("torch")
    if torch is not None:
        facts["torch"] = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    jax = optional("jax")
    if jax is not None:
        facts["jax"] = jax.__version__
    return facts


def describe(facts):
    return " | ".join(f"{k} {v}" for k, v in facts.items())


def interleaved(variants, samples=15, min_time=2e-3, max_inner=10000):
    """Time every variant in turn, round-robin, so drifts in machine load hit all alike.

    Each variant is first calibrated to an inner loop of at least ``min_time``;
    a sample is the mean time of one call in that loop. Returns ``{name: (median,
    q1, q3)}`` in seconds.
    """
    inner = {}
    for name, fn in variants.items():
        fn()  # warm up
        n, elapsed = 1, 0.0
        while n < max_inner:
            start = time.perf_counter()
            for _ in range(n):
                fn()
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
            n *= 4
        inner[name] = n
    times = {name: [] for name in variants}
    for _ in range(samples):
        for name, fn in variants.items():
            n = inner[name]
            start = time.perf_counter()
            for _ in range(n):
                fn()
            times[name].append((time.perf_counter() - start) / n)
    return {name: tuple(np.percentile(ts, [50, 25, 75])) for name, ts in times.items()}


def peak_bytes(fn):
    """Peak bytes NumPy allocates during one call (tracemalloc sees NumPy's allocator;
    it does not see PyTorch's or JAX's, so those are reported as unknown)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
