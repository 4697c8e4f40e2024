"""Every primitive in the registry, and every composite function in function_cases.py,
passes gradcheck and gradgradcheck in float64 (atol 1e-8, rtol 1e-6)."""
import numpy as np
import pytest
from function_cases import CASES as FUNCTION_CASES
from op_cases import CASES

import tinygrad_sm as tg
from tinygrad_sm.op import Op
from tinygrad_sm.ops import REGISTRY

PARAMS = [
    pytest.param(f, inputs, id=f"{name}-{label}")
    for name, cases in CASES.items()
    for label, f, inputs in cases
] + [pytest.param(f, inputs, id=f"function-{name}") for name, f, inputs in FUNCTION_CASES]


def test_function_case_names_are_unique():
    names = [name for name, _, _ in FUNCTION_CASES]
    assert len(names) == len(set(names))


def test_every_registered_op_has_gradient_cases():
    assert {op.__name__ for op in REGISTRY} == set(CASES)


@pytest.mark.parametrize("f, inputs", PARAMS)
def test_gradcheck(f, inputs):
    assert tg.gradcheck(f, inputs, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("f, inputs", PARAMS)
def test_gradgradcheck(f, inputs):
    assert tg.gradgradcheck(f, inputs, atol=1e-8, rtol=1e-6)


class WrongSquare(Op):
    """x² with a VJP that forgets the factor 2: gradcheck must catch it."""

    __slots__ = ()

    def forward(self, x):
        self.save(x=x)
        return x * x

    def vjp(self, g, x):
        return (g * x,)


def test_gradcheck_names_the_worst_entry():
    x = np.array([0.5, -2.0, 1.0])
    with pytest.raises(tg.GradcheckError) as err:
        tg.gradcheck(lambda t: WrongSquare.apply(t), [x])
    msg = str(err.value)
    # The worst entry is the largest |x|: index 1, analytic -2, numeric -4.
    assert "input element (1,)" in msg and "output (1,)" in msg
    assert "analytic np.float64(-2.0)" in msg and "numeric" in msg and "-4.0" in msg


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class LinearVJP(Op):
        """x³ whose VJP 3·g·x² is right at first order but built from a constant,
        so its own derivative is lost."""

        __slots__ = ()

        def forward(self, x):
            self.save(xc=np.array(x))  # a copy: a constant, not the input
            return x**3

        def vjp(self, g, xc):
            return (3 * g * xc**2,)

    x = np.array([0.7, 1.3])
    assert tg.gradcheck(lambda t: LinearVJP.apply(t), [x])
    with pytest.raises(tg.GradcheckError):
        tg.gradgradcheck(lambda t: LinearVJP.apply(t), [x])


def test_gradcheck_requires_float64_output():
    with pytest.raises(TypeError, match="float64"):
        tg.gradcheck(lambda t: t.astype(np.float32), [np.ones(2)])
