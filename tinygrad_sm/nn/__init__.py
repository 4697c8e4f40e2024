"""Models: ``Module``, ``Parameter``, and layers, as a PyTorch user expects them."""
from .layers import MLP, Dropout, Linear, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, Parameter

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "Softmax",
           "LogSoftmax", "Dropout", "MLP", "MSELoss", "BCEWithLogitsLoss", "NLLLoss", "CrossEntropyLoss"]
