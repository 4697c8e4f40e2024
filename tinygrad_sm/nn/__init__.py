"""Models: ``Module``, ``Parameter``, and layers, as a PyTorch user expects them."""
from . import functional, init, utils
from .attention import MultiHeadSelfAttention
from .embedding import Embedding
from .layers import (
    MLP,
    Dropout,
    Flatten,
    Linear,
    LogSoftmax,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .models import AttentionClassifier, MeanPoolClassifier
from .module import Module, Parameter
from .normalization import LayerNorm

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ModuleList", "ReLU", "Tanh", "Sigmoid", "Softmax",
           "LogSoftmax", "Dropout", "Flatten", "MLP", "LayerNorm", "Embedding", "MultiHeadSelfAttention",
           "MSELoss", "BCEWithLogitsLoss", "NLLLoss", "CrossEntropyLoss", "utils", "functional", "init",
           "AttentionClassifier", "MeanPoolClassifier"]
