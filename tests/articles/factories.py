import factory
from factory.django import DjangoModelFactory

from articles import services
from articles.models import Article, ArticleType, Category, Status, Video, VideoChapter
from kbportal.choices import Language


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    name_zh_hans = factory.Sequence(lambda n: f"分类 {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = factory.Faker("sentence")


class ArticleFactory(DjangoModelFactory):
    """A published English article, saved through the services so it is rendered."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"How to do thing {n}")
    summary = factory.Faker("sentence")
    body = "## Steps\n\n1. Open **Settings**.\n2. Choose *Account*.\n\n## Result\n\nDone."
    language = Language.EN
    category = factory.SubFactory(CategoryFactory)
    type = ArticleType.HOW_TO
    status = Status.PUBLISHED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        article = model_class(*args, **kwargs)
        return services.article_save(article=article, by=None)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(services.tags_get_or_create(names=extracted))


class VideoFactory(DjangoModelFactory):
    class Meta:
        model = Video

    title = factory.Sequence(lambda n: f"Video tutorial {n}")
    description = factory.Faker("paragraph")
    language = Language.EN
    category = factory.SubFactory(CategoryFactory)
    status = Status.PUBLISHED
    provider = "youtube"
    provider_video_id = factory.Sequence(lambda n: f"abcdefg{n:04d}")
    duration_seconds = 300
    transcript = factory.Faker("paragraph")
    slug = factory.Sequence(lambda n: f"video-tutorial-{n}")


class VideoChapterFactory(DjangoModelFactory):
    class Meta:
        model = VideoChapter

    video = factory.SubFactory(VideoFactory)
    start_seconds = factory.Sequence(lambda n: n * 30)
    title = factory.Sequence(lambda n: f"Chapter {n}")
