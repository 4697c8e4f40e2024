"""``tinygrad-sm bench softmax|train``: measure, print a table, optionally write JSON/CSV/plots."""
import os
import sys
import time

from .errors import UsageError


def _ints(text):
    try:
        return tuple(int(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"tinygrad-sm bench: error: expected comma-separated integers, got {text!r}") from None


def add_parser(sub):
    p = sub.add_parser("bench", help="benchmark the softmax VJP or a training step",
                       description="Benchmarks: medians of interleaved runs, ratios measured side by side.")
    p.add_argument("what", choices=["softmax", "train", "overhead"])
    p.add_argument("--threads", type=int, default=1, help="threads for NumPy's BLAS, PyTorch and JAX (default 1)")
    p.add_argument("--sizes", help="softmax: comma-separated N (default 4,...,16384)")
    p.add_argument("--batches", help="comma-separated B (softmax default 1,64,1024; train 32,128)")
    p.add_argument("--dtypes", default="float32,float64", help="softmax: dtypes (default float32,float64)")
    p.add_argument("--max-bytes", type=float, default=2**28,
                   help="softmax: skip Jacobians larger than this many bytes (default 256 MiB)")
    p.add_argument("--samples", type=int, default=15, help="timed samples per variant (default 15)")
    p.add_argument("--quick", action="store_true", help="tiny sizes and few samples: checks that it runs")
    p.add_argument("--out", help="directory for the JSON, CSV and plot (softmax) or JSON (train)")


def run(args):
    from ..bench import harness, report

    if args.threads < 1 or args.samples < 1:
        raise UsageError("tinygrad-sm bench: error: --threads and --samples must be at least 1")
    harness.pin_threads(args.threads)
    facts = harness.machine(args.threads)
    print(harness.describe(facts))
    if args.out:
        try:
            os.makedirs(args.out, exist_ok=True)
        except OSError as e:
            raise UsageError(f"tinygrad-sm bench: error: cannot write to --out {args.out}: {e.strerror or e}") from None
    start = time.perf_counter()
    if args.what == "softmax":
        from ..bench import softmax

        sizes = _ints(args.sizes) if args.sizes else ((4, 64) if args.quick else softmax.SIZES)
        batches = _ints(args.batches) if args.batches else ((1, 8) if args.quick else softmax.BATCHES)
        dtypes = tuple(args.dtypes.split(","))
        if set(dtypes) - {"float32", "float64"}:
            raise UsageError(f"tinygrad-sm bench: error: --dtypes takes float32 and/or float64, got {args.dtypes}")
        samples = 3 if args.quick else args.samples
        records, skipped = softmax.run(sizes, batches, dtypes, args.max_bytes, samples,
                                       min_time=2e-4 if args.quick else 2e-3,
                                       progress=lambda d, b, n: print(f"  measured {d} B={b} N={n}", file=sys.stderr))
        print(report.softmax_table(records))
        for s in skipped:
            print(f"skipped {s['variant']} at {s['dtype']} B={s['B']} N={s['N']}: {s['reason']}")
        if args.out:
            report.write_json(os.path.join(args.out, "softmax.json"),
                              {"machine": facts, "records": records, "skipped": skipped})
            report.write_csv(os.path.join(args.out, "softmax.csv"), records)
            for B in batches:
                report.softmax_plot(records, os.path.join(args.out, f"softmax_B{B}.png"), B=B,
                                    dtype=dtypes[0], facts=facts)
    elif args.what == "overhead":
        from ..bench import overhead

        records, has_torch = overhead.run(samples=3 if args.quick else args.samples,
                                          min_time=2e-4 if args.quick else 5e-3, n_ops=20 if args.quick else 1000,
                                          batches=(4,) if args.quick else (32, 128))
        print(overhead.table(records))
        if not has_torch:
            print("PyTorch is not installed: the chain and tiny-mlp rows have no reference")
        if args.out:
            report.write_json(os.path.join(args.out, "overhead.json"), {"machine": facts, "records": records})
    else:
        from ..bench import train

        batches = _ints(args.batches) if args.batches else ((4,) if args.quick else (32, 128))
        results = train.run(batches, n_ops=20 if args.quick else 1000, samples=3 if args.quick else args.samples,
                            min_time=2e-4 if args.quick else 5e-3, digits_samples=0 if args.quick else 5)
        print(report.train_table(results))
        if args.out:
            report.write_json(os.path.join(args.out, "train.json"), {"machine": facts, **results})
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0
