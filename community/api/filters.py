import django_filters
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.filters import OrderingFilter

from articles.models import ProductVersion, Tag
from kbportal.choices import Language

from ..models import ForumCategory, PostState, Question


class _StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is a 400, not a filter silently dropped."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(serializers.BooleanField.default_error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class QuestionFilterSet(django_filters.FilterSet):
    """Filters on top of `selectors.question_list`; `mine` also needs the view to start from the member's list."""

    category = django_filters.ModelChoiceFilter(queryset=ForumCategory.objects.all(), to_field_name="slug")
    tag = django_filters.ModelChoiceFilter(field_name="tags", queryset=Tag.objects.all(), to_field_name="slug")
    language = django_filters.ChoiceFilter(choices=Language.choices)
    product_version = django_filters.ModelChoiceFilter(queryset=ProductVersion.objects.all(), to_field_name="name")
    unanswered = StrictBooleanFilter(method="filter_unanswered")
    accepted = StrictBooleanFilter(method="filter_accepted")
    mine = StrictBooleanFilter(method="filter_mine")

    class Meta:
        model = Question
        fields = ["category", "tag", "language", "product_version", "unanswered", "accepted", "mine"]

    def filter_unanswered(self, queryset, name, value):
        # The definition of selectors.question_list(which="unanswered"): no answer yet, not closed as a duplicate.
        unanswered = {"answer_count": 0, "duplicate_of__isnull": True}
        return queryset.filter(**unanswered) if value else queryset.exclude(**unanswered)

    def filter_accepted(self, queryset, name, value):
        return queryset.filter(accepted_answer__isnull=not value)

    def filter_mine(self, queryset, name, value):
        user = self.request.user
        if not value:
            return queryset.filter(state=PostState.VISIBLE)
        if not user.is_authenticated:
            raise NotAuthenticated
        return queryset.filter(author_id=user.pk)


class StableOrderingFilter(OrderingFilter):
    """Only the view's declared `ordering_fields`; the id breaks ties, so pages never repeat or skip a row."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering = [*ordering, "-pk"]
        return ordering
