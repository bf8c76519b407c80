import django_filters

from kbportal.choices import Language

from ..models import Article, ArticleType, Category, Video


class _ContentFilterSet(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all())
    language = django_filters.ChoiceFilter(choices=Language.choices)
    tag = django_filters.CharFilter(field_name="tags__name", lookup_expr="iexact", distinct=True)
    product_version = django_filters.CharFilter(field_name="product_versions__name", distinct=True)


class ArticleFilterSet(_ContentFilterSet):
    type = django_filters.ChoiceFilter(choices=ArticleType.choices)

    class Meta:
        model = Article
        fields = ["category", "language", "type", "tag", "product_version"]


class VideoFilterSet(_ContentFilterSet):
    class Meta:
        model = Video
        fields = ["category", "language", "tag", "product_version"]


class CategoryFilterSet(django_filters.FilterSet):
    class Meta:
        model = Category
        fields = ["parent"]
