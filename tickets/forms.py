import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Category, ProductVersion
from kbportal.accounts.models import User
from kbportal.forms import BilingualChoiceField

from .models import SERVICE_DIMENSIONS, Priority, Status, Tier


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the attachment rules in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.public_name


ATTACHMENT_HELP = _("Images, PDF, ZIP or text logs, up to 10 MB each.")


class PriorityRadio(forms.RadioSelect):
    option_template_name = "tickets/widgets/priority_option.html"


class TicketForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": _("Give your request a short subject.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you tried, what you expected, what you saw instead. Markdown works."),
        error_messages={"required": _("Describe the problem so we can help.")},
        max_length=20000,
    )
    proposed_priority = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.P3,
        widget=PriorityRadio,
    )
    product_version = forms.ModelChoiceField(
        label=_("HelloWorld version"), queryset=ProductVersion.objects.all(), required=False,
        empty_label=_("I don't know"),
    )  # fmt: skip
    category = BilingualChoiceField(
        label=_("Topic"), queryset=Category.objects.all(), required=False, empty_label=_("Not sure")
    )
    attachments = MultipleFileField(label=_("Attach files"), help_text=ATTACHMENT_HELP)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A fresh key per form shown: the same form submitted twice carries the same key.
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        error_messages={"required": _("Write a message before sending.")},
    )
    attachments = MultipleFileField(label=_("Attach files"), help_text=ATTACHMENT_HELP)


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(label=_("Internal note (never shown to the customer)"), required=False)
    then_status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=[("", _("Keep the status")), *Status.choices],
    )


class FollowUpForm(forms.Form):
    description = forms.CharField(
        label=_("What still needs help?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        error_messages={"required": _("Describe what still needs help.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class ScaleWidget(forms.RadioSelect):
    """A score as one row of radios, its two ends named in words (issue 13, defect 10).

    Each end's words are a second label of the end's radio, so a screen reader says "1 Very dissatisfied" and a
    click on the words chooses that end. The template that draws the field puts it in a fieldset whose legend is
    the question (tickets/_survey_fields.html)."""

    template_name = "tickets/widgets/scale.html"
    option_template_name = "tickets/widgets/scale_option.html"

    def __init__(self, *, low_label, high_label, attrs=None):
        super().__init__(attrs=attrs)
        self.low_label, self.high_label = low_label, high_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [option for _group, choices, _index in context["widget"]["optgroups"] for option in choices]
        context["widget"].update(
            low_label=self.low_label,
            high_label=self.high_label,
            size=len(options),
            low_id=options[0]["attrs"].get("id", "") if options else "",
            high_id=options[-1]["attrs"].get("id", "") if options else "",
        )
        return context


def _scale(label, low: int, high: int, *, ends: tuple, required: bool = True, help_text="") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, str(value)) for value in range(low, high + 1)],
        coerce=int,
        widget=ScaleWidget(low_label=ends[0], high_label=ends[1]),
        required=required,
        help_text=help_text,
        error_messages={"required": _("Choose a score.")},
    )


SATISFACTION = (_("Very dissatisfied"), _("Very satisfied"))
EFFORT = (_("Very little effort"), _("A great deal of effort"))
LIKELIHOOD = (_("Not at all likely"), _("Extremely likely"))


class SurveyForm(forms.Form):
    csat = _scale(_("Overall, how satisfied are you with the support you got?"), 1, 5, ends=SATISFACTION)
    response_speed = _scale(_("Response speed"), 1, 5, ends=SATISFACTION)
    resolution = _scale(_("Resolution of your problem"), 1, 5, ends=SATISFACTION)
    expertise = _scale(_("Expertise of the agent"), 1, 5, ends=SATISFACTION)
    attitude = _scale(_("Attitude and courtesy"), 1, 5, ends=SATISFACTION)
    follow_up = _scale(_("Keeping you informed"), 1, 5, ends=SATISFACTION)
    ces = _scale(_("How much effort did it take to get your problem solved?"), 1, 5, ends=EFFORT,
                 help_text=_("Lower is better."))  # fmt: skip
    nps = _scale(_("How likely are you to recommend HelloWorld to a friend or colleague?"), 0, 10, ends=LIKELIHOOD,
                 required=False)  # fmt: skip
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, ask_nps: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_nps:
            del self.fields["nps"]

    def answers(self):
        from .surveys import SurveyAnswers

        data = self.cleaned_data
        return SurveyAnswers(
            csat=data["csat"],
            ratings={name: data[name] for name in SERVICE_DIMENSIONS},
            ces=data["ces"],
            nps=data.get("nps") if data.get("nps") not in ("", None) else None,
            comment=data.get("comment", ""),
        )


# --- Staff ------------------------------------------------------------------------------------------


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("assign-me", _("Assign to me")),
        ("assign", _("Assign to…")),
        ("priority", _("Set priority…")),
        ("status", _("Set status…")),
        ("escalate", _("Move to tier… (reason required)")),
    ]

    tickets = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": _("Select tickets first.")})
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = AgentChoiceField(label=_("Agent"), required=False, queryset=User.objects.none())
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, choices=[("", "—"), *Priority.choices],
                                      coerce=int, empty_value=None)  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *Status.choices])
    tier = forms.TypedChoiceField(label=_("Tier"), required=False, choices=[("", "—"), *Tier.choices], coerce=int,
                                  empty_value=None)  # fmt: skip
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, ticket_ids=(), agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(pk, pk) for pk in ticket_ids]
        if agents is not None:
            self.fields["assignee"].queryset = agents

    def clean(self):
        data = super().clean()
        needs = {"assign": "assignee", "priority": "priority", "status": "status", "escalate": "tier"}
        field = needs.get(data.get("action"))
        if field and not data.get(field):
            self.add_error(field, _("Choose a value for this action."))
        if data.get("action") == "escalate" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the tickets change tier; the next agent reads it first."))
        return data


class PropertiesForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    assignee = AgentChoiceField(label=_("Assignee"), required=False, queryset=User.objects.none(),
                                empty_label=_("Unassigned"))  # fmt: skip
    reason = forms.CharField(label=_("Note for the history (optional)"), required=False, max_length=500)

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agents is not None:
            self.fields["assignee"].queryset = agents


class EscalateForm(forms.Form):
    to_tier = forms.TypedChoiceField(label=_("Move to"), choices=Tier.choices, coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Say why the ticket changes tier; the next agent reads it first.")},
    )

    def __init__(self, *args, **kwargs):
        # The workspace's properties form has a "reason" too: ids of their own, so each label names its field.
        kwargs.setdefault("auto_id", "id_escalate_%s")
        super().__init__(*args, **kwargs)


class DraftArticleForm(forms.Form):
    category = BilingualChoiceField(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("Choose a category")
    )
