from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FeedbackReason


class FeedbackForm(forms.Form):
    """The "Was this helpful?" answer; a No may carry a reason and a comment."""

    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Choose Yes or No.")},
    )
    reason = forms.ChoiceField(
        label=_("What was wrong?"),
        choices=[("", _("Choose a reason (optional)")), *FeedbackReason.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed reasons.")},
    )
    comment = forms.CharField(
        label=_("How could we improve it? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"max_length": _("Keep the comment under %(limit_value)d characters.")},
    )


class ArticleFilterForm(forms.Form):
    """Filters on the article list; every field is declared, nothing is taken raw from the URL."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = forms.ChoiceField(label=_("Type"), required=False)
    version = forms.CharField(label=_("Product version"), required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        from .models import ArticleType

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *ArticleType.choices]
