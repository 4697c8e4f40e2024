"""Every composite function case (and the new loss primitive) passes gradcheck and
gradgradcheck in float64 at atol 1e-8, rtol 1e-6."""
import pytest
from function_cases import CASES

import tinygrad_sm as tg

PARAMS = [pytest.param(f, inputs, id=name) for name, f, inputs in CASES]


def test_case_names_are_unique():
    names = [name for name, _, _ in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("f, inputs", PARAMS)
def test_gradcheck(f, inputs):
    assert tg.gradcheck(f, inputs, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("f, inputs", PARAMS)
def test_gradgradcheck(f, inputs):
    assert tg.gradgradcheck(f, inputs, atol=1e-8, rtol=1e-6)
