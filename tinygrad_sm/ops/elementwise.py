"""Elementwise primitives. Exp, Sqrt, Tanh, Sigmoid and Relu save only their output; Abs saves
only the signs (one byte each)."""
import numpy as np

from ..op import Op
from .common import operand_error


class Neg(Op):
    """z = −x;  x̄ = −g"""

    __slots__ = ()

    def forward(self, x):
        return np.negative(x)

    def vjp(self, g):
        return (-g,)


class Add(Op):
    """z = x + y;  x̄ = g,  ȳ = g  (the engine sums broadcast axes away)"""

    __slots__ = ()

    def forward(self, x, y):
        try:
            return np.add(x, y)
        except (ValueError, TypeError) as e:
            raise operand_error("add", e, x, y) from None

    def vjp(self, g):
        return g, g


class Sub(Op):
    """z = x − y;  x̄ = g,  ȳ = −g"""

    __slots__ = ()

    def forward(self, x, y):
        try:
            return np.subtract(x, y)
        except (ValueError, TypeError) as e:
            raise operand_error("sub", e, x, y) from None

    def vjp(self, g):
        return g, (-g if self.needs(1) else None)


class Mul(Op):
    """z = x·y;  x̄ = g·y,  ȳ = g·x  (each factor is saved only if the other needs a grad)"""

    __slots__ = ()

    def forward(self, x, y):
        try:
            out = np.multiply(x, y)
        except (ValueError, TypeError) as e:
            raise operand_error("mul", e, x, y) from None
        needs_x, needs_y = self.parents
        self.save(None if needs_y is None else x, None if needs_x is None else y)
        return out

    def vjp(self, g, x, y):
        return (None if y is None else g * y), (None if x is None else g * x)


class Div(Op):
    """z = x / y;  x̄ = g / y,  ȳ = −g·z / y"""

    __slots__ = ()

    def forward(self, x, y):
        try:
            out = np.true_divide(x, y)
        except (ValueError, TypeError) as e:
            raise operand_error("div", e, x, y) from None
        self.save(y, None if self.parents[1] is None else out)
        return out

    def vjp(self, g, y, out):
        return (g / y if self.needs(0) else None), (-g * out / y if self.needs(1) else None)


class Pow(Op):
    """z = x ** y;  x̄ = g·y·x^(y−1) (0 where y = 0),  ȳ = g·z·log x (0 where x = 0)

    The two zeros are the limits PyTorch and autograd take too: x⁰ is constant in x, and
    0^y is constant (0) in y for y > 0.
    """

    __slots__ = ()

    def forward(self, x, y):
        try:
            out = np.power(x, y)
        except (ValueError, TypeError) as e:
            raise operand_error("pow", e, x, y) from None
        self.save(x, y, None if self.parents[1] is None else out)
        return out

    def vjp(self, g, x, y, out):
        gx = gy = None
        if self.needs(0):  # y·x^(y−1) first, then g: g·y alone may overflow where the derivative is 0
            if isinstance(y, (int, float)):  # a Python exponent: the zero case is known now
                gx = g * (y * x ** (y - 1)) if y != 0 else g * 0
            else:
                zero = np.asarray(y == 0)
                gx = Where.apply(zero, 0, g * (y * x ** Where.apply(zero, 1, y - 1)))
        if self.needs(1):  # the masks are constants: built from the values, never differentiated
            flat = np.logical_and(np.asarray(x == 0), np.asarray(y >= 0))
            gy = Where.apply(flat, 0, g * (out * Log.apply(Where.apply(flat, 1, x))))
        return gx, gy


class Exp(Op):
    """z = eˣ;  x̄ = g·z"""

    __slots__ = ()

    def forward(self, x):
        out = np.exp(x)
        self.save(out)
        return out

    def vjp(self, g, out):
        return (g * out,)


class Log(Op):
    """z = log x;  x̄ = g / x"""

    __slots__ = ()

    def forward(self, x):
        self.save(x)
        return np.log(x)

    def vjp(self, g, x):
        return (g / x,)


class Sqrt(Op):
    """z = √x;  x̄ = g / (2z)"""

    __slots__ = ()

    def forward(self, x):
        out = np.sqrt(x)
        self.save(out)
        return out

    def vjp(self, g, out):
        return (0.5 * g / out,)


class Tanh(Op):
    """z = tanh x;  x̄ = g·(1 − z²)"""

    __slots__ = ()

    def forward(self, x):
        out = np.tanh(x)
        self.save(out)
        return out

    def vjp(self, g, out):
        return (g * (1 - out * out),)


class Sigmoid(Op):
    """z = 1 / (1 + e⁻ˣ);  x̄ = g·z·(1 − z)"""

    __slots__ = ()

    def forward(self, x):
        x = np.asarray(x)
        if x.dtype.kind in "biu":
            x = x.astype(np.float64)
        e = np.exp(-np.abs(x))  # never overflows; exact in both tails
        out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        self.save(out)
        return out

    def vjp(self, g, out):
        return (g * out * (1 - out),)


class Relu(Op):
    """z = max(x, 0);  x̄ = g·[not z ≤ 0]"""

    __slots__ = ()

    def forward(self, x):
        out = np.maximum(x, 0)
        self.save(out)
        return out

    def vjp(self, g, out):
        return (g * ~(out <= 0),)  # a NaN input passes its gradient, as in PyTorch


class Where(Op):
    """z = where(c, x, y);  x̄ = where(c, g, 0),  ȳ = where(c, 0, g)  (c is a constant)"""

    __slots__ = ()

    def forward(self, cond, x, y):
        c = np.asarray(cond)
        if c.dtype != bool:
            raise TypeError(f"where: the condition must be boolean, got dtype {c.dtype}; compare first, e.g. x > 0")
        try:
            out = np.where(c, x, y)
        except ValueError:
            raise ValueError(
                f"where: condition, x and y of shapes {np.shape(c)}, {np.shape(x)} and "
                f"{np.shape(y)} cannot be broadcast together"
            ) from None
        if self.needs(1) or self.needs(2):
            self.save(c)
        return out

    def vjp(self, g, cond):
        gx = Where.apply(cond, g, 0) if self.needs(1) else None
        gy = Where.apply(cond, 0, g) if self.needs(2) else None
        return None, gx, gy


class Cast(Op):
    """z = x.astype(to);  x̄ = g.astype(x.dtype)"""

    __slots__ = ("to", "src")
    params = ("to",)

    def __init__(self, to):
        self.to = to

    def forward(self, x):
        self.src = np.asarray(x).dtype
        return np.asarray(x).astype(self.to)

    def vjp(self, g):
        return (g.astype(self.src),)


class Sin(Op):
    """z = sin x;  x̄ = g·cos x"""

    __slots__ = ()

    def forward(self, x):
        self.save(x=x)
        return np.sin(x)

    def vjp(self, g, x):
        return (g * Cos.apply(x),)


class Cos(Op):
    """z = cos x;  x̄ = −g·sin x"""

    __slots__ = ()

    def forward(self, x):
        self.save(x=x)
        return np.cos(x)

    def vjp(self, g, x):
        return (-g * Sin.apply(x),)


class Abs(Op):
    """z = |x|;  x̄ = g·sign x  (0 at x = 0 and at NaN, as in PyTorch)"""

    __slots__ = ()

    def forward(self, x):
        x = np.asarray(x)
        if self.needs(0):
            self.save(sign=_sign(x).astype(np.int8))
        return np.abs(x)

    def vjp(self, g, sign):
        return (g * sign,)


class Sign(Op):
    """z = sign x (−1, 0 or 1; 0 at NaN, as in PyTorch);  x̄ = 0"""

    __slots__ = ()

    def forward(self, x):
        return _sign(np.asarray(x))

    def vjp(self, g):
        return (g * 0,)


class Clone(Op):
    """z = a copy of x in new, C-ordered memory;  x̄ = g"""

    __slots__ = ()

    def forward(self, x):
        return np.array(x, copy=True, order="C")

    def vjp(self, g):
        return (g,)


def _sign(x):
    s = np.sign(x)
    return np.where(np.isnan(s), 0, s) if x.dtype.kind == "f" else s
