"""Run folders never mix: a run appears complete or not at all, an existing run is never
overwritten silently, and every failure of a pointer run is one line (the MLP datasets
share the path, so these cover them too)."""
import json
import os
import subprocess
import sys

import pytest

from tinygrad_sm.apps import outputs, pointer
from tinygrad_sm.apps.cli import main
from tinygrad_sm.apps.runs import MARKER, free_name, run_folder

POINTER = ["train", "--dataset", "pointer", "--epochs", "1", "--quiet"]


@pytest.fixture(autouse=True)
def small_pointer_task(monkeypatch):
    """400 sequences instead of 8000: the same path, a twentieth of the time."""
    monkeypatch.setitem(pointer.PRESET, "n", 400)


def _names(path):
    return sorted(p.name for p in path.iterdir() if p.name != MARKER)


def test_a_second_run_goes_to_a_numbered_sibling_and_overwrite_replaces(tmp_path, capsys):
    out = tmp_path / "spiral"
    assert main(["train", "--epochs", "2", "--out", str(out)]) == 0
    first = (out / "metrics.json").read_text()
    assert main(["train", "--epochs", "3", "--layers", "0", "--out", str(out)]) == 0
    assert f"to {tmp_path / 'spiral-2'}{os.sep}" in capsys.readouterr().out
    assert (out / "metrics.json").read_text() == first  # the first run is untouched
    assert len(json.loads((tmp_path / "spiral-2" / "metrics.json").read_text())["epochs"]) == 3
    assert main(["train", "--epochs", "4", "--quiet", "--overwrite", "--out", str(out)]) == 0
    assert len(json.loads((out / "metrics.json").read_text())["epochs"]) == 4
    assert (out / MARKER).is_file()  # every run marks its folder: only such folders are ever replaced
    assert _names(tmp_path) == ["spiral", "spiral-2"]  # no partial or old folder left behind


def test_free_name_skips_runs_but_not_an_empty_folder(tmp_path):
    (tmp_path / "r").mkdir()
    assert free_name(tmp_path / "r") == str(tmp_path / "r")
    (tmp_path / "r" / "metrics.json").write_text("{}")
    (tmp_path / "r-2").mkdir()
    (tmp_path / "r-2" / "x").write_text("")
    assert free_name(tmp_path / "r") == str(tmp_path / "r-3")


def test_a_failing_run_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with run_folder(tmp_path / "r") as folder:
            open(folder.join("metrics.json"), "w").close()
            raise RuntimeError("stop")
    assert _names(tmp_path) == []


@pytest.mark.parametrize("flags", [["--optimizer", "sgd", "--activation", "tanh", "--layers", "3"],
                                   ["--layers", "3"]])
def test_pointer_refuses_flags_that_do_not_apply(tmp_path, capsys, flags):
    assert main([*POINTER, *flags, "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tinygrad-sm train: error: --") and "do" in err and "not apply to --dataset pointer" in err
    assert len(err.splitlines()) == 1 and not (tmp_path / "p").exists()


def test_a_huge_pointer_model_is_refused_before_allocating(tmp_path, capsys):
    assert main([*POINTER, "--hidden", "1048576", "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--hidden 1048576 needs about" in err[0] and "use a smaller --hidden" in err[0]


@pytest.mark.parametrize("error, code, words", [
    (OSError(28, "No space left on device"), 1, "No space left on device"),
    (KeyboardInterrupt(), 130, "interrupted"),
])
def test_a_full_disk_or_ctrl_c_while_writing_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch,
                                                                            error, code, words):
    def fail(*args):
        raise error

    monkeypatch.setattr(outputs, "step_graph", fail)  # after metrics.json and model.npz were written
    assert main([*POINTER, "--out", str(tmp_path / "p")]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
    assert _names(tmp_path) == []


def test_without_matplotlib_a_pointer_run_skips_its_pictures_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main([*POINTER, "--out", str(tmp_path / "p")]) == 0
    assert capsys.readouterr().err == ("skipped loss.png, attention.png: matplotlib is not installed "
                                       "(pip install matplotlib)\n")
    assert _names(tmp_path / "p") == ["backward_graph.svg", "metrics.json", "model.npz"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs resource limits (POSIX)")
def test_a_file_size_limit_keeps_the_previous_run_valid(tmp_path):
    out = tmp_path / "p"
    assert main([*POINTER, "--out", str(out)]) == 0
    before = (out / "metrics.json").read_text()
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024)); "
            "from tinygrad_sm.apps import pointer; pointer.PRESET['n'] = 400; from tinygrad_sm.apps.cli import main; "
            f"sys.exit(main({[*POINTER, '--overwrite', '--out', str(out)]!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "File too large" in done.stderr
    assert (out / "metrics.json").read_text() == before  # the old run is whole, and valid JSON
    json.loads(before)
    assert _names(tmp_path) == ["p"]


def test_overwrite_keeps_the_old_run_if_the_new_one_cannot_be_put_in_place(tmp_path, monkeypatch):
    out = tmp_path / "r"
    out.mkdir()
    (out / "metrics.json").write_text("old")
    (out / MARKER).write_text("")  # a run folder
    real_rename = os.rename

    def failing_rename(src, dst):
        if os.fspath(dst) == str(out):
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(OSError):
        with run_folder(out, overwrite=True) as folder:
            open(folder.join("metrics.json"), "w").close()
    assert (out / "metrics.json").read_text() == "old" and _names(tmp_path) == ["r"]


def test_overwrite_replaces_only_a_run_folder_and_out_must_name_a_folder_of_its_own(tmp_path, monkeypatch, capsys):
    mine = tmp_path / "thesis"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.tex").write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(mine)
    afile = tmp_path / "afile"
    afile.write_text("")
    for cwd, out, overwrite, why in [(tmp_path, mine, True, "not a tinygrad-sm run"),
                                     (tmp_path, link, True, "is a symbolic link"),
                                     (mine / "sub", ".", False, "is the current folder or holds it"),
                                     (mine / "sub", mine, False, "is the current folder or holds it"),
                                     (tmp_path, f"{afile}/", False, "it is a file, not a directory")]:
        monkeypatch.chdir(cwd)
        assert main(["train", "--epochs", "2", "--quiet", "--out", str(out)] + (["--overwrite"] if overwrite else [])) == 2
        assert why in capsys.readouterr().err
    assert (mine / "thesis.tex").read_text() == "keep" and _names(tmp_path) == ["afile", "link", "thesis"]
    with pytest.raises(ValueError, match="not a tinygrad-sm run folder"):
        with run_folder(mine, overwrite=True):
            pass
    assert (mine / "thesis.tex").read_text() == "keep"
