"""The two ways a command fails, each reported as one line without a traceback."""


class UsageError(Exception):
    """A bad argument or environment: reported as one line, exit code 2."""


class RunError(Exception):
    """A run that started and could not finish (it diverged, a file could not be
    written): reported as one line, exit code 1."""
