"""The sync-source server for every surveillance test, with the settings pointing at it."""

import io
import zipfile

import pytest

from ..servers import REALDATA, sync_source_server


@pytest.fixture
def source(settings):
    """(base URL, SyncSource): the recorded CQC locations served, short timeouts and no waiting between tries."""
    with sync_source_server() as (base, served):
        served.load_realdata_locations()
        served.timeout_seconds = 1.0
        settings.CQC_API_BASE_URL = base
        settings.CQC_API_KEY = "test-subscription-key"
        settings.SYNC_HTTP_TIMEOUT = 0.3
        settings.SYNC_HTTP_ATTEMPTS = 2
        settings.SYNC_RETRY_AFTER_MAX = 0.2
        settings.SYNC_RETRY_LIMIT = 3
        yield base, served


def zipped(name, data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


ODS_BYTES = (REALDATA / "ods-epraccur-sample.csv").read_bytes()
