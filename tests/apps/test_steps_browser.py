"""The step-through page in a real browser: headless Chromium driven by Selenium.

It loads the page from a file, presses the arrow keys, and reads what the page shows:
the highlighted box and the gradients, against ``.frames`` and against ``backward()``.
Skips (one line why) where Chromium, its driver or Selenium is missing. With
TINYGRAD_SM_WRITE_SCREENSHOT=1 it also writes docs/backward_steps.png for the README.
"""
import json
import os
import pathlib
import re
import shutil
import tempfile
import time

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn, viz
from tinygrad_sm.apps import pointer as attention_task
from tinygrad_sm.apps.cli import main
from tinygrad_sm.data import spiral
from tinygrad_sm.data.sequences import pointer
from tinygrad_sm.functional import cross_entropy

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "backward_steps.png"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _find(*names):
    return next((shutil.which(n) for n in names if shutil.which(n)), None)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    chromium = _find("chromium", "chromium-browser", "google-chrome")
    driver = _find("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("no headless browser: apt-get install chromium chromium-driver (or bash setup.sh --dev)")
    profile = tempfile.mkdtemp(prefix="tinygrad-sm-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,800",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    d = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    yield d
    d.quit()
    shutil.rmtree(profile, ignore_errors=True)


def load(d, path):
    d.get(pathlib.Path(path).resolve().as_uri())
    return d.find_element("tag name", "body")


def shown(d, element_id):
    """The numbers an element displays (rounded for reading), and the exact ones it carries."""
    e = d.find_element("id", element_id)
    return [float(x) for x in NUMBER.findall(e.text)], e.get_attribute("data-values")


def flat(v):
    return np.asarray(v, dtype=np.float64).reshape(-1).tolist()


def state(d):
    return d.execute_script(
        "return [document.querySelector('.node.current').id,"
        " Array.from(document.querySelectorAll('.node.done'), e => e.id), document.body.dataset.step]")


def test_arrow_keys_step_through_the_softmax_example(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    z = tg.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    w = np.array([[0.5, -1.0, 2.0]])
    out = (z.softmax(axis=-1) * w).sum()
    steps = viz.backward_steps(out, params={"z": z})
    frames = steps.frames
    out.backward()
    body = load(browser, steps.save(tmp_path / "steps.html"))
    for k, f in enumerate(frames):
        current, done, step = state(browser)
        assert (current, int(step)) == (f["id"], k)
        assert sorted(done) == sorted(g["id"] for g in frames[:k])
        numbers, exact = shown(browser, "step-g")
        np.testing.assert_allclose(numbers, flat(f["g"]), rtol=1e-5)
        assert np.array_equal(flat(json.loads(exact)), flat(f["g"]))  # the JSON it shows is the frame's
        assert browser.find_element("id", "step-node").text.startswith(f["node"] if f["kind"] == "vjp" else
                                                                         "AccumulateGrad: z")
        if f["node"] == "SoftmaxBackward":
            assert browser.find_element("id", "step-formula").text == "VJP: z̄ = a ∘ (g − ⟨g, a⟩) (saves only a)"
            np.testing.assert_allclose(numbers, w[0], rtol=1e-6)  # g = w
            for element in ("step-grad-0", "step-jacobian-g"):  # the VJP and Jᵀg, both backward()'s gradient
                np.testing.assert_allclose(shown(browser, element)[0], z.grad.data[0], rtol=1e-5)
            assert "the Jacobian takes 72 B" in browser.find_element("id", "step-bytes").text
            if os.environ.get("TINYGRAD_SM_WRITE_SCREENSHOT") == "1":
                browser.save_screenshot(str(SCREENSHOT))
        if f["kind"] == "leaf":
            np.testing.assert_allclose(numbers, z.grad.data[0], rtol=1e-5)
        body.send_keys(Keys.ARROW_RIGHT)
    assert state(browser)[0] == frames[-1]["id"]  # the last step stays the last
    body.send_keys(Keys.ARROW_LEFT)
    assert int(state(browser)[2]) == len(frames) - 2
    browser.find_element("id", "first").click()
    assert state(browser)[:2] == [frames[0]["id"], []]
    browser.execute_script("const s = document.getElementById('scrub'); s.value = '2';"
                           "s.dispatchEvent(new Event('input'));")  # the scrubber jumps
    assert state(browser)[0] == frames[2]["id"] and frames[2]["node"] == "SoftmaxBackward"
    browser.find_element("id", frames[1]["id"]).click()  # a click on a box jumps to its step
    assert state(browser)[0] == frames[1]["id"] and browser.find_element("id", "step-node").text == "MulBackward"


def test_a_training_step_shows_each_parameter_gradient_backward_gives(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    X, y = spiral(n_per_class=4, n_classes=3, rng=0)
    model = nn.MLP([2, 8, 3], rng=0)
    loss = cross_entropy(model(tg.Tensor(X)), y)
    steps = viz.backward_steps(loss, params=model)
    loss.backward()
    grads = dict((name, p.grad.data) for name, p in model.named_parameters())
    body = load(browser, steps.save(tmp_path / "steps.html"))
    seen = set()
    for f in steps.frames:
        if f["kind"] == "leaf":
            assert browser.find_element("id", "step-node").text == f"AccumulateGrad: {f['label']}"
            numbers, _ = shown(browser, "step-g")
            np.testing.assert_allclose(numbers, grads[f["label"]].reshape(-1), rtol=1e-4, atol=1e-7)
            seen.add(f["label"])
        body.send_keys(Keys.ARROW_RIGHT)
    assert seen == set(grads)


def test_the_screenshot_is_not_blank(browser, tmp_path):
    z = tg.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    steps = viz.backward_steps((z.softmax(axis=-1) * np.array([[0.5, -1.0, 2.0]])).sum())
    load(browser, steps.save(tmp_path / "steps.html"))
    png = tmp_path / "shot.png"
    browser.save_screenshot(str(png))
    import matplotlib.image

    pixels = matplotlib.image.imread(png)[..., :3]
    assert pixels.std() > 0.05  # a blank (or single-colour) page would be ~0
    assert (pixels.min(axis=-1) < 0.5).mean() > 0.005  # some dark ink: text and the graph's lines
    red = (pixels[..., 0] > 0.7) & (pixels[..., 1] < 0.2) & (pixels[..., 2] < 0.2)
    assert red.sum() > 100  # the highlighted box's red outline is drawn


@pytest.mark.parametrize("task", ["spiral", "pointer"])
def test_pages_a_learner_meets_are_small_and_open_fast(browser, tmp_path, task):
    path = tmp_path / "backward_steps.html"
    if task == "spiral":  # what `tinygrad-sm graph --kind steps` writes: the spiral MLP's training step
        assert main(["graph", "--kind", "steps", "--out", str(tmp_path)]) == 0
    else:  # the pointer task's attention model, one training batch
        X, y = pointer(attention_task.PRESET["batch_size"], rng=0)
        model = attention_task.build(seed=0)
        viz.backward_steps(cross_entropy(model(X), y), params=model).save(path)
    size = path.stat().st_size
    frames = len(json.loads(re.search(r'id="backward-steps">(.*?)</script>', path.read_text(encoding="utf-8"),
                                      re.S).group(1))["frames"])
    start = time.perf_counter()
    load(browser, path)
    seconds = time.perf_counter() - start
    assert browser.execute_script("return document.body.dataset.step") == "0"  # its script ran
    print(f"{task}: {frames} frames, {size / 1e6:.2f} MB, opened in {seconds:.2f} s")
    assert size < 3e6 and seconds < 2.0
