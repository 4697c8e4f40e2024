"""The library never imports the applications built on it (tinygrad_sm.apps), nor the
optional packages the apps use, when its modules are imported."""
import pkgutil
import subprocess
import sys

import tinygrad_sm


def test_importing_every_library_module_imports_nothing_of_the_apps():
    modules = sorted(m.name for m in pkgutil.walk_packages(tinygrad_sm.__path__, "tinygrad_sm.")
                     if not m.name.startswith("tinygrad_sm.apps") and m.name != "tinygrad_sm.__main__")
    assert "tinygrad_sm.viz.render" in modules and "tinygrad_sm.checks" in modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.startswith('tinygrad_sm.apps') or m.split('.')[0] in "
            "('matplotlib', 'tqdm', 'torch', 'IPython')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
