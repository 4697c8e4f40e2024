"""vjp, jvp, jacobian (looped and batched), hessian."""
import numpy as np
import pytest

import tinygrad_sm as tg


def f(x):
    return (x.softmax(-1) * np.arange(1.0, 5.0)).tanh()


def test_vjp_returns_output_and_cotangent_product():
    x = np.random.default_rng(0).standard_normal((2, 4))
    v = np.random.default_rng(1).standard_normal((2, 4))
    out, (g,) = tg.vjp(f, x, v=v)
    J = tg.jacobian(f, x).data.reshape(8, 8)
    np.testing.assert_allclose(out.data, f(tg.Tensor(x)).data)
    np.testing.assert_allclose(g.data.reshape(-1), v.reshape(-1) @ J, rtol=1e-12, atol=1e-15)


def test_jvp_matches_jacobian_times_tangent():
    x = np.random.default_rng(2).standard_normal((2, 4))
    t = np.random.default_rng(3).standard_normal((2, 4))
    out, jt = tg.jvp(f, x, t)
    J = tg.jacobian(f, x).data.reshape(8, 8)
    np.testing.assert_allclose(jt.data.reshape(-1), J @ t.reshape(-1), rtol=1e-12, atol=1e-15)


def test_jvp_with_several_inputs():
    a, b = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    ta, tb = np.array([1.0, 0.0]), np.array([0.0, 2.0])
    _, jt = tg.jvp(lambda x, y: x * y.exp(), (a, b), (ta, tb))
    np.testing.assert_allclose(jt.data, ta * np.exp(b) + a * np.exp(b) * tb, rtol=1e-14)


def test_batched_jacobian_equals_looped_jacobian():
    x = np.random.default_rng(4).standard_normal(6)
    loop = tg.jacobian(lambda z: z.softmax(-1), x).data
    batched = tg.jacobian(lambda z: z.softmax(-1), x, vectorize=True).data
    a = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    np.testing.assert_allclose(loop, np.diag(a) - np.outer(a, a), rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(batched, loop, rtol=1e-12, atol=1e-16)


def test_batched_jacobian_refuses_functions_that_mix_the_batch():
    with pytest.raises(ValueError, match="vectorize=False"):
        tg.jacobian(lambda z: z.softmax(axis=0), np.array([0.1, 0.2, 0.3]), vectorize=True)
    with pytest.raises(ValueError, match="leading axis"):
        tg.jacobian(lambda z: z.sum(), np.array([0.1, 0.2]), vectorize=True)


def test_hessian_of_a_cubic():
    x = np.array([0.5, -1.0, 2.0])
    H = tg.hessian(lambda z: (z**3).sum() + (z[0] * z[1]), x).data
    expected = np.diag(6 * x)
    expected[0, 1] = expected[1, 0] = 1.0
    np.testing.assert_allclose(H, expected, rtol=1e-14)


def test_jacobian_of_a_function_that_ignores_its_input_is_zero():
    J = tg.jacobian(lambda z: tg.Tensor(np.ones(2)) * 3 + 0 * z.sum(), np.ones(3)).data
    np.testing.assert_array_equal(J, np.zeros((2, 3)))
