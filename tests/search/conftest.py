import pytest


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the index updates that wait for the transaction to commit (tests never commit)."""

    def make(factory, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return factory(**fields)

    return make
