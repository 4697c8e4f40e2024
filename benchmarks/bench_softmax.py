"""The softmax VJP against the explicit Jacobian and peers. Same as `tinygrad-sm bench softmax`.

    python benchmarks/bench_softmax.py --out benchmarks/results      # the committed run
    python benchmarks/bench_softmax.py --quick                       # a quick check

The implementation lives in tinygrad_sm/apps/bench/softmax.py, so the installed command
and this script run the same code.
"""
import sys

from tinygrad_sm.apps.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "softmax", *sys.argv[1:]]))
