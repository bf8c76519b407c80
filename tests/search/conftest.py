import pytest

from kbportal.search import service
from kbportal.search.analyzers import synonyms_changed


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    """The did-you-mean vocabulary and the synonyms are cached per process; every test starts from the database."""
    service.forget_vocabulary()
    yield
    service.forget_vocabulary()
    synonyms_changed()


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the index updates that wait for the transaction to commit (tests never commit)."""

    def make(factory, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return factory(**fields)

    return make
