"""The help center's forms: the search box, the answer to "Did this solve it?", and the contact form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kbportal.choices import Language
from kbportal.search.registry import sources
from kbportal.search.shown import shown_suggestions_from
from tickets.forms import TicketForm


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    # Changing a filter searches again at once (with the script; without it, the Search button does).
    kind = forms.ChoiceField(label=_("Show"), required=False, widget=forms.Select(attrs={"data-autosubmit": ""}))
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *Language.choices],
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *[(s.kind, s.label()) for s in sources()]]


class HelpAnswerForm(forms.Form):
    """The answer to "Did this solve your problem?" on a page opened from self-service."""

    answer = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    kind = forms.ChoiceField(choices=[])
    item = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    next = forms.CharField(max_length=300, required=False)
    via = forms.CharField(max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(source.kind, source.label()) for source in sources()]


class ContactForm(TicketForm):
    """The contact form at the end of self-service: the ticket form, plus an address for visitors."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send the reference and a link to follow your request to this address."),
        error_messages={"required": _("Give an e-mail address so we can answer you.")},
    )
    # What the page suggested while the subject was typed (filled in by the script; telemetry, never trusted).
    shown_suggestions = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10000)

    field_order = ["email", "subject", "description", "proposed_priority", "category", "product_version"]

    def __init__(self, *args, anonymous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not anonymous:
            del self.fields["email"]
        self.fields["subject"].widget.attrs.update({"data-suggest-input": "", "maxlength": 200})

    def clean_shown_suggestions(self) -> list[dict]:
        return shown_suggestions_from(self.cleaned_data.get("shown_suggestions") or "")
