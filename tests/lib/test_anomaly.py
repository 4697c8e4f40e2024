"""detect_anomaly(): the first NaN/inf raises, naming the op and the user's line."""
import os

import numpy as np
import pytest

import tinygrad_sm as tg

HERE = os.path.basename(__file__)

# NumPy warns about the very values anomaly mode turns into errors.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_forward_nan_names_the_op_and_this_line():
    x = tg.Tensor([1.0, -1.0], requires_grad=True)
    with tg.detect_anomaly():
        with pytest.raises(tg.AnomalyError) as err:
            x.sqrt()  # sqrt(-1) = nan
    msg = str(err.value)
    assert "Sqrt produced nan in forward" in msg
    assert HERE in msg


def test_backward_inf_names_the_op_and_where_it_was_created():
    x = tg.Tensor([0.0, 4.0], requires_grad=True)
    with tg.detect_anomaly():
        y = x.sqrt()  # fine forward; the VJP divides by sqrt(0)
        line = f"{HERE}:{y.grad_fn.site.rsplit(':', 1)[1]}"
        with pytest.raises(tg.AnomalyError) as err:
            y.sum().backward()
    msg = str(err.value)
    assert "SqrtBackward produced inf" in msg and line in msg
    assert x.grad is None  # nothing was assigned
    assert y.grad_fn.saved is None  # the graph was freed: a backward that raised locks nothing
    x.data[0] = 1.0


def test_non_finite_constants_are_not_anomalies():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    with tg.detect_anomaly():
        masked = tg.where(np.array([True, False]), x, -np.inf)  # -inf came in, was not produced
        masked.softmax().sum().backward()
    assert np.all(np.isfinite(x.grad.data))


def test_without_anomaly_mode_nothing_is_checked():
    x = tg.Tensor([-1.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.sqrt().item())
