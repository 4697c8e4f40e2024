"""``tinygrad-sm bench softmax|train|overhead``: measure, print a table, optionally write JSON/CSV/plots."""
import math
import os
import sys
import time

from ..optional import installed, note
from ..runs import run_folder
from .checks import DefaultsHelpFormatter, add_out, fail, gib, memory_limit, run_folder_ok

PEERS = (("torch", "PyTorch"), ("jax", "JAX"))
ARRAYS_PER_CONFIG = 16  # x, g, a, the reference, buffers and every variant's result, at B×N each


def _ints(text, flag):
    """Comma-separated positive integers, in the order given, each once."""
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        fail("bench", f"{flag} takes comma-separated integers, got {text!r}")
    if not all(v >= 1 for v in values):
        fail("bench", f"{flag} takes integers of at least 1, got {text!r}")
    return tuple(dict.fromkeys(values))


def add_parser(sub):
    p = sub.add_parser("bench", help="benchmark the softmax VJP or a training step",
                       formatter_class=DefaultsHelpFormatter,
                       description="Benchmarks: medians of interleaved runs, ratios measured side by side. "
                                   "PyTorch and JAX columns appear when they are installed.")
    p.add_argument("what", choices=["softmax", "train", "overhead", "attention"], help="what to measure")
    p.add_argument("--threads", type=int, default=1, help="threads for NumPy's BLAS, PyTorch and JAX")
    p.add_argument("--sizes",
                   help="softmax: comma-separated N (default: 4,16,64,100,256,1000,1024,4096,16384)")
    p.add_argument("--batches", help="comma-separated B (default: softmax 1,64,1024; train and overhead 32,128)")
    p.add_argument("--dtypes", help="softmax: float32 and/or float64 (default: float32,float64)")
    p.add_argument("--max-bytes", type=float, default=None,
                   help="softmax: skip Jacobians larger than this many bytes (default: 268435456, 256 MiB)")
    p.add_argument("--samples", type=int, default=15, help="timed samples per variant")
    p.add_argument("--lengths", help="attention: comma-separated sequence lengths L (default: 64,128,256,512)")
    p.add_argument("--quick", action="store_true", help="tiny sizes and few samples: checks that it runs")
    add_out(p, None, "the JSON, CSV and plots (softmax) or the JSON (the others)")


def _check(args):
    """Every flag checked, and the sizes resolved onto ``args``, before anything is measured."""
    from ..bench.harness import max_threads

    if args.threads < 1:
        fail("bench", f"--threads must be at least 1, got {args.threads}")
    if args.threads > max_threads():
        fail("bench", f"--threads {args.threads} is more than {max_threads()} (4 per CPU; this machine has "
                      f"{os.cpu_count()})")
    if args.samples < 1:
        fail("bench", f"--samples must be at least 1, got {args.samples}")
    limit, why = memory_limit()
    if args.lengths is not None and args.what != "attention":
        fail("bench", "--lengths applies to bench attention only")
    if args.what == "attention":
        from ..bench import attention

        given = [flag for flag, value in (("--sizes", args.sizes), ("--max-bytes", args.max_bytes)) if value is not None]
        if given:
            fail("bench", f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} to bench softmax only")
        args.lengths = _ints(args.lengths, "--lengths") if args.lengths else ((8, 16) if args.quick else attention.LENGTHS)
        args.batches = _ints(args.batches, "--batches") if args.batches else (8,)
        if len(args.batches) > 1:
            fail("bench", f"bench attention measures one batch size; --batches got {len(args.batches)}")
        args.dtypes = tuple(dict.fromkeys(args.dtypes.split(","))) if args.dtypes else ("float32",)
        if set(args.dtypes) - {"float32", "float64"}:
            fail("bench", f"--dtypes takes float32 and/or float64, got {','.join(args.dtypes)}")
        itemsize = max(8 if d == "float64" else 4 for d in args.dtypes)
        need = 12 * args.batches[0] * 4 * max(args.lengths) ** 2 * itemsize  # heads x L x L maps, several live
        if need > limit:
            fail("bench", f"--lengths {max(args.lengths)} needs about {gib(need)}, more than the {gib(limit)} "
                          f"allowed ({why})")
        return
    if args.what in ("train", "overhead"):
        given = [flag for flag, value in (("--sizes", args.sizes), ("--dtypes", args.dtypes),
                                          ("--max-bytes", args.max_bytes)) if value is not None]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            fail("bench", f"{', '.join(given)} {verb} to bench softmax only")
        default = (4,) if args.quick else (32, 128)
        args.batches = _ints(args.batches, "--batches") if args.batches else default
        need = max(args.batches) * (784 + 256 + 10) * 4 * 8  # activations, gradients and each peer's copies
        if need > limit:
            fail("bench", f"--batches {max(args.batches)} needs about {gib(need)}, more than the "
                          f"{gib(limit)} allowed ({why})")
        return
    from ..bench import softmax

    if args.max_bytes is None:
        args.max_bytes = 2**28
    elif not (math.isfinite(args.max_bytes) and args.max_bytes > 0):
        fail("bench", f"--max-bytes must be a positive number of bytes, got {args.max_bytes}")
    elif args.max_bytes > limit:
        fail("bench", f"--max-bytes {args.max_bytes:.0f} is more than the {gib(limit)} allowed ({why})")
    args.dtypes = tuple(dict.fromkeys(args.dtypes.split(","))) if args.dtypes else ("float32", "float64")
    if set(args.dtypes) - {"float32", "float64"}:
        fail("bench", f"--dtypes takes float32 and/or float64, got {','.join(args.dtypes)}")
    args.sizes = _ints(args.sizes, "--sizes") if args.sizes else ((4, 64) if args.quick else softmax.SIZES)
    default = (1, 8) if args.quick else softmax.BATCHES
    args.batches = _ints(args.batches, "--batches") if args.batches else default
    itemsize = max(8 if d == "float64" else 4 for d in args.dtypes)
    need = ARRAYS_PER_CONFIG * max(args.sizes) * max(args.batches) * itemsize
    if need > limit:
        fail("bench", f"--sizes {max(args.sizes)} with --batches {max(args.batches)} needs about "
                      f"{gib(need)}, more than the {gib(limit)} allowed ({why})")


def run(args):
    from ..bench import harness, report

    _check(args)
    if args.out:
        run_folder_ok(args.out, "bench", overwrite=args.overwrite)
    harness.pin_threads(args.threads)
    facts = harness.machine(args.threads)
    print(harness.describe(facts), flush=True)
    missing = [(module, name) for module, name in PEERS if module not in facts]
    start = time.perf_counter()
    measure = {"softmax": lambda: _softmax(args, facts, report), "overhead": lambda: _overhead(args, facts, report, missing),
               "attention": lambda: _attention(args, facts, report), "train": lambda: _train(args, facts, report, missing)}
    if args.out:
        with run_folder(args.out, overwrite=args.overwrite) as folder:
            args.out = folder.path  # every file goes into the new folder, renamed into place at the end
            measure[args.what]()
        print(f"wrote {', '.join(sorted(os.listdir(folder.final)))} to {folder.final}{os.sep}")
    else:
        measure[args.what]()
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


def _softmax(args, facts, report):
    from ..bench import softmax

    def progress(dtype, B, N):
        print(f"  measured {dtype} B={B} N={N}", file=sys.stderr)

    records, skipped = softmax.run(args.sizes, args.batches, args.dtypes, args.max_bytes,
                                   3 if args.quick else args.samples, min_time=2e-4 if args.quick else 2e-3,
                                   progress=progress)
    print(report.softmax_table(records))
    for line in report.skipped_lines(skipped, records):
        print(line)
    if args.out:
        report.write_json(os.path.join(args.out, "softmax.json"),
                          {"machine": facts, "records": records, "skipped": skipped})
        report.write_csv(os.path.join(args.out, "softmax.csv"), records)
        if not installed("matplotlib"):
            note("skipped the softmax_B*.png plots: matplotlib is not installed (pip install matplotlib)")
            return
        for B in args.batches:
            report.softmax_plot(records, os.path.join(args.out, f"softmax_B{B}.png"), B=B,
                                dtype=args.dtypes[0], facts=facts)


def _train(args, facts, report, missing):
    from ..bench import train

    results = train.run(args.batches, n_ops=20 if args.quick else 1000,
                        samples=3 if args.quick else args.samples, min_time=2e-4 if args.quick else 5e-3,
                        digits_samples=0 if args.quick else 5)
    print(report.train_table(results))
    for module, name in missing:
        print(f"{name} is not installed: its rows are left out (pip install {module})")
    if args.out:
        report.write_json(os.path.join(args.out, "train.json"), {"machine": facts, **results})



def _overhead(args, facts, report, missing):
    from ..bench import overhead

    records, _ = overhead.run(samples=3 if args.quick else args.samples, min_time=2e-4 if args.quick else 5e-3,
                              n_ops=20 if args.quick else 1000, batches=args.batches)
    print(overhead.table(records))
    for module, name in missing:
        if module == "torch":
            print(f"{name} is not installed: the chain and tiny-mlp rows have no reference (pip install torch)")
    if args.out:
        report.write_json(os.path.join(args.out, "overhead.json"), {"machine": facts, "records": records})


def _attention(args, facts, report):
    from ..bench import attention

    records = []
    for dtype in args.dtypes:
        records += attention.run(args.lengths, batch=args.batches[0], dtype=dtype,
                                 samples=3 if args.quick else args.samples, min_time=2e-4 if args.quick else 2e-3,
                                 progress=lambda L: print(f"  measured L={L}", file=sys.stderr))
    print(attention.table(records))
    if args.out:
        report.write_json(os.path.join(args.out, "attention.json"), {"machine": facts, "records": records})
