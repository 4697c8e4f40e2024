"""An MLP training step and per-op costs against hand-written NumPy and peers.
Same as `tinygrad-sm bench train`.

    python benchmarks/bench_train.py --out benchmarks/results
"""
import sys

from tinygrad_sm.apps.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "train", *sys.argv[1:]]))
