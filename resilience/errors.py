class DomainError(Exception):
    """A business rule said no. The message is written for the person who asked."""
