from rest_framework import serializers

from articles.models import Category, ProductVersion

from .. import clocks
from ..event_text import event_change
from ..expectations import next_expected
from ..models import SERVICE_DIMENSIONS, Attachment, Event, Message, Priority, Status, Ticket, Tier


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "created_at", "url"]

    def get_url(self, attachment: Attachment) -> str:
        from django.urls import reverse

        return reverse("tickets:attachment", args=[attachment.ticket.reference, attachment.pk])


class TicketReadSerializer(serializers.ModelSerializer):
    """What a customer may read about a ticket; staff get the same plus the fields below."""

    reference = serializers.CharField(read_only=True)
    handler = serializers.SerializerMethodField()
    next_expected = serializers.SerializerMethodField()
    organisation = serializers.StringRelatedField()
    product_version = serializers.StringRelatedField()

    class Meta:
        model = Ticket
        fields = [
            "reference", "subject", "description", "description_html", "status", "priority", "proposed_priority",
            "tier", "channel", "organisation", "product_version", "category", "handler", "next_expected",
            "created_at", "updated_at", "first_response_at", "resolved_at", "first_response_due_at",
            "resolution_due_at", "previous_ticket",
        ]  # fmt: skip

    def get_handler(self, ticket: Ticket) -> str:
        return ticket.assignee.public_name if ticket.assignee else ""

    def get_next_expected(self, ticket: Ticket) -> str:
        # An API client has no page around the text: the ticket's own zone, named. One ServiceZones for a
        # whole list, so tickets without an organisation cost one query in all, not one each.
        zones = self.context.setdefault("service_zones", clocks.ServiceZones())
        return next_expected(ticket, zone=zones.of(ticket), named=True)


class StaffTicketSerializer(TicketReadSerializer):
    requester_email = serializers.EmailField(read_only=True)
    assignee = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(TicketReadSerializer.Meta):
        fields = [
            *TicketReadSerializer.Meta.fields,
            "requester_email", "assignee", "plan", "first_response_breached_at", "resolution_breached_at",
        ]  # fmt: skip


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    proposed_priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P3)
    product_version = serializers.SlugRelatedField(
        slug_field="name", queryset=ProductVersion.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)


class StaffTicketUpdateSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "from_staff", "is_internal", "body", "body_html", "created_at", "attachments"]

    def get_author(self, message: Message) -> str:
        return message.author.public_name if message.author else message.ticket.requester_email


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(default=False)
    then_status = serializers.ChoiceField(choices=Status.choices, required=False, allow_null=True, default=None)


class AttachmentCreateSerializer(serializers.Serializer):
    file = serializers.FileField()


class EventSerializer(serializers.ModelSerializer):
    """One change, in the caller's language: ``text`` is the sentence the pages show, ``from_value`` and
    ``to_value`` the labels of what changed; ``values`` holds the same as codes (see ``tickets.models.Event``)."""

    text = serializers.CharField(source="sentence", read_only=True)
    from_value = serializers.SerializerMethodField()
    to_value = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    # Why a change happened is for staff; customers get what changed.
    private_values = ("reason", "cause")

    class Meta:
        model = Event
        fields = ["id", "kind", "text", "from_value", "to_value", "values", "actor", "created_at"]

    def get_from_value(self, event: Event) -> str:
        return event_change(event.kind, event.values)[0]

    def get_to_value(self, event: Event) -> str:
        return event_change(event.kind, event.values)[1]

    def get_values(self, event: Event) -> dict:
        return {key: value for key, value in event.values.items() if key not in self.private_values}

    def get_actor(self, event: Event) -> str:
        return event.actor.public_name if event.actor else ""


class StaffEventSerializer(EventSerializer):
    reason = serializers.CharField(read_only=True)
    private_values = ()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "reason"]


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EscalateSerializer(serializers.Serializer):
    to_tier = serializers.ChoiceField(choices=Tier.choices)
    reason = serializers.CharField(max_length=2000)


class SurveySerializer(serializers.Serializer):
    csat = serializers.IntegerField(min_value=1, max_value=5)
    ratings = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5))
    ces = serializers.IntegerField(min_value=1, max_value=5)
    nps = serializers.IntegerField(min_value=0, max_value=10, required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def validate_ratings(self, ratings: dict) -> dict:
        missing = [name for name in SERVICE_DIMENSIONS if name not in ratings]
        if missing or set(ratings) - set(SERVICE_DIMENSIONS):
            raise serializers.ValidationError(f"Give exactly these ratings, each 1-5: {', '.join(SERVICE_DIMENSIONS)}.")
        return ratings
