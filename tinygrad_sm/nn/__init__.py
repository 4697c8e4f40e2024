"""Models: ``Module``, ``Parameter``, and layers, as a PyTorch user expects them."""
from . import utils
from .attention import MultiHeadSelfAttention
from .embedding import Embedding
from .layers import MLP, Dropout, Linear, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .models import AttentionClassifier, MeanPoolClassifier
from .module import Module, Parameter
from .normalization import LayerNorm

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "Softmax",
           "LogSoftmax", "Dropout", "MLP", "LayerNorm", "Embedding", "MultiHeadSelfAttention",
           "MSELoss", "BCEWithLogitsLoss", "NLLLoss", "CrossEntropyLoss", "utils",
           "AttentionClassifier", "MeanPoolClassifier"]
