"""The shared argument checks: NumPy scalars count as numbers, bools do not."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import checks, nn


@pytest.mark.parametrize("value", [0.1, np.float32(0.1), np.float64(0.1), 1, np.int64(1)])
def test_numpy_scalars_are_numbers(value):
    assert checks.is_real(value)
    assert checks.check_probability("f", "p", value) == pytest.approx(float(value))


@pytest.mark.parametrize("value", [True, np.bool_(False), "0.1", None])
def test_bools_and_strings_are_not_numbers(value):
    assert not checks.is_real(value) and not checks.is_int(value)
    with pytest.raises(TypeError, match="f: p must be"):
        checks.check_probability("f", "p", value)


@pytest.mark.parametrize("value, low, error", [(0, 1, "f: n must be a positive integer"),
                                               (-1, 0, "f: n must be a non-negative integer")])
def test_int_bounds(value, low, error):
    with pytest.raises(ValueError, match=error):
        checks.check_int("f", "n", value, low=low)
    assert checks.check_int("f", "n", np.int32(low), low=low) == low


@pytest.mark.parametrize("value", [float("nan"), -0.1, 1.5])
def test_probability_range(value):
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        checks.check_probability("f", "p", value)


def test_label_smoothing_accepts_a_numpy_float():
    z = tg.Tensor(np.zeros((2, 3)))
    want = tg.cross_entropy(z, [0, 1], label_smoothing=0.1).item()
    assert tg.cross_entropy(z, [0, 1], label_smoothing=np.float32(0.1)).item() == pytest.approx(want)
    assert nn.CrossEntropyLoss(label_smoothing=np.float32(0.1)).label_smoothing == pytest.approx(0.1)


def test_reductions_are_defined_once():
    with pytest.raises(ValueError, match=r"cross_entropy: reduction must be one of \('mean', 'sum', 'none'\)"):
        tg.cross_entropy(tg.Tensor(np.zeros((1, 2))), [0], reduction="avg")
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of"):
        nn.MSELoss(reduction="avg")


def test_import_needs_no_graphviz_until_viz_is_used():
    import subprocess
    import sys
    code = ("import sys; sys.modules['graphviz'] = None; import tinygrad_sm as tg; tg.Tensor([1.0]).exp()\n"
            "from tinygrad_sm import *\n"
            "try:\n    tg.viz\nexcept ImportError as e:\n    print(e)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "tinygrad_sm.viz needs the graphviz package: pip install graphviz"
