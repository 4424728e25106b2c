"""Settings of the service's logs (docs/operations.md), applied at the end of base.py by ``configure``."""


def configure(s, env):
    """Add this part's settings to the settings module's namespace ``s`` (its globals), reading ``env``."""
