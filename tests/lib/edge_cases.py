"""Edge values, dtypes and one adapter per registered op, for the differential harness.

``test_edges.py`` runs every op in ``tinygrad_sm.ops.REGISTRY`` through the adapter
named after it here. An adapter says how to draw a case for its op (shapes, axes,
indices, values from ``edges``) and how to run that case three ways:

* ``ours``: through the public API (Tensor methods, ``tinygrad_sm.functional``, or
  ``Op.apply`` for the ops users do not call directly: Affine, Scatter, SoftmaxVJP);
* ``ref``: with NumPy, the reference for forward values and dtypes;
* ``torch``: with PyTorch, the optional cross-check of values and gradients.

A case's ``args`` are ndarrays or Python scalars; ``tensors[i]`` says whether
``args[i]`` becomes a Tensor (the others, like a ``where`` condition or
cross-entropy targets, are passed as they are). ``smooth`` draws a case on which
the op is differentiable (no kinks, ties or poles within the finite-difference
step), for the float64 central-difference check.
"""
import functools
import math
from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_sm as tg
from tinygrad_sm.ops import Affine, Scatter, SoftmaxVJP

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
INTS = (np.dtype(np.int8), np.dtype(np.int32), np.dtype(np.int64), np.dtype(np.uint8))
DTYPES = FLOATS + INTS + (np.dtype(np.bool_),)


# --- values ------------------------------------------------------------------------
def edges(dtype):
    """The values most likely to break an op, for ``dtype``."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        fi = np.finfo(dt)
        return [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, math.inf, -math.inf, math.nan,
                float(fi.max), -float(fi.max), float(fi.tiny), float(fi.smallest_subnormal), 1e4]
    if dt.kind == "b":
        return [False, True]
    ii = np.iinfo(dt)
    vals = [0, 1, 2, 7, int(ii.max), int(ii.min)]
    if dt.kind == "i":
        vals += [-1, -3, int(ii.min) + 1]
    return vals


class Values:
    """A pool of values an array is filled from: ``pick`` edge values (each array takes
    none, some or only those) mixed with ``regular(rng, n)`` ordinary ones."""

    def __init__(self, pick, regular):
        self.pick, self.regular = list(pick), regular

    def sample(self, rng, n):
        share = rng.choice([0.0, 0.3, 1.0]) if self.pick and self.regular else (1.0 if self.pick else 0.0)
        out = np.array(self.regular(rng, n) if self.regular else [None] * n, dtype=object)
        take = rng.random(n) < share
        if take.any():
            out[take] = [self.pick[i] for i in rng.integers(0, len(self.pick), int(take.sum()))]
        return out.tolist()


@functools.cache
def elements(dtype, regular=True):
    """Edge values of ``dtype``, and (``regular``) ordinary ones."""
    dt = np.dtype(dtype)
    if not regular or dt.kind == "b":
        return Values(edges(dt), None)
    if dt.kind == "f":
        return Values(edges(dt), lambda rng, n: rng.uniform(-10, 10, n).astype(dt).tolist())
    ii = np.iinfo(dt)
    lo, hi = max(int(ii.min), -100), min(int(ii.max), 100)
    return Values(edges(dt), lambda rng, n: rng.integers(lo, hi + 1, n).tolist())


def ints(lo, hi):
    return Values([], lambda rng, n: rng.integers(lo, hi + 1, n).tolist())


def uniform(lo, hi):
    return Values([], lambda rng, n: rng.uniform(lo, hi, n).tolist())


@functools.cache
def shapes(min_dims=0, max_dims=3, min_side=0, max_side=3):
    """Shapes with size-0 axes among them."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


SEEDS = st.integers(0, 2**32 - 1)


def array(data, dtype, shape, values=None):
    """An array of ``shape`` filled from ``values`` (default: ``elements(dtype)``), by one
    seeded draw: cheap enough to run every op on every dtype in seconds."""
    n = int(np.prod(shape, dtype=np.int64))
    rng = np.random.default_rng(data.draw(SEEDS, label="values seed"))
    vals = (values or elements(np.dtype(dtype))).sample(rng, n)
    with np.errstate(over="ignore"):
        return np.array(vals, dtype=dtype).reshape(shape)


def python_scalar(data):
    """A Python number of the kind a user would write next to a tensor of ``dtype``."""
    kind = data.draw(st.sampled_from(["bool", "int", "float"]))
    if kind == "bool":
        return data.draw(st.booleans())
    if kind == "int":
        return data.draw(st.sampled_from([0, 1, -1, 2, 3, 300, -300, 2**40]))
    return data.draw(st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, math.inf, -math.inf, math.nan, 1e300]))


# Moderate, finite values for central differences (tiny and zero among them).
SMOOTH = Values([0.0, 1.0, -1.0, 1e-300, -2.5], lambda rng, n: rng.uniform(-3, 3, n).tolist())
POSITIVE = Values([1.0, 0.5, 3.0], lambda rng, n: rng.uniform(0.1, 4, n).tolist())
AWAY_FROM_ZERO = Values([1.0, -0.5, 3.0, -3.0],
                        lambda rng, n: (rng.uniform(0.1, 4, n) * rng.choice([-1.0, 1.0], n)).tolist())


def smooth_array(data, shape, elems=SMOOTH):
    return array(data, np.float64, shape, elems)


# --- cases and adapters ------------------------------------------------------------
@dataclass
class Case:
    args: list
    params: dict = field(default_factory=dict)
    tensors: tuple = None  # which args become tensors (default: the ndarrays)

    def __post_init__(self):
        if self.tensors is None:
            self.tensors = tuple(isinstance(a, np.ndarray) for a in self.args)


@dataclass
class Adapter:
    draw: object  # (data, dtype) -> Case
    ours: object  # (args, params) -> Tensor; args are Tensors where case.tensors says so
    ref: object  # (args, params) -> ndarray, or raises what we must raise too
    smooth: object = None  # (data) -> Case with float64 args, differentiable there
    torch: object = None  # (torch, args, params) -> torch.Tensor
    rtol: float = 0.0  # 0: forward must equal NumPy exactly (the same NumPy call)
    # Whose magnitude the absolute error may grow with: "inputs" (sums, where huge terms
    # cancel), "outputs" (log-probabilities: the error is relative to the result), or None.
    scaled: str = None
    torch_skip: object = None  # (case) -> reason: a point where we differ from PyTorch on purpose


def _unary(fn, torch_fn, ref, domain=SMOOTH, rtol=0.0):
    def draw(data, dtype):
        return Case([array(data, dtype, data.draw(shapes()))])

    def smooth(data):
        return Case([smooth_array(data, data.draw(shapes()), domain)])

    return Adapter(draw, lambda a, p: fn(a[0]), ref, smooth,
                   torch=lambda torch, a, p: torch_fn(torch, a[0]), rtol=rtol)


def _binary(fn, ufunc, domains=(SMOOTH, SMOOTH), torch_skip=None):
    """Tensor op tensor (NumPy promotion), tensor op scalar and scalar op tensor (the
    scalar adapts to the tensor's dtype: NumPy's rule for Python scalars)."""

    def draw(data, dtype):
        mode = data.draw(st.sampled_from(["tensor-tensor", "tensor-scalar", "scalar-tensor"]))
        if mode == "tensor-tensor":
            pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                               min_side=0, max_side=3))
            other = data.draw(st.sampled_from(DTYPES))
            sx, sy = pair.input_shapes
            return Case([array(data, dtype, sx), array(data, other, sy)])
        x, s = array(data, dtype, data.draw(shapes())), python_scalar(data)
        return Case([x, s] if mode == "tensor-scalar" else [s, x])

    def smooth(data):
        pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                           min_side=0, max_side=3))
        sx, sy = pair.input_shapes
        return Case([smooth_array(data, sx, domains[0]), smooth_array(data, sy, domains[1])])

    # The reference is the ufunc, not the operator: ndarray ** 2 takes a squaring shortcut
    # with its own dtype rule (bool ** 2 is int8 there, int64 by np.power).
    return Adapter(draw, lambda a, p: fn(a[0], a[1]), lambda a, p: ufunc(a[0], a[1]), smooth,
                   torch=lambda torch, a, p: fn(a[0], a[1]), torch_skip=torch_skip)


def _div_torch_skip(case):
    x, y = case.args
    if not isinstance(y, np.ndarray) or y.dtype.kind != "f":
        return None
    fi = np.finfo(y.dtype)
    a = np.abs(y[np.isfinite(y) & (y != 0)])
    if not isinstance(x, np.ndarray) and (a < fi.tiny).any():
        return "PyTorch divides a scalar by a tensor as scalar * (1/y): 1/subnormal is inf, 0 * inf NaN"
    if ((a < np.sqrt(fi.tiny)) | (a > np.sqrt(fi.max))).any():
        return "PyTorch's ȳ = −g·x/y² under/overflows where y² does; ours, −g·(x/y)/y, does not"
    return None


def _pow_torch_skip(case):
    if any(type(a) is int and abs(a) > 2**24 for a in case.args):
        return "an integer exponent beyond float32's 24 bits rounds differently on its way to PyTorch's kernel"
    if type(case.args[0]) is bool:
        return "PyTorch's backward of bool ** tensor fails an internal assert"
    if type(case.args[1]) is bool:
        return ("PyTorch does not mask a bool exponent's zero: its gradient of x ** False at a NaN x is NaN, "
                "ours is 0, the derivative of the constant x ** 0, as for an int or float 0")
    if np.isneginf(np.asarray(case.args[0], dtype=np.float64)).any():
        return "NumPy's power gives NaN for (-inf) ** y at non-integer y, where C's pow and PyTorch give inf"
    return None


def _blas_torch_skip(case):
    arrays = [a for a in case.args if isinstance(a, np.ndarray) and a.size]
    if any(a.dtype.kind == "f" and not np.isfinite(a).all() for a in arrays):
        return "BLAS kernels differ on inf·0 and inf − inf inside a dot product"
    if len(arrays) >= 2 and arrays[0].dtype.kind == "f":
        bound = np.prod([float(np.abs(a).max()) + 1 for a in arrays[:2]]) * 16  # 3 terms and a bias, squared
        if bound > np.finfo(arrays[0].dtype).max:
            return "products that overflow: where inf − inf lands depends on the BLAS kernel's order"
    return None


def _float_for(dtype):
    """The dtype sigmoid and the softmax family compute in: integers and bools in float64
    (the core's choice, like SciPy's expit; NumPy's exp would give float16 for 8-bit ints)."""
    return np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float64)


def _sigmoid_ref(a, p):
    x = a[0]
    with np.errstate(over="ignore"):
        out = 1 / (1 + np.exp(-x.astype(np.float64)))
    return out.astype(_float_for(x.dtype))


def _axis(data, ndim):
    """An axis argument: None, an int (negative too) or a tuple of distinct axes."""
    options = [st.none()]
    if ndim:
        options += [st.integers(-ndim, ndim - 1), st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple)]
    return data.draw(st.one_of(options))


def _reduced_count(shape, axis):
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _sum_may_overflow(case):
    x = case.args[0]
    finite = np.abs(x[np.isfinite(x)]).astype(np.float64)
    if x.dtype.kind == "f" and finite.sum() > np.finfo(x.dtype).max:
        return "a sum of finite terms that overflows depends on the order they are added in"
    return None


def _reduction(method, ref_fn, empty_raises=False):
    def draw(data, dtype):
        x = array(data, dtype, data.draw(shapes()))
        return Case([x], {"axis": _axis(data, x.ndim), "keepdims": data.draw(st.booleans())})

    def ref(a, p):
        x = a[0]
        if empty_raises and _reduced_count(x.shape, p["axis"]) == 0:
            # Decision: the mean (max, min) over nothing is an error, not NaN; NumPy
            # agrees for max and min, and warns and gives NaN for the mean.
            raise ValueError("reduction over no elements")
        return ref_fn(x, axis=p["axis"], keepdims=p["keepdims"])

    def smooth(data):
        x = smooth_array(data, data.draw(shapes(min_side=1)))
        axis = _axis(data, x.ndim)
        if method in ("max", "min"):
            assume(_no_ties(x, axis))
        return Case([x], {"axis": axis, "keepdims": data.draw(st.booleans())})

    def torch_fn(torch, a, p):
        x, axis = a[0], p["axis"]
        if axis == ():
            return x * 1  # NumPy: axis=() reduces nothing; PyTorch's dim=() reduces everything (pinned)
        if method in ("max", "min") and axis is None:
            out = getattr(x, method)()  # the full reduction spreads ties and NaN like ours
            return out.reshape((1,) * x.ndim) if p["keepdims"] else out
        dim = tuple(range(x.ndim)) if axis is None else axis
        fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[method]
        return fn(x, dim=dim, keepdim=p["keepdims"])

    return Adapter(draw, lambda a, p: getattr(a[0], method)(axis=p["axis"], keepdims=p["keepdims"]), ref,
                   smooth, torch=torch_fn, rtol=1e-6 if method == "mean" else 0.0, scaled="inputs",
                   torch_skip=_sum_may_overflow if method in ("sum", "mean") else None)


def _no_ties(x, axis, gap=1e-4):
    """No two entries of a reduced slice within ``gap`` of each other (the max is smooth there)."""
    if x.size == 0:
        return True
    axes = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    if not axes:
        return True
    axes = tuple(a % x.ndim for a in axes)
    rest = [i for i in range(x.ndim) if i not in axes]
    rows = np.transpose(x, rest + list(axes)).reshape(-1, _reduced_count(x.shape, axes))
    s = np.sort(rows, axis=1)
    return bool(np.all(np.diff(s, axis=1) > gap))


# --- shape ops ----------------------------------------------------------------------
def _reshape_draw(data, dtype, elems=None):
    x = array(data, dtype, data.draw(shapes()), elems)
    return Case([x], {"shape": _target_shape(data, x.size)})


def _target_shape(data, size):
    """A shape of ``size`` elements (sometimes with a -1)."""
    dims = []
    left = size
    for _ in range(data.draw(st.integers(0, 3))):
        divisors = [d for d in range(5) if (d == 0 and left == 0) or (d and left % d == 0)]
        d = data.draw(st.sampled_from(divisors)) if divisors else 1
        dims.append(d)
        left = left // d if d else 0
    if left != 1 or not dims:
        dims.append(left)
    if size and data.draw(st.booleans()):
        dims[data.draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims) if int(np.prod(dims)) == size or -1 in dims else (size,)


def _transpose_draw(data, dtype, elems=None):
    x = array(data, dtype, data.draw(shapes()), elems)
    axes = None if data.draw(st.booleans()) else tuple(data.draw(st.permutations(range(x.ndim))))
    if axes and data.draw(st.booleans()):  # negative spellings
        axes = tuple(a - x.ndim for a in axes)
    return Case([x], {"axes": axes})


def _broadcast_draw(data, dtype, elems=None):
    x = array(data, dtype, data.draw(shapes()), elems)
    lead = data.draw(shapes(max_dims=2))
    to = lead + tuple(data.draw(st.integers(0, 3)) if n == 1 else n for n in x.shape)
    return Case([x], {"shape": to})


def index_for(data, shape):
    """An index a NumPy user would write: ints, slices, None, ..., integer arrays
    (repeats allowed) and boolean masks, alone or in a tuple."""
    items = []
    axis = 0
    for _ in range(data.draw(st.integers(1, max(1, len(shape))))):
        left = len(shape) - axis
        kinds = ["none", "ellipsis"]
        if left:
            kinds += ["int", "slice", "array", "mask"]
        kind = data.draw(st.sampled_from(kinds))
        n = shape[axis] if left else 0
        if kind == "none":
            items.append(None)
        elif kind == "ellipsis":
            items.append(Ellipsis)
            break
        elif kind == "int":
            if n == 0:
                continue
            items.append(data.draw(st.integers(-n, n - 1)))
            axis += 1
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-n - 1, n + 1))
            step = data.draw(st.one_of(st.none(), st.sampled_from([1, 2, -1, -2])))
            items.append(slice(data.draw(bound), data.draw(bound), step))
            axis += 1
        elif kind == "array":
            k = data.draw(st.integers(0, 3)) if n else 0
            idx = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=k, max_size=k)) if n else [],
                           dtype=np.intp)
            items.append(idx)
            axis += 1
        else:
            items.append(array(data, np.bool_, (n,)))
            axis += 1
    if len(items) == 1 and data.draw(st.booleans()):
        return items[0]
    return tuple(items)


def _getitem_draw(data, dtype):
    x = array(data, dtype, data.draw(shapes(min_dims=1)))
    return Case([x], {"index": index_for(data, x.shape)})


def _getitem_smooth(data):
    x = smooth_array(data, data.draw(shapes(min_dims=1)))
    return Case([x], {"index": index_for(data, x.shape)})


def _scatter_ref(a, p):
    x, index, shape = a[0], p["index"], p["shape"]
    out = np.zeros(shape, dtype=x.dtype)
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, np.ndarray) and i.dtype != bool for i in items):
        np.add.at(out, index, x)  # repeated indices accumulate
    else:
        out[index] = x
    return out


def _scatter_draw(data, dtype):
    shape = data.draw(shapes(min_dims=1))
    index = index_for(data, shape)
    try:
        picked = np.zeros(shape)[index].shape
    except IndexError:
        assume(False)
    return Case([array(data, dtype, picked)], {"index": index, "shape": shape})


def _scatter_smooth(data):
    case = _scatter_draw(data, np.float64)
    case.args = [smooth_array(data, case.args[0].shape)]
    return case


def _join_draw(stack):
    def draw(data, dtype):
        base = data.draw(shapes(min_dims=0 if stack else 1))
        ndim = len(base) + (1 if stack else 0)
        axis = data.draw(st.integers(-ndim - 1, ndim))  # one past each end: AxisError
        k = data.draw(st.integers(1, 3))
        args = []
        for i in range(k):
            s = list(base)
            if not stack and base and -len(base) <= axis < len(base):
                s[axis] = data.draw(st.integers(0, 3))
            dt = dtype if i == 0 else data.draw(st.sampled_from([dtype, data.draw(st.sampled_from(DTYPES))]))
            args.append(array(data, dt, tuple(s)))
        return Case(args, {"axis": axis})

    def smooth(data):
        case = draw(data, np.float64)
        ndim = case.args[0].ndim + (1 if stack else 0)
        assume(-ndim <= case.params["axis"] < ndim)
        case.args = [smooth_array(data, a.shape) for a in case.args]
        return case

    np_fn = np.stack if stack else np.concatenate
    tg_fn = tg.stack if stack else tg.concatenate

    def torch_fn(torch, a, p):
        return (torch.stack if stack else torch.cat)(list(a), dim=p["axis"])

    return Adapter(draw, lambda a, p: tg_fn(list(a), axis=p["axis"]),
                   lambda a, p: np_fn(list(a), axis=p["axis"]), smooth, torch=torch_fn)


# --- linear algebra -----------------------------------------------------------------
def _matmul_shapes(data):
    """1-d, 2-d or batched operands (batch axes broadcast), now and then misaligned."""
    k = data.draw(st.integers(0, 3))
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, min_side=0, max_side=2))
    bx, by = batch.input_shapes
    m, n = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))
    sx = data.draw(st.sampled_from([(k,), (m, k), bx + (m, k)]))
    sy = data.draw(st.sampled_from([(k,), (k, n), by + (k, n)]))
    if data.draw(st.integers(0, 9)) == 0:
        sy = sy[:-2] + (k + 1, n) if len(sy) > 1 else (k + 1,)
    return sx, sy


def _matmul_draw(data, dtype):
    sx, sy = _matmul_shapes(data)
    other = data.draw(st.sampled_from([dtype, data.draw(st.sampled_from(DTYPES))]))
    return Case([array(data, dtype, sx), array(data, other, sy)])


def _matmul_smooth(data):
    sx, sy = _matmul_shapes(data)
    try:
        np.matmul(np.zeros(sx), np.zeros(sy))
    except ValueError:
        assume(False)
    return Case([smooth_array(data, sx), smooth_array(data, sy)])


def _affine_draw(data, dtype, all_float64=False):
    n_in, n_out = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))
    lead = data.draw(shapes(max_dims=2))
    dts = [np.float64] * 3 if all_float64 else [dtype] + [data.draw(st.sampled_from([dtype] + list(DTYPES)))
                                                         for _ in range(2)]
    mk = (lambda s: smooth_array(data, s)) if all_float64 else None
    shapes3 = [lead + (n_in,), (n_out, n_in), (n_out,)]
    return Case([mk(s) if mk else array(data, dt, s) for s, dt in zip(shapes3, dts)])


# --- softmax family ------------------------------------------------------------------
def _softmax_ref(kind):
    """Float64 reference; masked entries are excluded, a fully excluded row gives zeros."""

    def ref(a, p):
        x, axis, mask = a[0], p["axis"], p.get("mask")
        if x.shape[axis] == 0:
            raise ValueError("softmax over an empty axis")
        z = x.astype(np.float64)
        if mask is not None:
            z = np.where(mask, z, -np.inf)
        with np.errstate(all="ignore"):
            m = z.max(axis=axis, keepdims=True)
            dead = np.isneginf(m)
            m = np.where(dead, 0.0, m)
            e = np.exp(z - m)
            s = np.where(dead, 1.0, e.sum(axis=axis, keepdims=True))
            if kind == "softmax":
                out = e / s
            elif kind == "log_softmax":
                out = np.where(dead, 0.0, z - m - np.log(s))
            else:
                out = np.where(np.isposinf(m), np.inf, m + np.log(s))  # a +inf entry: the sum is +inf
                if not p.get("keepdims"):
                    out = np.squeeze(out, axis)
        return out.astype(_float_for(x.dtype))

    return ref


def _softmax_draw(kind):
    def draw(data, dtype, elems=None):
        x = array(data, dtype, data.draw(shapes(min_dims=1)), elems)
        params = {"axis": data.draw(st.integers(-x.ndim, x.ndim - 1))}
        if data.draw(st.booleans()):
            k = data.draw(st.integers(0, x.ndim))
            params["mask"] = array(data, np.bool_, tuple(1 if data.draw(st.booleans()) else n
                                                         for n in x.shape[x.ndim - k:]))
        if kind == "logsumexp":
            params["keepdims"] = data.draw(st.booleans())
        return Case([x], params)

    return draw


def _dead_rows(case):
    x, axis = case.args[0], case.params["axis"]
    if x.size and np.isneginf(x).all(axis=axis).any():
        return "a row of -inf logits gives zeros here (like a fully masked row); PyTorch gives NaN"
    return None


def _softmax_adapter(kind):
    draw = _softmax_draw(kind)

    def ours(a, p):
        extra = {"keepdims": p["keepdims"]} if kind == "logsumexp" else {}
        return getattr(a[0], kind)(axis=p["axis"], mask=p.get("mask"), **extra)

    def smooth(data):
        case = draw(data, np.float64, SMOOTH)
        assume(case.args[0].shape[case.params["axis"]] > 0)
        if kind == "log_softmax":
            case.params.pop("mask", None)  # masked entries are -inf: no finite differences there
        return case

    def torch_fn(torch, a, p):
        x, axis = a[0], p["axis"]
        if kind == "logsumexp":
            return torch.logsumexp(x, dim=axis, keepdim=p["keepdims"])
        return getattr(torch, kind)(x, dim=axis)

    return Adapter(draw, ours, _softmax_ref(kind), smooth, torch=torch_fn, rtol=2e-6, scaled="outputs",
                   torch_skip=_dead_rows)


def _softmax_vjp_draw(data, dtype, elems=None):
    """g of ``dtype`` and a = softmax(z) (float: of g's dtype; for an integer g, float64)."""
    shape = data.draw(shapes(min_dims=1, min_side=1))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    g = array(data, dtype, shape, elems)
    z = array(data, np.float64, shape, elems or elements(np.float64, False))
    a = _softmax_ref("softmax")([z], {"axis": axis})
    return Case([g, a.astype(dtype) if np.dtype(dtype).kind == "f" else a], {"axis": axis})


def _softmax_vjp_ref(a, p):
    g, s, axis = a[0], a[1], p["axis"]
    with np.errstate(all="ignore"):
        return (s * (g - (g * s).sum(axis=axis, keepdims=True))).astype(np.result_type(g, s))


def _cross_entropy_draw(data, dtype, elems=None):
    x = array(data, dtype, data.draw(shapes(min_dims=1, max_dims=3)), elems)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    classes = x.shape[axis]
    rows = x.shape[: axis % x.ndim] + x.shape[axis % x.ndim + 1:]
    reduction = data.draw(st.sampled_from(["mean", "sum", "none"]))
    if data.draw(st.booleans()) and classes:
        t = array(data, np.int64, rows, ints(0, classes - 1))
    else:
        p = array(data, np.float64, x.shape, uniform(0, 1))
        t = p / np.where(p.sum(axis=axis, keepdims=True) > 0, p.sum(axis=axis, keepdims=True), 1)
    return Case([x, t], {"axis": axis, "reduction": reduction}, tensors=(True, False))


def _cross_entropy_ref(a, p):
    x, t, axis, reduction = a[0], a[1], p["axis"], p["reduction"]
    if x.dtype.kind != "f":
        raise TypeError("float logits only")  # the core's choice (softmax itself computes ints in float64)
    classes = x.shape[axis]
    if classes == 0 or (reduction == "mean" and x.size == 0):
        raise ValueError("nothing to average")  # decision: like mean over nothing, whatever the targets
    z = x.astype(np.float64)
    with np.errstate(all="ignore"):
        # log p = (z − m) − log Σ e^(z−m), in that order: m + log s would lose log s when |m| is
        # large. A row of -inf logits has logsumexp 0 (as in logsumexp), so log p = z there.
        m = z.max(axis=axis, keepdims=True)
        dead = np.isneginf(m)
        m = np.where(dead, 0.0, m)
        logp = np.where(dead, z, (z - m) - np.log(np.exp(z - m).sum(axis=axis, keepdims=True)))
        if t.dtype.kind == "i":
            rows = -np.squeeze(np.take_along_axis(logp, np.expand_dims(t, axis), axis=axis), axis)
        else:
            rows = -np.where(t == 0, 0, t * logp).sum(axis=axis)
        out = rows.mean() if reduction == "mean" else rows.sum() if reduction == "sum" else rows
    return np.asarray(out).astype(x.dtype)


def _cross_entropy_torch(torch, a, p):
    x, t, axis = a[0], a[1], p["axis"]
    x = torch.movedim(x, axis, 1) if x.ndim > 1 else x
    tt = torch.as_tensor(t)
    if t.dtype.kind == "f" and x.ndim > 1:
        tt = torch.movedim(tt, axis, 1)
    return torch.nn.functional.cross_entropy(x, tt.to(x.dtype) if t.dtype.kind == "f" else tt,
                                             reduction=p["reduction"])


def _cross_entropy_torch_skip(case):
    x, t = case.args
    if _dead_rows(case):
        return _dead_rows(case)
    if t.dtype.kind == "f" and ((t == 0) & ~np.isfinite(x)).any():
        return "a zero probability target contributes 0 even at a non-finite logit; PyTorch gives NaN"
    return None


TARGETS = Values([0.0, 1.0, 0.5], lambda rng, n: rng.uniform(0, 1, n).tolist())


def _bce_draw(data, dtype, elems=None):
    """Logits of ``dtype``; targets in [0, 1] of the logits' shape, as an array (cast to
    the logits' dtype) or as a tensor that may require grad itself."""
    x = array(data, dtype, data.draw(shapes()), elems)
    t_dtype = np.float64 if elems is not None else data.draw(st.sampled_from(FLOATS))  # central differences: float64
    t = array(data, t_dtype, x.shape, TARGETS)
    reduction = data.draw(st.sampled_from(["mean", "sum", "none"]))
    tensor_target = data.draw(st.booleans())
    return Case([x, t], {"reduction": reduction, "tensor_target": tensor_target}, tensors=(True, tensor_target))


def _bce_ref(a, p):
    x, t = a
    if x.dtype.kind != "f":
        raise TypeError("float logits only")
    if p["reduction"] == "mean" and x.size == 0:
        raise ValueError("the mean of no losses")
    with np.errstate(all="ignore"):
        z, tt = x.astype(np.float64), t.astype(np.float64)
        slope = np.where(z >= 0, 1 - tt, -tt)  # max(z, 0) − z·t, with 0·inf as its limit 0
        rows = np.where(slope == 0, 0.0, slope * z) + np.log1p(np.exp(-np.abs(z)))
        out = rows.mean() if p["reduction"] == "mean" else rows.sum() if p["reduction"] == "sum" else rows
    # An array target takes the logits' dtype; a tensor target promotes like any operand.
    return np.asarray(out).astype(np.result_type(x, t) if p["tensor_target"] else x.dtype)


def _cast_draw(data, dtype):
    x = array(data, dtype, data.draw(shapes()))
    return Case([x], {"to": data.draw(st.sampled_from(DTYPES))})


def _where_draw(data, dtype):
    shapes3 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=0, max_side=3))
    sc, sx, sy = shapes3.input_shapes
    cond = array(data, np.bool_, sc)
    x = array(data, dtype, sx)
    y = python_scalar(data) if data.draw(st.booleans()) else \
        array(data, data.draw(st.sampled_from(DTYPES)), sy)
    return Case([cond, x, y], tensors=(False, True, isinstance(y, np.ndarray)))


def _where_smooth(data):
    shapes3 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=0, max_side=3))
    sc, sx, sy = shapes3.input_shapes
    return Case([array(data, np.bool_, sc), smooth_array(data, sx), smooth_array(data, sy)],
                tensors=(False, True, True))


# --- one adapter per registered op -------------------------------------------------------
ADAPTERS = {
    "Neg": _unary(lambda x: -x, lambda torch, x: -x, ref=lambda a, p: np.negative(a[0])),
    "Add": _binary(lambda x, y: x + y, np.add),
    "Sub": _binary(lambda x, y: x - y, np.subtract, torch_skip=lambda case: any(type(a) is bool for a in case.args)
                   and "NumPy subtracts a Python bool as 0/1; PyTorch refuses"),
    "Mul": _binary(lambda x, y: x * y, np.multiply),
    "Div": _binary(lambda x, y: x / y, np.true_divide, (SMOOTH, AWAY_FROM_ZERO), torch_skip=_div_torch_skip),
    "Pow": _binary(lambda x, y: x**y, np.power, (POSITIVE, SMOOTH), torch_skip=_pow_torch_skip),
    "Exp": _unary(lambda x: x.exp(), lambda torch, x: x.exp(), ref=lambda a, p: np.exp(a[0])),
    "Log": _unary(lambda x: x.log(), lambda torch, x: x.log(), lambda a, p: np.log(a[0]), POSITIVE),
    "Sqrt": _unary(lambda x: x.sqrt(), lambda torch, x: x.sqrt(), lambda a, p: np.sqrt(a[0]), POSITIVE),
    "Tanh": _unary(lambda x: x.tanh(), lambda torch, x: x.tanh(), ref=lambda a, p: np.tanh(a[0])),
    "Sin": _unary(lambda x: tg.sin(x), lambda torch, x: x.sin(), ref=lambda a, p: np.sin(a[0])),
    "Cos": _unary(lambda x: tg.cos(x), lambda torch, x: x.cos(), ref=lambda a, p: np.cos(a[0])),
    "Sigmoid": _unary(lambda x: x.sigmoid(), lambda torch, x: x.sigmoid(), rtol=1e-6, ref=_sigmoid_ref),
    "Relu": _unary(lambda x: x.relu(), lambda torch, x: x.relu(),
                   lambda a, p: np.maximum(a[0], 0), AWAY_FROM_ZERO),
    "Abs": _unary(lambda x: abs(x), lambda torch, x: x.abs(), lambda a, p: np.abs(a[0]), AWAY_FROM_ZERO),
    "Sign": _unary(lambda x: x.sign(), lambda torch, x: x.sign(),
                   lambda a, p: np.where(np.isnan(a[0]), 0, np.sign(a[0])), AWAY_FROM_ZERO),
    "Clone": _unary(lambda x: x.clone(), lambda torch, x: x.clone(), ref=lambda a, p: np.array(a[0], copy=True)),
    "Where": Adapter(_where_draw, lambda a, p: tg.where(a[0], a[1], a[2]), lambda a, p: np.where(*a),
                     _where_smooth, torch=lambda torch, a, p: torch.where(torch.as_tensor(a[0]), a[1], a[2]),
                     torch_skip=lambda case: type(case.args[2]) is float and abs(case.args[2]) > 3e38 and
                     "PyTorch refuses a scalar beyond float32's range next to a float32 tensor; NumPy makes it inf"),
    "Cast": Adapter(_cast_draw, lambda a, p: a[0].astype(p["to"]), lambda a, p: a[0].astype(p["to"]),
                    lambda data: Case([smooth_array(data, data.draw(shapes()))],
                                      {"to": data.draw(st.sampled_from(FLOATS))}),
                    torch=lambda torch, a, p: a[0].to(getattr(torch, p["to"].name))),
    "Sum": _reduction("sum", np.sum),
    "Mean": _reduction("mean", np.mean, empty_raises=True),
    "Max": _reduction("max", np.max, empty_raises=True),
    "Min": _reduction("min", np.min, empty_raises=True),
    "Reshape": Adapter(_reshape_draw, lambda a, p: a[0].reshape(p["shape"]), lambda a, p: a[0].reshape(p["shape"]),
                       lambda data: _reshape_draw(data, np.float64, SMOOTH),
                       torch=lambda torch, a, p: a[0].reshape(p["shape"])),
    "Transpose": Adapter(_transpose_draw, lambda a, p: a[0].transpose(p["axes"]) if p["axes"] else a[0].T,
                         lambda a, p: np.transpose(a[0], p["axes"]),
                         lambda data: _transpose_draw(data, np.float64, SMOOTH),
                         torch=lambda torch, a, p: a[0].permute(tuple(p["axes"] or range(a[0].ndim - 1, -1, -1)))),
    "BroadcastTo": Adapter(_broadcast_draw, lambda a, p: a[0].broadcast_to(p["shape"]),
                           lambda a, p: np.broadcast_to(a[0], p["shape"]),
                           lambda data: _broadcast_draw(data, np.float64, SMOOTH),
                           torch=lambda torch, a, p: a[0].broadcast_to(p["shape"])),
    "GetItem": Adapter(_getitem_draw, lambda a, p: a[0][p["index"]], lambda a, p: a[0][p["index"]], _getitem_smooth),
    "Scatter": Adapter(_scatter_draw, lambda a, p: Scatter.apply(a[0], index=p["index"], shape=p["shape"]),
                       _scatter_ref, _scatter_smooth),
    "Concatenate": _join_draw(stack=False),
    "Stack": _join_draw(stack=True),
    "MatMul": Adapter(_matmul_draw, lambda a, p: a[0] @ a[1], lambda a, p: np.matmul(a[0], a[1]), _matmul_smooth,
                      torch=lambda torch, a, p: a[0] @ a[1], torch_skip=_blas_torch_skip),
    "Affine": Adapter(_affine_draw, lambda a, p: Affine.apply(*a), lambda a, p: np.matmul(a[0], a[1].T) + a[2],
                      lambda data: _affine_draw(data, np.float64, all_float64=True),
                      torch=lambda torch, a, p: a[0] @ a[1].T + a[2], torch_skip=_blas_torch_skip),
    "Softmax": _softmax_adapter("softmax"),
    "LogSoftmax": _softmax_adapter("log_softmax"),
    "LogSumExp": _softmax_adapter("logsumexp"),
    "SoftmaxVJP": Adapter(_softmax_vjp_draw, lambda a, p: SoftmaxVJP.apply(a[0], a[1], axis=p["axis"]),
                          _softmax_vjp_ref, lambda data: _softmax_vjp_draw(data, np.float64, SMOOTH),
                          rtol=1e-6, scaled="outputs"),
    "BCEWithLogits": Adapter(
        _bce_draw, lambda a, p: tg.functional.binary_cross_entropy_with_logits(a[0], a[1], reduction=p["reduction"]),
        _bce_ref, lambda data: _bce_draw(data, np.float64, SMOOTH), rtol=1e-6, scaled="outputs",
        torch=lambda torch, a, p: torch.nn.functional.binary_cross_entropy_with_logits(
            a[0], torch.as_tensor(a[1]).to(a[0].dtype), reduction=p["reduction"]),
        torch_skip=lambda case: np.isinf(case.args[0]).any() and "PyTorch gives NaN at some infinite logits"),
    "CrossEntropy": Adapter(_cross_entropy_draw,
                            lambda a, p: tg.cross_entropy(a[0], a[1], reduction=p["reduction"], axis=p["axis"]),
                            _cross_entropy_ref, lambda data: _cross_entropy_draw(data, np.float64, SMOOTH),
                            torch=_cross_entropy_torch, rtol=1e-6, scaled="outputs",
                            torch_skip=_cross_entropy_torch_skip),
}
