"""``pointer``: padded token sequences whose label one attention layer can read and no
bag of embeddings can.

Each sequence is a *pointer* token followed by an even number of *content* tokens,
then padding up to ``max_len``::

    [→3, b, a, a, b, PAD, PAD, ...]     label = class of the content token at position 3 (a → 0)

The pointer token ``→j`` names a position j (1 ≤ j ≤ the number of content tokens);
the label is the class of the content token sitting there. Content values come in
two classes (value parity; with the default two values, the tokens are simply
``a`` = class 0 and ``b`` = class 1), and half of every sequence's content tokens
are of each class, in a random order.

Why it needs attention: the label depends on *which* token sits *where*. A bag of
embeddings, mean-pooled, sees the multiset of tokens (and, with position embeddings
added before pooling, only the sum of the positions, i.e. the length): the multiset
gives the pointer j and a class-balanced set of contents, but not which of them is
at position j. Every order of the same tokens is equally likely and half of them
give each label, so no function of the bag beats 50% on average. One attention
layer can: the pointer's query matches the key of position j (a learned product of
the pointer's embedding and the position embeddings) and carries that token's
embedding, hence its class, back to be pooled.

The tokens form one integer array padded with ``PAD`` (0), so ``(X, y)`` fits the
``DATASETS`` contract: ``padding_mask(X)`` (``X != PAD``) is the mask, True at real
tokens. Every sequence is shorter than ``max_len``, so every batch has padding
positions, whose query rows attend to nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_int

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

PAD = 0
MAX_LEN = 16
N_VALUES = 2


def vocab_size(max_len: int = MAX_LEN, n_values: int = N_VALUES) -> int:
    """Token ids: 0 = PAD, 1..max_len−1 = the pointers →1..→(max_len−1), then the
    ``n_values`` content values (id ``max_len + value``, class ``value % 2``)."""
    return max_len + n_values


def padding_mask(X: ArrayLike) -> np.ndarray:
    """True at real tokens, False at padding: the mask the attention and the pooling use."""
    return np.asarray(X) != PAD


def pointer(n: int = 8000, max_len: int = MAX_LEN, n_values: int = N_VALUES, min_content: int = 4,
            rng: int | np.random.Generator | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: ``n`` sequences, int64 tokens of shape (n, max_len), int64 labels 0/1.

    The pointer j is uniform over 1..m_max (every pointer equally often), and the
    number of content tokens m uniform over the even lengths from ``min_content`` to
    m_max that hold position j, where m_max is the largest even length that leaves
    at least one padding position (sequences of 5 to 15 tokens for the defaults).
    Seeded: the same ``rng`` (a seed or a ``np.random.Generator``) gives the same data.
    """
    for name, v in (("n", n), ("max_len", max_len), ("n_values", n_values), ("min_content", min_content)):
        if not is_int(v) or v < 1:
            raise ValueError(f"pointer: {name} must be a positive int, got {v!r}")
    if n_values % 2:
        raise ValueError(f"pointer: n_values must be even (half of the values in each class), got {n_values}")
    if min_content % 2:
        raise ValueError(f"pointer: min_content must be even (half of the contents in each class), got {min_content}")
    lengths = np.arange(min_content, max_len - 1, 2)  # content + pointer < max_len: one padding position at least
    if not len(lengths):
        raise ValueError(f"pointer: max_len {max_len} leaves no room for {min_content} content tokens, "
                         f"a pointer and a padding position")
    gen = np.random.default_rng(rng)
    X = np.full((n, max_len), PAD, dtype=np.int64)
    y = np.empty(n, dtype=np.int64)
    half = n_values // 2
    for i in range(n):
        j = int(gen.integers(1, lengths[-1] + 1))  # every pointer equally often...
        m = int(gen.choice(lengths[lengths >= j]))  # ...in a sequence long enough for it
        values = np.concatenate([2 * gen.integers(0, half, m // 2), 2 * gen.integers(0, half, m // 2) + 1])
        gen.shuffle(values)
        X[i, 0] = j
        X[i, 1:m + 1] = max_len + values
        y[i] = values[j - 1] % 2
    return X, y


def token_names(tokens: ArrayLike, max_len: int = MAX_LEN) -> list[str]:
    """Readable names for token ids: ``·`` for padding, ``→j`` for pointers, the content
    values as letters (``a`` = 0, ``b`` = 1, ...), for plots and printing."""
    names = []
    for t in np.asarray(tokens).reshape(-1).tolist():
        if t == PAD:
            names.append("·")
        elif t < max_len:
            names.append(f"→{t}")
        else:
            v = t - max_len
            names.append(chr(ord("a") + v) if v < 26 else str(v))
    return names
