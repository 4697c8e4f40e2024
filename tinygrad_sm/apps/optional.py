"""Optional packages: whether one is there, and the one line that says what was skipped."""
import importlib.util
import sys

DOT_HINT = "apt-get install graphviz, brew install graphviz or conda install graphviz"


def installed(module):
    """True if ``module`` can be imported (without importing it)."""
    if module in sys.modules:  # imported already, or hidden (None)
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def note(message):
    """One line on stderr about something optional that was skipped; the run goes on."""
    print(message, file=sys.stderr)
