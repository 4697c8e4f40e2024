class UsageError(Exception):
    """A bad argument or environment: reported as one line, exit code 2."""
