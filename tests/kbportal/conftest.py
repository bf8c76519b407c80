import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kbportal.accounts.roles import Role
from tests.accounts.factories import StaffFactory, UserFactory
from tests.articles.factories import ArticleFactory, CategoryFactory, VideoFactory
from tests.community.factories import AnswerFactory, ForumCategoryFactory, QuestionFactory
from tests.tickets.factories import TicketFactory


@pytest.fixture
def api_world(db):
    """For walking every route of the API: one object of each kind a path names, and the users who act on them."""
    customer = UserFactory(username="customer")
    member = UserFactory(username="member")
    for user in (customer, member):  # past the new-account posting limits
        user.date_joined = timezone.now() - timedelta(days=365)
        user.save(update_fields=["date_joined"])
    question = QuestionFactory(author=customer)
    objects = {
        "articles": ArticleFactory().pk,
        "videos": VideoFactory().pk,
        "categories": CategoryFactory().pk,
        "forum/categories": ForumCategoryFactory().pk,
        "forum/questions": question.pk,
        "forum/answers": AnswerFactory(question=question, author=member).pk,
        "tickets": TicketFactory(requester=customer).reference,
    }
    users = [
        None,
        customer,
        member,
        StaffFactory(username="moderator", role=Role.MODERATOR),
        StaffFactory(username="manager", role=Role.SUPPORT_MANAGER),
        StaffFactory(username="editor", role=Role.CONTENT_EDITOR),
    ]
    return objects, users


def route_url(path: str, objects: dict) -> str:
    """The schema's path template with the world's object in it."""
    kind = path.removeprefix("/api/v1/").split("/{")[0]
    return re.sub(r"\{[^}]+\}", str(objects.get(kind, "")), path)
