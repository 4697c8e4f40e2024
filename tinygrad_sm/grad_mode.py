"""Thread-local switches: gradient recording (``no_grad``) and anomaly detection."""
import functools
import threading


class _State(threading.local):
    grad_enabled = True
    anomaly = False


STATE = _State()


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded."""
    return STATE.grad_enabled


class _Switch:
    """A context manager that is also a decorator; subclasses set ``attr`` and ``value``."""

    attr = ""

    def __init__(self):
        self._prev = []

    def _value(self):
        raise TypeError(f"{type(self).__name__} does not define its value")

    def __enter__(self):
        self._prev.append(getattr(STATE, self.attr))
        setattr(STATE, self.attr, self._value())
        return self

    def __exit__(self, *exc):
        setattr(STATE, self.attr, self._prev.pop())
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with type(self)(*self._args()):
                return fn(*args, **kwargs)

        return wrapped

    def _args(self):
        return ()


class no_grad(_Switch):
    """Context manager and decorator: operations inside are not recorded.

    Thread-local, like ``torch.no_grad``: another thread keeps recording.
    """

    attr = "grad_enabled"

    def _value(self):
        return False


class enable_grad(_Switch):
    """Context manager and decorator: turn recording back on inside ``no_grad``."""

    attr = "grad_enabled"

    def _value(self):
        return True


class set_grad_enabled(_Switch):
    """``with set_grad_enabled(mode):`` records when ``mode`` is true."""

    attr = "grad_enabled"

    def __init__(self, mode):
        super().__init__()
        self.mode = bool(mode)

    def _value(self):
        return self.mode

    def _args(self):
        return (self.mode,)


class detect_anomaly(_Switch):
    """Context manager and decorator: raise at the first NaN/inf an op produces.

    Inside it, every recorded op remembers the file:line of the user code that
    created it; a forward op whose finite inputs give a non-finite output, or a
    VJP whose finite incoming gradient gives a non-finite gradient, raises
    :class:`AnomalyError` naming the op and that line. It costs a pass over every
    array, so use it to debug, not to train.
    """

    attr = "anomaly"

    def _value(self):
        return True


class AnomalyError(RuntimeError):
    """Raised under ``detect_anomaly()`` when an op produces NaN or inf."""
