import pytest

from kbportal.search import service


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    """The did-you-mean vocabulary is cached per process; every test starts from the database."""
    service.forget_vocabulary()
    yield
    service.forget_vocabulary()


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the index updates that wait for the transaction to commit (tests never commit)."""

    def make(factory, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return factory(**fields)

    return make
