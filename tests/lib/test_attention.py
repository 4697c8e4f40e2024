"""scaled_dot_product_attention and MultiHeadSelfAttention: values, masks (a query with
no allowed key gives zeros and zero gradient, never NaN), clear errors, PyTorch agreement."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn
from tinygrad_sm.functional import padding_attention_mask, scaled_dot_product_attention


def reference(q, k, v, mask=None):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    m = np.max(s, -1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(s - m)
    total = e.sum(-1, keepdims=True)
    w = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return w @ v, w


def leaves(rng, *shapes, dtype=np.float64):
    return [tg.Tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]


def test_forward_matches_numpy(rng):
    q, k, v = leaves(rng, (2, 3, 4), (2, 5, 4), (2, 5, 6))
    mask = rng.random((2, 3, 5)) > 0.3
    out, w = scaled_dot_product_attention(q, k, v, mask=mask, return_weights=True)
    want_out, want_w = reference(q.numpy(), k.numpy(), v.numpy(), mask)
    np.testing.assert_allclose(out.numpy(), want_out, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(w.numpy(), want_w, rtol=1e-12, atol=1e-15)


def test_a_query_with_no_allowed_key_gives_zeros_and_zero_gradient(rng):
    q, k, v = leaves(rng, (2, 3, 4), (2, 5, 4), (2, 5, 6))
    mask = np.ones((2, 3, 5), dtype=bool)
    mask[1, 2] = False
    out, w = scaled_dot_product_attention(q, k, v, mask=mask, return_weights=True)
    assert (out.numpy()[1, 2] == 0).all() and (w.numpy()[1, 2] == 0).all()
    np.testing.assert_allclose(w.numpy()[0].sum(-1), 1.0)
    (out * rng.standard_normal(out.shape)).sum().backward()
    for t in (q, k, v):
        assert np.isfinite(t.grad.numpy()).all()
    assert (q.grad.numpy()[1, 2] == 0).all()


def test_padding_mask_lets_real_tokens_attend_to_real_tokens_only():
    valid = np.array([[True, True, False], [True, False, False]])
    m = padding_attention_mask(valid)
    assert m.shape == (2, 1, 3, 3)
    np.testing.assert_array_equal(m[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(m[1, 0], [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    with pytest.raises(TypeError, match="padding_attention_mask: valid must be a boolean array"):
        padding_attention_mask(np.array([[1, 0]]))


def test_float32_stays_float32_and_views_work(rng):
    q, k, v = leaves(rng, (4, 3), (5, 3), (5, 2), dtype=np.float32)
    out = scaled_dot_product_attention(q, k, v)
    assert out.dtype == np.float32
    base = rng.standard_normal((3, 5))  # k as a transposed (non-contiguous) view
    a = scaled_dot_product_attention(q.numpy(), base.T, v.numpy())
    b = scaled_dot_product_attention(q.numpy(), np.ascontiguousarray(base.T), v.numpy())
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_empty_batch_and_empty_queries(rng):
    q, k, v = leaves(rng, (0, 3, 4), (0, 5, 4), (0, 5, 2))
    out = scaled_dot_product_attention(q, k, v)
    assert out.shape == (0, 3, 2)
    out.sum().backward()
    assert q.grad.shape == (0, 3, 4)
    q, k, v = leaves(rng, (2, 0, 4), (2, 5, 4), (2, 5, 2))
    assert scaled_dot_product_attention(q, k, v).shape == (2, 0, 2)


@pytest.mark.parametrize("shapes, mask, err, message", [
    (((2, 3, 4), (2, 5, 3), (2, 5, 6)), None, ValueError, r"q and k must have the same width d, got q \(2, 3, 4\) and k \(2, 5, 3\)"),
    (((2, 3, 4), (2, 5, 4), (2, 6, 6)), None, ValueError, r"k and v must have the same length Lk, got k \(2, 5, 4\) and v \(2, 6, 6\)"),
    (((2, 3, 4), (3, 5, 4), (3, 5, 6)), None, ValueError, r"the leading \(batch, head\) axes of q \(2, 3, 4\), k \(3, 5, 4\) and v \(3, 5, 6\) do not"),
    (((4,), (5, 4), (5, 6)), None, ValueError, r"q must have shape \(\.\.\., L, d\), got \(4,\)"),
    (((2, 3, 4), (2, 0, 4), (2, 0, 6)), None, ValueError, r"k of shape \(2, 0, 4\) has no keys"),
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), np.ones((2, 3, 5)), TypeError, "mask must be boolean .*got dtype float64"),
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), np.ones((2, 3, 5), dtype=int), TypeError, "mask must be boolean"),
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), np.ones((2, 5, 3), dtype=bool), ValueError,
     r"mask of shape \(2, 5, 3\) does not broadcast to the attention weights' shape \(2, 3, 5\)"),
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), np.ones((4, 2, 3, 5), dtype=bool), ValueError,
     r"mask of shape \(4, 2, 3, 5\) does not broadcast"),
])
def test_bad_input_names_the_argument(rng, shapes, mask, err, message):
    q, k, v = leaves(rng, *shapes)
    with pytest.raises(err, match="scaled_dot_product_attention: " + message):
        scaled_dot_product_attention(q, k, v, mask=mask)


def test_integer_inputs_are_refused():
    with pytest.raises(TypeError, match="scaled_dot_product_attention: k must be floating, got dtype int64"):
        scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3), dtype=np.int64), np.ones((2, 3)))


def test_the_backward_footer_sets_saved_bytes_beside_the_jacobian(rng):
    from tinygrad_sm import viz

    B, H, L, d = 2, 2, 4, 3
    q, k, v = leaves(rng, (B, H, L, d), (B, H, L, d), (B, H, L, d))
    out = scaled_dot_product_attention(q, k, v).sum()
    source = viz.draw_graph(out, kind="backward").source
    # SoftmaxBackward saves its output (B·H·Lq·Lk·8 bytes); the Jacobian would take B·H·Lq·Lk²·8.
    assert f"SoftmaxBackward ({B}, {H}, {L}, {L}): saves {B * H * L * L * 8} B" in source
    assert f"would need {B * H * L * L * L * 8 // 1024:.1f} KiB ({B}*{H}*{L}*{L}^2*8 B)" in source


# --- MultiHeadSelfAttention ----------------------------------------------------------------------
def heads_by_hand(module, x, mask):
    """Each head computed separately from its own column block of the fused projection."""
    W, b = module.qkv.weight.numpy(), module.qkv.bias.numpy()
    d, H = module.embed_dim, module.num_heads
    dh = d // H
    proj = x @ W.T + b
    outs = []
    for h in range(H):
        cols = slice(h * dh, (h + 1) * dh)
        q, k, v = proj[..., :d][..., cols], proj[..., d:2 * d][..., cols], proj[..., 2 * d:][..., cols]
        outs.append(reference(q, k, v, mask[:, 0])[0])
    return np.concatenate(outs, -1) @ module.out.weight.numpy().T + module.out.bias.numpy()


def test_mhsa_head_layout_is_contiguous_column_blocks(rng):
    module = nn.MultiHeadSelfAttention(8, 2, rng=0, dtype=np.float64)
    x = rng.standard_normal((3, 5, 8))
    valid = np.array([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    mask = padding_attention_mask(valid)
    out, w = module(tg.Tensor(x), mask=mask, return_weights=True)
    assert out.shape == (3, 5, 8) and w.shape == (3, 2, 5, 5)
    np.testing.assert_allclose(out.numpy(), heads_by_hand(module, x, mask), rtol=1e-10, atol=1e-12)
    assert (w.numpy()[1, :, 2:] == 0).all()  # padding queries attend to nothing


def test_mhsa_checks_its_arguments():
    with pytest.raises(ValueError, match="embed_dim 6 is not divisible by num_heads 4"):
        nn.MultiHeadSelfAttention(6, 4)
    with pytest.raises(ValueError, match="num_heads must be a positive int"):
        nn.MultiHeadSelfAttention(6, 0)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., L, 8\), got \(2, 3, 6\)"):
        nn.MultiHeadSelfAttention(8, 2, rng=0)(tg.zeros(2, 3, 6))


def test_mhsa_is_seeded_and_registers_its_parameters():
    a, b = nn.MultiHeadSelfAttention(8, 2, rng=3), nn.MultiHeadSelfAttention(8, 2, rng=3)
    names = [n for n, _ in a.named_parameters()]
    assert names == ["qkv.weight", "qkv.bias", "out.weight", "out.bias"]
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    assert not np.allclose(a.qkv.weight.numpy()[:8], a.out.weight.numpy())  # one stream, different draws


# --- against PyTorch -------------------------------------------------------------------------------
@pytest.mark.torch
def test_sdpa_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    q, k, v = leaves(rng, (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6))
    mask = rng.random((2, 1, 3, 5)) > 0.4
    mask[..., 0] = True  # PyTorch gives NaN for a query with no allowed key
    out = scaled_dot_product_attention(q, k, v, mask=mask)
    tq, tk, tv = (torch.tensor(t.numpy(), requires_grad=True) for t in (q, k, v))
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.tensor(g))
    for ours, theirs in ((q, tq), (k, tk), (v, tv)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.torch
def test_dead_query_rows_match_pytorch_sdpa_and_not_its_multihead_attention(rng):
    """PyTorch's F.scaled_dot_product_attention also gives zeros (and zero gradient) for
    a query with no allowed key; its nn.MultiheadAttention gives NaN there."""
    torch = pytest.importorskip("torch")
    q, k, v = leaves(rng, (1, 3, 4), (1, 3, 4), (1, 3, 4))
    allowed = np.array([[[True, False, False], [False, False, False], [True, True, False]]])
    out = scaled_dot_product_attention(q, k, v, mask=allowed)
    tq, tk, tv = (torch.tensor(t.numpy(), requires_grad=True) for t in (q, k, v))
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(allowed))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    for ours, theirs in ((q, tq), (k, tk), (v, tv)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    module = nn.MultiHeadSelfAttention(4, 2, rng=0, dtype=np.float64)
    mha = torch.nn.MultiheadAttention(4, 2, batch_first=True, dtype=torch.float64)
    x = rng.standard_normal((1, 3, 4))
    theirs, _ = mha(*(torch.tensor(x),) * 3, attn_mask=torch.tensor(~allowed[0]))
    ours = module(tg.Tensor(x), mask=allowed[:, None])
    assert np.isnan(theirs.detach().numpy()[0, 1]).all()
    assert np.isfinite(ours.numpy()).all()


@pytest.mark.torch
def test_mhsa_matches_pytorch_multihead_attention(rng):
    torch = pytest.importorskip("torch")
    d, H = 8, 2
    module = nn.MultiHeadSelfAttention(d, H, rng=1, dtype=np.float64)
    tm = torch.nn.MultiheadAttention(d, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        tm.in_proj_weight.copy_(torch.tensor(module.qkv.weight.numpy()))  # the same (3d, d) layout
        tm.in_proj_bias.copy_(torch.tensor(module.qkv.bias.numpy()))
        tm.out_proj.weight.copy_(torch.tensor(module.out.weight.numpy()))
        tm.out_proj.bias.copy_(torch.tensor(module.out.bias.numpy()))
    x = rng.standard_normal((3, 5, d))
    keys = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
    mask = np.broadcast_to(keys[:, None, None, :], (3, 1, 5, 5))  # key padding; every query keeps a key
    xt = tg.Tensor(x, requires_grad=True)
    out, w = module(xt, mask=mask, return_weights=True)
    tx = torch.tensor(x, requires_grad=True)
    tout, tw = tm(tx, tx, tx, key_padding_mask=torch.tensor(~keys), need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(module.qkv.weight.grad.numpy(), tm.in_proj_weight.grad.numpy(), rtol=1e-9, atol=1e-12)
