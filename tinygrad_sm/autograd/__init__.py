"""``tg.autograd``: ``grad``, ``gradcheck``/``gradgradcheck``, and ``Function`` (custom ops in PyTorch's shape)."""
from .function import Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .gradients import grad

__all__ = ["grad", "gradcheck", "gradgradcheck", "GradcheckError", "Function", "FunctionCtx"]
