"""Thread-local switches: gradient recording (``no_grad``) and anomaly detection.

Each switch works as PyTorch's does: as a context manager (restoring the previous
mode on exit, exception or not), and as a decorator, with or without parentheses
(``@no_grad`` and ``@no_grad()``). On a generator function the mode applies while the
generator's body runs and the caller's mode is back between ``yield``s.
"""
import functools
import inspect
import threading

from .checks import check_bool


class _State(threading.local):
    grad_enabled = True
    anomaly = False


STATE = _State()


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded."""
    return STATE.grad_enabled


class _Set:
    """``with _Set(attr, value):`` sets ``STATE.attr``, restoring the previous value after."""

    __slots__ = ("attr", "value", "prev")

    def __init__(self, attr, value):
        self.attr, self.value = attr, value

    def __enter__(self):
        self.prev = getattr(STATE, self.attr)
        setattr(STATE, self.attr, self.value)
        return self

    def __exit__(self, *exc):
        setattr(STATE, self.attr, self.prev)
        return False


def _decorate(fn, attr, value):
    """``fn`` running with ``STATE.attr = value`` (a generator function: while its body runs)."""
    if not callable(fn):
        raise TypeError(f"a grad-mode switch decorates a function, got {type(fn).__name__}")
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with _Set(attr, value):
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with _Set(attr, value):
                            gen.close()
                        raise
                    except BaseException as e:
                        with _Set(attr, value):
                            response = gen.throw(e)
                    else:
                        with _Set(attr, value):
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with _Set(attr, value):
            return fn(*args, **kwargs)

    return wrapped


class _Switch:
    """A switch with a fixed value: a context manager, and a decorator used bare or called.

    One instance can be entered again, nested, and from several threads at once: the
    value each ``with`` restores is kept per thread.
    """

    attr = ""
    value = None

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is None:
            return self
        self.__init__()
        return self(func)  # used bare: @no_grad

    def __init__(self, func=None):
        self._saved = threading.local()

    def __enter__(self):
        stack = self._saved.__dict__.setdefault("stack", [])
        stack.append(getattr(STATE, self.attr))
        setattr(STATE, self.attr, self.value)
        return self

    def __exit__(self, *exc):
        setattr(STATE, self.attr, self._saved.stack.pop())
        return False

    def __call__(self, fn):
        return _decorate(fn, self.attr, self.value)


class no_grad(_Switch):
    """Context manager and decorator (``@no_grad`` or ``@no_grad()``): operations inside are
    not recorded.

    Thread-local, like ``torch.no_grad``: another thread keeps recording.
    """

    attr = "grad_enabled"
    value = False


class enable_grad(_Switch):
    """Context manager and decorator: turn recording back on inside ``no_grad``."""

    attr = "grad_enabled"
    value = True


class set_grad_enabled:
    """Switch recording on or off (``mode``), as ``torch.set_grad_enabled`` does.

    * a plain call, ``set_grad_enabled(False)``, takes effect at once and lasts (in
      this thread) until switched again;
    * ``with set_grad_enabled(mode):`` restores the previous mode on exit;
    * ``@set_grad_enabled(mode)`` applies ``mode`` inside each call only.
    """

    def __init__(self, mode):
        self.mode = check_bool("set_grad_enabled", "mode", mode)
        self.prev = STATE.grad_enabled
        STATE.grad_enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        STATE.grad_enabled = self.prev
        return False

    def __call__(self, fn):
        STATE.grad_enabled = self.prev  # as a decorator it applies inside calls, not from now on
        return _decorate(fn, "grad_enabled", self.mode)


class detect_anomaly(_Switch):
    """Context manager and decorator: raise at the first NaN/inf an op produces.

    Inside it, every recorded op remembers the file:line of the user code that
    created it; a forward op whose finite inputs give a non-finite output, or a
    VJP whose finite incoming gradient gives a non-finite gradient, raises
    :class:`AnomalyError` naming the op and that line. It costs a pass over every
    array, so use it to debug, not to train.
    """

    attr = "anomaly"
    value = True


class AnomalyError(RuntimeError):
    """Raised under ``detect_anomaly()`` when an op produces NaN or inf."""
