"""The forum's forms: what members and moderators type, checked before the services apply the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Category, ProductVersion, Tag
from kbportal.choices import Language
from kbportal.forms import BilingualChoiceField
from kbportal.search.shown import shown_suggestions_from

from .models import FlagReason, ForumCategory, Question

MAX_TAGS = 5


class AskForm(forms.Form):
    max_tags = MAX_TAGS  # the page's tag picker stops there too

    title = forms.CharField(
        label=_("Your question"),
        max_length=200,
        help_text=_("One sentence, as you would ask a colleague. Similar questions appear while you type."),
    )
    body = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text=_("What you tried, what happened, any error message. Markdown works: **bold**, `code`, lists."),
    )
    category = BilingualChoiceField(
        label=_("Category"), queryset=ForumCategory.objects.none(), empty_label=_("Choose a category")
    )
    product_version = forms.ModelChoiceField(
        label=_("HelloWorld version"), queryset=ProductVersion.objects.all(), required=False,
        empty_label=_("I don't know"),
    )  # fmt: skip
    # Checkboxes, not a Ctrl-click listbox: a phone ticks them without the script, which makes them a tag picker.
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language of your question"), choices=Language.choices)
    # What the page suggested while the title was typed (filled in by the script; telemetry, never trusted).
    shown_suggestions = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        categories = ForumCategory.objects.all()
        self.fields["category"].queryset = categories if user.is_staff else categories.filter(staff_only=False)
        self.fields["title"].widget.attrs.update({"data-suggest-input": "", "autocomplete": "off"})
        # Formatted here, in the request's language: `%` on a lazy string would translate it once, at import.
        self.fields["tags"].help_text = _("Up to %(count)d.") % {"count": MAX_TAGS}

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        if len(tags) > MAX_TAGS:
            message = ngettext(
                "Choose at most %(max)d tag: untick %(extra)d of the %(count)d you chose.",
                "Choose at most %(max)d tags: untick %(extra)d of the %(count)d you chose.",
                MAX_TAGS,
            )
            raise forms.ValidationError(message % {"max": MAX_TAGS, "extra": len(tags) - MAX_TAGS, "count": len(tags)})
        return tags

    def clean_shown_suggestions(self) -> list[dict]:
        return shown_suggestions_from(self.cleaned_data.get("shown_suggestions") or "")


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("Markdown works: **bold**, `code`, lists, links."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=600, widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(choices=[(1, "+1"), (-1, "-1"), (0, "0")], coerce=int)
    answer = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why should a moderator look at it?"), choices=FlagReason.choices,
                               widget=forms.RadioSelect)  # fmt: skip
    note = forms.CharField(label=_("Anything to add (optional)"), max_length=300, required=False)
    answer = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)


class ModerateForm(forms.Form):
    ACTIONS = [
        ("hide", _("Hide")),
        ("restore", _("Restore")),
        ("approve", _("Approve")),
        ("lock", _("Lock")),
        ("unlock", _("Unlock")),
        ("pin", _("Pin")),
        ("unpin", _("Unpin")),
        ("duplicate", _("Close as a duplicate")),
        ("move", _("Move")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    answer = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
    duplicate_of = forms.IntegerField(
        label=_("Number of the original question"), required=False, min_value=1, max_value=2**63 - 1
    )
    category = BilingualChoiceField(
        label=_("Move to"), queryset=ForumCategory.objects.all(), required=False, empty_label=_("Choose a category")
    )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "hide" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the post is hidden."))
        if action == "duplicate":
            original = Question.objects.filter(pk=data.get("duplicate_of") or 0).first()
            if original is None:
                self.add_error("duplicate_of", _("Give the number of an existing question."))
            data["original"] = original
        if action == "move" and data.get("category") is None:
            self.add_error("category", _("Choose the category to move the question to."))
        if data.get("answer") and action not in ("hide", "restore", "approve"):
            self.add_error("action", _("An answer can only be hidden, restored or approved."))
        return data


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20000)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        required=False,
        help_text=_("Required when you edit someone else's post; shown to staff in the moderation log."),
    )


class PromoteForm(forms.Form):
    category = BilingualChoiceField(
        label=_("Knowledge base category"), queryset=Category.objects.all(), empty_label=_("Choose a category")
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Note for the agent (optional)"), max_length=300, required=False)
