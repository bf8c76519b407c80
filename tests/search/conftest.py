import pytest


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the index updates that wait for the transaction to commit (tests never commit)."""

    def make(factory, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return factory(**fields)

    return make


@pytest.fixture(autouse=True)
def _no_compaction_carried_over(monkeypatch):
    """Each test starts a fresh count towards the periodic compaction: statistics rows do not fold mid-test
    because earlier tests indexed 99 batches."""
    from kbportal.search import statistics

    monkeypatch.setattr(statistics, "_batches_since_compaction", 0)
