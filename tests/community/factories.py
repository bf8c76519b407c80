import factory
from factory.django import DjangoModelFactory

from community.models import Answer, ForumCategory, Question
from kbportal.markdown import render_markdown
from tests.accounts.factories import UserFactory


class ForumCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ForumCategory

    name = factory.Sequence(lambda n: f"Forum {n}")
    name_zh_hans = factory.Sequence(lambda n: f"论坛 {n}")
    slug = factory.Sequence(lambda n: f"forum-{n}")


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    category = factory.SubFactory(ForumCategoryFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"How do I sync folder {n}?")
    body = "Sync stops at **90%** on my laptop."
    body_html = factory.LazyAttribute(lambda question: render_markdown(question.body).html)


class AnswerFactory(DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(UserFactory)
    body = "Pause the sync, then resume it."
    body_html = factory.LazyAttribute(lambda answer: render_markdown(answer.body).html)
