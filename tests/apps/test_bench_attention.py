"""The attention benchmark runs, checks its variants against each other first, and reports
the composed softmax's extra memory (speed is measured by running it, never in tests)."""
import numpy as np
import pytest

from tinygrad_sm.apps.bench import attention


def test_both_variants_agree_in_float64():
    variants = attention.build(2, 6, heads=2, d_model=8, dtype="float64")
    primitive, composed = variants["primitive"](), variants["composed"]()
    for a, b in zip(primitive, composed):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    attention.check(variants, "float64")


def test_a_wrong_variant_is_caught():
    variants = attention.build(2, 6, heads=2, d_model=8, dtype="float64")
    right = variants["composed"]
    variants["composed"] = lambda: (right()[0] * 1.001,) + right()[1:]
    with pytest.raises(AssertionError, match="composed disagrees with the primitive on output"):
        attention.check(variants, "float64")


def test_run_records_time_and_memory_side_by_side():
    records = attention.run(lengths=(4, 32), batch=2, heads=2, d_model=8, samples=2, min_time=1e-5)
    assert [(r["L"], r["variant"]) for r in records] == [(4, "primitive"), (4, "composed"),
                                                         (32, "primitive"), (32, "composed")]
    by = {(r["L"], r["variant"]): r for r in records}
    assert by[(32, "primitive")]["time_vs_primitive"] == 1.0
    assert by[(32, "primitive")]["attention_map_bytes"] == 2 * 2 * 32 * 32 * 4
    # the composed softmax keeps exp's output and the quotient: at least one more attention map
    extra = by[(32, "composed")]["peak_bytes"] - by[(32, "primitive")]["peak_bytes"]
    assert extra >= by[(32, "composed")]["attention_map_bytes"]
    text = attention.table(records)
    assert "composed" in text and "× memory" in text
    assert text.count("\n") == len(records) + 2 + 2 + 2  # title, header, rows, note; then the two variants explained
