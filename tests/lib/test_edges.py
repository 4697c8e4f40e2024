"""The differential harness: every registered op, forward and backward, on edge values and
every dtype, against NumPy (forward values and dtypes), float64 central differences
(gradients, where the op is differentiable) and PyTorch (when installed).

The adapters, edge values and strategies live in ``edge_cases.py``. Points where we
differ from PyTorch on purpose, and the edge semantics we chose, are pinned by the
named tests further down.
"""
import importlib
import importlib.util
import os
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from edge_cases import ADAPTERS, DTYPES, FLOATS, Case
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

import tinygrad_sm as tg
from tinygrad_sm.ops import REGISTRY

HARNESS = ADAPTERS

# Kept small so the harness runs in seconds; to hunt, run it longer and unseeded:
#   EDGES_SCALE=20 HYPOTHESIS_PROFILE=dev python3 -m pytest tests/test_edges.py
# A failure is reported as found, unshrunk (EDGES_SHRINK=1 shrinks it).
PHASES = None if os.environ.get("EDGES_SHRINK") else (Phase.explicit, Phase.reuse, Phase.generate)
SCALE = int(os.environ.get("EDGES_SCALE", "1"))


def harness(max_examples):
    return settings(max_examples=max_examples * SCALE, **({"phases": PHASES} if PHASES else {}))


@dataclass
class KnownBug:
    """A core bug the harness found. Its points are skipped here and pinned, instead, by a
    named regression test marked ``xfail(strict=True)``: fixing the bug makes that test
    pass, which fails the run until its mark and this entry are both removed."""

    ops: tuple
    applies: object  # (case) -> bool
    test: str
    gradient_only: bool = False  # the forward harness keeps checking these points


def _tensor_arrays(case):
    return [a for a, t in zip(case.args, case.tensors) if t and isinstance(a, np.ndarray)]


def _largest(a):
    """The largest finite magnitude in ``a`` (any real dtype), 0 if none."""
    v = np.abs(np.asarray(a, dtype=np.float64))
    v = v[np.isfinite(v)]
    return float(v.max()) if v.size else 0.0


def _huge(a):
    return isinstance(a, np.ndarray) and a.dtype.kind == "f" and (
        np.abs(a[np.isfinite(a)]) > np.sqrt(np.finfo(a.dtype).max)).any()


KNOWN_CORE_BUGS = []  # every core bug the harness found is fixed; a new one gets an entry and a strict xfail


def known_bug(name, case, forward=False):
    for bug in KNOWN_CORE_BUGS:
        if name in bug.ops and not (forward and bug.gradient_only) and bug.applies(case):
            return bug
    return None


def test_known_core_bugs_are_pinned_by_strict_xfails():
    for bug in KNOWN_CORE_BUGS:
        test = globals().get(bug.test)
        assert test is not None, f"{bug.test} does not exist"
        marks = [m for m in getattr(test, "pytestmark", []) if m.name == "xfail"]
        assert marks and marks[0].kwargs.get("strict") is True, (
            f"{bug.test} is no longer a strict xfail: the bug is fixed, so remove its KNOWN_CORE_BUGS entry")


def test_every_registered_op_has_an_adapter():
    assert {op.__name__ for op in REGISTRY} == set(ADAPTERS), "add the new op to tests/edge_cases.py ADAPTERS"


# --- running a case ---------------------------------------------------------------
def _tensors(case, requires_grad=False):
    return [tg.Tensor(a, requires_grad=requires_grad and a.dtype.kind == "f") if t else a
            for a, t in zip(case.args, case.tensors)]


def _run(fn):
    """``(fn(), None)`` or ``(None, the exception)``, with NumPy's warnings (overflow,
    invalid, casts: expected at edge values) silenced."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except Exception as e:  # noqa: BLE001 - the harness compares what each side raised
            return None, e


def _builtin_base(exc_type):
    """The first builtin class in an exception's MRO (UFuncTypeError -> TypeError)."""
    return next(c for c in exc_type.__mro__ if c.__module__ == "builtins")


def _describe(case):
    parts = [f"{a.dtype}{a.shape} {np.array2string(a, precision=17, threshold=60)}" if isinstance(a, np.ndarray)
             else repr(a) for a in case.args]
    return f"args {', '.join(parts)}; params {case.params}"


def _magnitude(arrays):
    finite = [np.abs(a[np.isfinite(a)]).max() for a in arrays if a.dtype.kind == "f" and np.isfinite(a).any()]
    return float(max(finite, default=0.0))


def _scale(adapter, case, expected):
    """The yardstick for the absolute error: 1 + the largest finite input (sums, where huge
    terms may cancel) or output (log-probabilities) the adapter names, else 1."""
    if adapter.scaled == "inputs":
        return 1.0 + _magnitude(_tensor_arrays(case))
    if adapter.scaled == "outputs":
        return 1.0 + _magnitude([np.asarray(expected)])
    return 1.0


def check_forward(name, adapter, case):
    if known_bug(name, case, forward=True):
        return
    expected, expected_error = _run(lambda: np.asarray(adapter.ref(case.args, case.params)))
    got, error = _run(lambda: adapter.ours(_tensors(case), case.params))
    if expected_error is not None:
        base = _builtin_base(type(expected_error))
        assert error is not None, f"{_describe(case)}: NumPy raises {expected_error!r}, we return {got!r}"
        assert isinstance(error, base), (
            f"{_describe(case)}: NumPy raises {base.__name__} ({expected_error}); "
            f"we raise {type(error).__name__}: {error}")
        return
    if error is not None:
        raise AssertionError(
            f"{_describe(case)}: NumPy gives {expected.dtype} {expected.shape}; we raise "
            f"{type(error).__name__}: {error}") from error
    assert isinstance(got, tg.Tensor), f"{_describe(case)}: returned {type(got).__name__}, not a Tensor"
    assert got.dtype == expected.dtype, f"{_describe(case)}: dtype {got.dtype}, NumPy gives {expected.dtype}"
    assert got.shape == expected.shape, f"{_describe(case)}: shape {got.shape}, NumPy gives {expected.shape}"
    if adapter.rtol == 0 or expected.dtype.kind not in "fc":
        np.testing.assert_array_equal(got.data, expected, err_msg=_describe(case))
    else:
        rtol = max(adapter.rtol, 8 * float(np.finfo(expected.dtype).eps))
        atol = rtol * (_scale(adapter, case, expected) if adapter.scaled else 1e-3)
        np.testing.assert_allclose(got.data, expected, rtol=rtol, atol=atol, equal_nan=True, err_msg=_describe(case))


@pytest.mark.slow  # a hunt over every op and dtype (~5 s); the pinned regressions below stay in the core tier
@pytest.mark.parametrize("name", sorted(HARNESS))
@harness(40)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_forward_matches_numpy(name, dtype, data):
    """On every dtype: values, dtype and shape as NumPy gives them; where NumPy raises, we
    raise the same kind of error. Scalars adapt to the tensor's dtype (NumPy's rule for
    Python scalars); tensor-tensor follows NumPy's promotion."""
    adapter = HARNESS[name]
    check_forward(name, adapter, adapter.draw(data, dtype))


# --- gradients: float64 central differences -----------------------------------------
def _numeric_vjp(adapter, case, i, g, h):
    """d⟨g, f⟩/d args[i] by central differences, element by element (forward only)."""
    x = case.args[i]
    out = np.zeros(x.shape)
    flat, res = x.reshape(-1), out.reshape(-1)
    for j in range(flat.size):
        orig = flat[j]
        vals = []
        for step in (h, -h):
            flat[j] = orig + step
            with tg.no_grad():
                vals.append(float(np.sum(g * adapter.ours(_tensors(case), case.params).data.astype(np.float64))))
        flat[j] = orig
        res[j] = (vals[0] - vals[1]) / (2 * h)
    return out


@pytest.mark.slow  # a hunt over every op (~2 s)
@pytest.mark.parametrize("name", sorted(HARNESS))
@harness(10)
@given(data=st.data())
def test_gradient_matches_central_differences(name, data):
    """Where the op is differentiable at the drawn point (the adapter's ``smooth`` keeps
    away from kinks, ties and poles), the VJP matches float64 central differences,
    and every leaf's .grad has its leaf's shape and dtype."""
    adapter = HARNESS[name]
    case = adapter.smooth(data)
    _, ref_error = _run(lambda: adapter.ref(case.args, case.params))
    assume(ref_error is None and not known_bug(name, case))
    xs = _tensors(case, requires_grad=True)
    out = adapter.ours(xs, case.params)
    assume(out.requires_grad)
    g = np.random.default_rng(out.size).standard_normal(out.shape).astype(out.dtype)
    out.backward(g)
    h = 1e-6 if out.dtype == np.float64 else 1e-2
    tol = 1e-6 if out.dtype == np.float64 else 1e-3
    for i, x in enumerate(xs):
        if not (isinstance(x, tg.Tensor) and x.requires_grad):
            continue
        assert x.grad is not None and x.grad.shape == x.shape and x.grad.dtype == x.dtype, (i, x.grad)
        numeric = _numeric_vjp(adapter, case, i, g.astype(np.float64), h)
        np.testing.assert_allclose(x.grad.data, numeric, rtol=10 * tol, atol=tol,
                                   err_msg=f"input {i}: {_describe(case)}")


# --- PyTorch, when it is installed -----------------------------------------------------
TORCH_OPS = sorted(name for name, a in HARNESS.items() if a.torch is not None)
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed (the optional cross-check)")


def _same_dtype(case, dtype):
    """Torch promotes differently (we follow NumPy, pinned below): compare on operands of one
    float dtype. Tensors and float constants (probability targets) take ``dtype``."""
    with np.errstate(over="ignore"):  # a huge float64 edge value becomes ±inf in float32, on purpose
        args = [a.astype(dtype) if isinstance(a, np.ndarray) and (t or a.dtype.kind == "f") else a
                for a, t in zip(case.args, case.tensors)]
    params = {k: v for k, v in case.params.items() if k != "mask"}  # torch has no masks
    return Case(args, params, case.tensors)


def _assert_close(got, expected, dtype, what, scale=1.0):
    eps = float(np.finfo(dtype).eps)
    finite = np.abs(expected[np.isfinite(expected)])
    atol = 16 * eps * max(scale, 1 + (float(finite.max()) if finite.size else 0.0))
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=atol,
                               equal_nan=True, err_msg=what)


@pytest.mark.torch  # the optional cross-check of every op: the NumPy and float64 checks above are the core tier
@needs_torch
@pytest.mark.parametrize("name", TORCH_OPS)
@harness(16)
@given(dtype=st.sampled_from(FLOATS), data=st.data())
def test_matches_pytorch_forward_and_gradient(name, dtype, data):
    """Forward values and gradients equal PyTorch's, edge values included (0, ±inf,
    NaN, huge, tiny), on operands of one float dtype."""
    torch = importlib.import_module("torch")  # imported here: only these tests pay for it
    adapter = HARNESS[name]
    case = _same_dtype(adapter.draw(data, dtype), dtype)
    _, ref_error = _run(lambda: adapter.ref(case.args, case.params))
    assume(ref_error is None and not known_bug(name, case))  # errors are the forward test's business
    with np.errstate(over="ignore"):  # the skip rule sums edge values to see if BLAS would overflow
        assume(not (adapter.torch_skip and adapter.torch_skip(case)))
    if name in ("Max", "Min") and case.params["axis"] is not None:
        assume(not np.isnan(case.args[0]).any())  # torch.amax: NaN in every gradient (see the max test)
    xs = _tensors(case, requires_grad=True)
    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") if t else a for a, t in zip(case.args, case.tensors)]
    out, error = _run(lambda: adapter.ours(xs, case.params))
    assert error is None, f"{_describe(case)}: {error!r}"
    tout, error = _run(lambda: adapter.torch(torch, ts, case.params))
    assert error is None, f"{_describe(case)}: PyTorch raised {error!r}"
    expected = tout.detach().numpy()
    scale = _scale(adapter, case, expected)
    _assert_close(out.data, expected, dtype, _describe(case), scale)
    if not out.requires_grad:
        return
    g = np.random.default_rng(out.size).standard_normal(out.shape).astype(dtype)
    for backward in (lambda: out.backward(g), lambda: tout.backward(torch.tensor(g))):
        _, error = _run(backward)
        assert error is None, f"{_describe(case)}: backward raised {error!r}"
    for i, (x, t) in enumerate(zip(xs, ts)):
        if isinstance(x, tg.Tensor) and x.requires_grad:
            expected = t.grad.numpy() if t.grad is not None else np.zeros(t.shape, dtype)
            _assert_close(x.grad.data, expected, dtype, f"gradient of input {i}: {_describe(case)}")


# --- regression tests: numerics at the edges (issue 9, part 1) ----------------------------
def core(reason):
    """A bug in a core file (ops, tensor, engine, transforms): strict, so the fix removes it."""
    return pytest.mark.xfail(strict=True, reason=f"core: {reason}")


def _grads(f, *values, dtype=np.float64):
    xs = [tg.Tensor(np.array(v, dtype=dtype), requires_grad=True) for v in values]
    with np.errstate(all="ignore"):
        out = f(*xs)
        out.sum().backward()
    return out.data, [x.grad.data for x in xs]


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_pow_gradients_at_a_zero_base_or_exponent(dtype):
    # d/dx x**0 = 0 everywhere, x = 0 included (PyTorch and autograd agree).
    _, (gx,) = _grads(lambda x: x**0.0, [0.0, 0.0, 2.0], dtype=dtype)
    np.testing.assert_array_equal(gx, [0.0, 0.0, 0.0])
    # Tensor exponents: the values PyTorch gives, point by point.
    out, (gx, gy) = _grads(lambda x, y: x**y, [0.0, 0.0, 0.0, 0.0, -1.0], [0.0, 2.0, 0.5, -1.0, 0.5], dtype=dtype)
    np.testing.assert_array_equal(out, [1.0, 0.0, 0.0, np.inf, np.nan])
    np.testing.assert_array_equal(gx, [0.0, 0.0, np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(gy, [0.0, 0.0, 0.0, -np.inf, np.nan])  # d/dy 0**y = 0 for y ≥ 0
    assert gx.dtype == dtype and gy.dtype == dtype


def test_pow_gradient_does_not_overflow_through_the_upstream_gradient():
    x = tg.Tensor([0.5], requires_grad=True)
    with np.errstate(all="ignore"):
        (x ** tg.Tensor([1e308])).backward(np.array([4.0]))
    np.testing.assert_array_equal(x.grad.data, [0.0])


def test_min_of_unsigned_bool_and_most_negative_ints():
    assert tg.Tensor(np.array([0, 5], np.uint8)).min().item() == 0
    m = tg.Tensor(np.array([0, -2**31], np.int32)).min()
    assert m.item() == -2**31 and m.dtype == np.int32
    b = tg.Tensor(np.array([True, False])).min()
    assert b.item() is False and b.dtype == np.bool_
    np.testing.assert_array_equal(tg.Tensor(np.array([[7, 0], [3, 200]], np.uint8)).min(axis=1).data, [0, 3])


def test_min_gradient_goes_to_the_minimum_and_ties_share_it():
    _, (g,) = _grads(lambda x: x.min(), [3.0, 1.0, 1.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 0.5, 0.5, 0.0])


def test_max_with_nan_sends_the_gradient_to_the_nan():
    out, (g,) = _grads(lambda x: x.max(), [1.0, np.nan, 3.0])
    assert np.isnan(out)
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])
    _, (g,) = _grads(lambda x: x.max(), [1.0, np.nan, np.nan])
    np.testing.assert_array_equal(g, [0.0, 0.5, 0.5])  # shared like ties, as in PyTorch
    _, (g,) = _grads(lambda x: x.max(axis=1), [[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(g, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # PyTorch's amax: NaN everywhere
    _, (g,) = _grads(lambda x: x.min(), [1.0, np.nan, 3.0])
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])


def test_max_ties_share_the_gradient_like_pytorch():
    _, (g,) = _grads(lambda x: x.max(axis=0), [[3.0, 1.0], [3.0, 2.0], [1.0, 2.0]])
    np.testing.assert_array_equal(g, [[0.5, 0.0], [0.5, 0.5], [0.0, 0.5]])


def test_complex_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="complex128"):
        tg.Tensor(np.array([1 + 2j]), requires_grad=True)
    with pytest.raises(TypeError, match="complex128"):
        tg.Tensor(np.array([1 + 2j])).requires_grad_()


def test_recording_an_op_with_a_complex_result_is_refused():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="complex"):
        x * np.array([1j, 2j])
    assert (tg.Tensor([1.0]) * np.array([1j])).dtype == np.complex128  # without grad it computes


def test_hessian_of_a_linear_function_is_zero():
    h = tg.hessian(lambda x: x.sum(), tg.Tensor([1.0, 2.0]))
    np.testing.assert_array_equal(h.data, np.zeros((2, 2)))


def test_jacobian_of_a_constant_function_is_zero():
    j = tg.jacobian(lambda x: tg.Tensor([1.0, 2.0, 3.0]), tg.Tensor([1.0, 2.0]))
    np.testing.assert_array_equal(j.data, np.zeros((3, 2)))


def test_sigmoid_of_unsigned_and_bool_tensors():
    # -|x| wrapped for unsigned ints once (sigmoid(1) was 0). Integers and bools compute in
    # float64, like SciPy's expit (np.exp would give float16 for 8-bit ints).
    s = tg.Tensor(np.array([1, 0, 255], np.uint8)).sigmoid()
    assert s.dtype == np.float64
    np.testing.assert_allclose(s.data, [0.7310585786300049, 0.5, 1.0], rtol=1e-15)
    np.testing.assert_allclose(tg.Tensor(np.array([True, False])).sigmoid().data, [0.7310585786300049, 0.5])


def test_affine_promotes_like_x_at_w_plus_b():
    from tinygrad_sm.ops import Affine
    x, w = np.ones((2, 3), np.float32), np.ones((2, 3), np.float32)
    assert Affine.apply(tg.Tensor(x), tg.Tensor(w), tg.Tensor(np.ones(2))).dtype == np.float64
    out = Affine.apply(tg.Tensor(np.ones((2, 3), np.int32)), tg.Tensor(np.ones((2, 3), np.int32)), tg.Tensor([0.5, 0.5]))
    np.testing.assert_array_equal(out.data, np.full((2, 2), 3.5))


@pytest.mark.parametrize("n_in, n_out", [(0, 3), (3, 0)])
def test_affine_backward_with_a_zero_size_feature_axis(n_in, n_out):
    from tinygrad_sm.ops import Affine
    x = tg.Tensor(np.ones((2, n_in)), requires_grad=True)
    w = tg.Tensor(np.ones((n_out, n_in)), requires_grad=True)
    b = tg.Tensor(np.ones(n_out), requires_grad=True)
    Affine.apply(x, w, b).sum().backward()
    assert x.grad.shape == (2, n_in) and w.grad.shape == (n_out, n_in) and b.grad.shape == (n_out,)
    np.testing.assert_array_equal(b.grad.data, np.full(n_out, 2.0))


def test_cross_entropy_keeps_the_logits_dtype_with_float64_probability_targets():
    z = tg.Tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    loss = tg.cross_entropy(z, np.full((2, 3), 1 / 3))
    assert loss.dtype == np.float32
    loss.backward()
    assert z.grad.dtype == np.float32


def test_cross_entropy_mean_over_no_rows_raises_for_probability_targets_too():
    with pytest.raises(ValueError, match="no rows to average over"):
        tg.cross_entropy(tg.Tensor(np.zeros((0, 3))), np.zeros(0, np.int64))
    with pytest.raises(ValueError, match="no rows to average over"):
        tg.cross_entropy(tg.Tensor(np.zeros((0, 3))), np.zeros((0, 3)))


def test_relu_passes_the_gradient_at_nan_like_pytorch():
    x = tg.Tensor([np.nan, -1.0, 0.0, 2.0], requires_grad=True)
    x.relu().backward(np.array([3.0, 3.0, 3.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 0.0, 3.0])


def test_relu_and_sqrt_gradients_at_zero_match_pytorch():
    _, (g,) = _grads(lambda x: x.relu(), [0.0, -0.0])
    np.testing.assert_array_equal(g, [0.0, 0.0])
    _, (g,) = _grads(lambda x: x.sqrt(), [0.0])
    np.testing.assert_array_equal(g, [np.inf])


def test_logsumexp_of_a_row_with_plus_inf_is_plus_inf():
    x = tg.Tensor([[1.0, np.inf], [1.0, 2.0]], requires_grad=True)
    out = x.logsumexp(axis=1)
    assert out.data[0] == np.inf and np.isfinite(out.data[1])


def test_bce_with_infinite_logits_gives_the_limit():
    x = tg.Tensor([np.inf, np.inf, np.inf, -np.inf, -np.inf, -np.inf], requires_grad=True)
    t = np.array([0.0, 0.5, 1.0, 0.0, 0.5, 1.0])
    with np.errstate(all="ignore"):
        loss = tg.functional.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_array_equal(loss.data, [np.inf, np.inf, 0.0, 0.0, np.inf, np.inf])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.5, 0.0, 0.0, -0.5, -1.0])  # σ(x) − t: already right


@pytest.mark.parametrize("dtype, big", [(np.float64, 1e17), (np.float64, 1e300), (np.float32, 1e4)])
def test_log_softmax_and_cross_entropy_keep_log_s_at_large_logits(dtype, big):
    x = tg.Tensor(np.array([[big, big]], dtype))
    np.testing.assert_allclose(x.log_softmax().data, [[-np.log(2), -np.log(2)]], rtol=1e-6)
    np.testing.assert_allclose(tg.cross_entropy(x, np.array([0])).item(), np.log(2), rtol=1e-6)


# --- regression tests: errors that tell the truth (issue 9, part 2) -----------------------
def test_integer_to_a_negative_integer_power_says_so():
    with pytest.raises(ValueError) as err:
        tg.Tensor([2, 3]) ** -1
    assert "Integers to negative integer powers are not allowed" in str(err.value)
    assert "broadcast" not in str(err.value)


def test_stack_with_an_axis_out_of_range_raises_axis_error():
    with pytest.raises(np.exceptions.AxisError, match="axis 5"):
        tg.stack([tg.Tensor([1.0]), tg.Tensor([2.0])], axis=5)


def test_matmul_batch_mismatch_names_the_batch_axes():
    with pytest.raises(ValueError) as err:
        tg.Tensor(np.ones((2, 2, 3))) @ tg.Tensor(np.ones((3, 3, 4)))
    msg = str(err.value)
    assert "batch" in msg and "(2,)" in msg and "(3,)" in msg and "3 != 3" not in msg


@pytest.mark.parametrize("call", [lambda t: t @ 2.0, lambda t: 2.0 @ t], ids=["t @ 2.0", "2.0 @ t"])
def test_matmul_with_a_python_scalar_is_a_clear_error(call):
    with pytest.raises((TypeError, ValueError), match="matmul"):
        call(tg.Tensor([1.0, 2.0]))


def test_swapaxes_out_of_range_raises_axis_error():
    t = tg.Tensor(np.ones((2, 3)))
    with pytest.raises(np.exceptions.AxisError):
        t.swapaxes(0, 5)
    assert t.swapaxes(-1, 0).shape == (3, 2)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_computes_integer_tensors_in_float64(op):
    # Chosen by the core: integers and bools compute in float64 (NumPy's UFuncTypeError
    # from exp, once). Compare the values with the float64 input's.
    for data in ([[1, 2, 3]], [[True, False]], np.array([[7, 0, 255]], np.uint8)):
        out = getattr(tg, op)(tg.Tensor(data))
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out.data, getattr(tg, op)(tg.Tensor(np.asarray(data, np.float64))).data)


def test_cross_entropy_refuses_integer_logits_naming_the_dtype():
    with pytest.raises(TypeError, match="cross_entropy: logits must be a floating array.*int64") as err:
        tg.cross_entropy(tg.Tensor([[1, 2, 3]]), np.array([0]))
    assert type(err.value) is TypeError


@pytest.mark.parametrize("data", ["abc", None, {1: 2}, {1, 2}, (i for i in range(3)), [1, "a"], b"xy",
                                  np.array([object()])],
                         ids=["str", "None", "dict", "set", "generator", "mixed-list", "bytes", "object-array"])
def test_tensor_refuses_non_numeric_data(data):
    with pytest.raises(TypeError, match="Tensor"):
        tg.Tensor(data)


@pytest.mark.parametrize("data", [1, 2.5, True, [1, 2], [[1.0], [2.0]], np.float32(1), np.arange(3),
                                  np.array(1 + 2j), tg.Tensor([1.0])])
def test_tensor_accepts_numeric_data(data):
    assert tg.Tensor(data).dtype.kind in "biufc"


def test_anomaly_mode_allows_masked_log_softmax():
    x = tg.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    with tg.detect_anomaly():
        y = x.log_softmax(mask=np.array([True, False, True]))
        tg.where(np.array([True, False, True]), y, 0.0).sum().backward()
    assert np.isneginf(y.data[0, 1]) and np.isfinite(x.grad.data).all()


def test_where_stack_concatenate_of_plain_values_return_tensors():
    assert isinstance(tg.where(np.array([True, False]), 1.0, 2.0), tg.Tensor)
    assert isinstance(tg.stack([np.ones(2), np.ones(2)]), tg.Tensor)
    assert isinstance(tg.concatenate([np.ones(2), [1.0]]), tg.Tensor)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "logsumexp"])
def test_reductions_over_an_empty_batch_keep_numpy_shapes(method):
    x = tg.Tensor(np.zeros((0, 3)), requires_grad=True)
    assert getattr(x, method)(axis=1).shape == (0,)
    assert getattr(x, method)(axis=1, keepdims=True).shape == (0, 1)
    getattr(x, method)(axis=1).sum().backward()
    assert x.grad.shape == (0, 3)


# --- where we differ from PyTorch on purpose -----------------------------------------------
def test_tensor_tensor_promotion_follows_numpy_not_pytorch():
    # PyTorch gives float32, float32 and int16: it keeps the float tensor's dtype, and a
    # 0-d tensor does not promote. NumPy promotion: int64 with float32 is float64.
    assert (tg.Tensor(np.array([1], np.int64)) + tg.Tensor(np.array([1.0], np.float32))).dtype == np.float64
    assert (tg.Tensor(np.ones(2, np.float32)) * tg.Tensor(np.float64(2.0))).dtype == np.float64
    assert (tg.Tensor(np.array([1], np.uint8)) + tg.Tensor(np.array([1], np.int8))).dtype == np.int16
    # Python scalars adapt to the tensor's dtype in both.
    assert (tg.Tensor(np.ones(2, np.float32)) * 2.5).dtype == np.float32


def test_advanced_indexing_follows_numpy_order():
    # An integer and an array separated by a slice are both advanced indices in NumPy, so
    # their broadcast axis goes first: (2, 3). PyTorch treats the integer as basic: (3, 2).
    data = np.arange(24.0).reshape(2, 3, 4)
    x = tg.Tensor(data, requires_grad=True)
    y = x[0, :, [0, 1]]
    assert y.shape == (2, 3)
    np.testing.assert_array_equal(y.data, data[0, :, [0, 1]])
    y.backward(np.arange(6.0).reshape(2, 3))
    expected = np.zeros_like(data)
    expected[0, :, 0], expected[0, :, 1] = [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]
    np.testing.assert_array_equal(x.grad.data, expected)


def test_reducing_over_an_empty_axis_tuple_reduces_nothing():
    # NumPy's axis=() is the identity; PyTorch's dim=() reduces every axis.
    x = tg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.sum(axis=()).shape == (2, 3)
    x.sum(axis=()).backward(np.ones((2, 3)))
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))


def test_zero_probability_targets_contribute_zero_even_at_minus_inf_logits():
    # 0·log 0 = 0: PyTorch computes 0 · (-inf) = NaN here.
    z = tg.Tensor([[-np.inf, 0.0]], requires_grad=True)
    loss = tg.cross_entropy(z, np.array([[0.0, 1.0]]))
    assert loss.item() == 0.0
    loss.backward()
    np.testing.assert_array_equal(z.grad.data, [[0.0, 0.0]])


def test_python_scalars_follow_numpy_where_pytorch_refuses_or_rounds():
    # PyTorch refuses float - bool, and computes 0 / subnormal as 0 * (1/subnormal) = NaN.
    np.testing.assert_array_equal((tg.Tensor([1.5]) - True).data, [0.5])
    np.testing.assert_array_equal((0.0 / tg.Tensor([5e-324])).data, [0.0])
