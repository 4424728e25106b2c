"""What every importer shares: the summary line, row errors and the all-or-nothing rule."""

import datetime
import sys
from dataclasses import dataclass, field

from tqdm import tqdm


@dataclass(frozen=True)
class RowError:
    source: str
    line: int | None
    field: str
    message: str

    def __str__(self):
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.field}: {self.message}"


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)

    def line(self):
        return (f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
                f"rejected={self.rejected} skipped={self.skipped}")


class ImportRejected(Exception):
    """The file had malformed rows; nothing from it was saved."""

    def __init__(self, summary):
        self.summary = summary
        super().__init__(f"{summary.rejected} rejected row(s); nothing was saved")


def progress(iterable, desc, total=None):
    """A progress bar on an interactive terminal, silence otherwise."""
    return tqdm(iterable, desc=desc, total=total, unit="row", disable=not sys.stderr.isatty(), leave=False)


def parse_date(value, fmt):
    """Parse a date or raise ValueError with a message fit for a user."""
    try:
        return datetime.datetime.strptime(value, fmt).date()
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date ({fmt.replace('%', '').upper()})") from None


def changed_fields(instance, values):
    """Names of the fields whose current value differs from ``values``."""
    return [name for name, value in values.items() if getattr(instance, name) != value]
