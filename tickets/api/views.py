"""The tickets API. Every queryset is scoped to the caller first; object checks come after."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from kbportal.accounts.models import User
from kbportal.choices import content_language
from kbportal.security.client import client_ip

from .. import selectors, services, surveys
from ..models import Channel, Ticket, reference_to_pk
from . import serializers
from .filters import TicketFilterSet


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customers: their own (and, for organisation admins, their organisation's) tickets. Staff: by tier."""

    permission_classes = [IsAuthenticated]
    lookup_field = "reference"
    lookup_value_regex = r"(?i:HW-)?[0-9]+"
    filterset_class = TicketFilterSet
    ordering_fields = ["created_at", "updated_at", "priority", "resolution_due_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        # Scope first; the assignee and organisation names per row come with it.
        return Ticket.objects.visible_to(self.request.user).select_related(
            "assignee", "organisation", "product_version"
        )

    def get_object(self) -> Ticket:
        pk = reference_to_pk(self.kwargs["reference"])
        ticket = self.filter_queryset(self.get_queryset()).filter(pk=pk).first() if pk else None
        if ticket is None:
            raise Http404
        return ticket

    def _is_staff(self) -> bool:
        return selectors.staff_sees_internal(self.request.user)

    def _require_staff(self) -> None:
        if not self._is_staff():
            raise PermissionDenied("Only support agents can do this.")

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.TicketCreateSerializer
        return serializers.StaffTicketSerializer if self._is_staff() else serializers.TicketReadSerializer

    @extend_schema(
        request=serializers.TicketCreateSerializer,
        responses={201: serializers.TicketReadSerializer, 200: serializers.TicketReadSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def create(self, request: Request) -> Response:
        """Open a ticket. Send an Idempotency-Key header: a retry with the same key returns the same ticket."""
        incoming = serializers.TicketCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()[:64] or None
        ticket, created = services.ticket_create(
            requester=request.user,
            requester_email=request.user.email,
            channel=Channel.API,
            language=content_language(getattr(request, "LANGUAGE_CODE", "en")),
            idempotency_key=key,
            **incoming.validated_data,
        )
        body = serializers.TicketReadSerializer(ticket, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=serializers.StaffTicketUpdateSerializer, responses=serializers.StaffTicketSerializer)
    def partial_update(self, request: Request, reference: str | None = None) -> Response:
        """Staff change the priority and status (each change is kept as an event)."""
        self._require_staff()
        ticket = self.get_object()
        incoming = serializers.StaffTicketUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if "priority" in data:
            services.ticket_set_priority(ticket=ticket, priority=data["priority"], by=request.user,
                                         reason=data["reason"])  # fmt: skip
        if "status" in data:
            services.ticket_set_status(ticket=ticket, status=data["status"], by=request.user, reason=data["reason"])
        return Response(serializers.StaffTicketSerializer(self.get_object()).data)

    @extend_schema(request=serializers.MessageCreateSerializer, responses=serializers.MessageSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, reference: str | None = None) -> Response:
        """The conversation (customers never receive internal notes); POST replies, or notes for staff."""
        ticket = self.get_object()
        if request.method == "POST":
            incoming = serializers.MessageCreateSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            if data["internal"]:
                self._require_staff()
            message = services.ticket_reply(
                ticket=ticket, author=request.user, body=data["body"], internal=data["internal"],
                then_status=data["then_status"] if self._is_staff() else None,
            )  # fmt: skip
            return Response(serializers.MessageSerializer(message).data, status=status.HTTP_201_CREATED)
        messages = ticket.messages.select_related("author", "ticket").prefetch_related("attachments__ticket")
        if not self._is_staff():
            messages = messages.filter(is_internal=False)
        return Response(serializers.MessageSerializer(messages, many=True).data)

    @extend_schema(responses=serializers.StaffEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: Request, reference: str | None = None) -> Response:
        ticket = self.get_object()
        entries = [entry.event for entry in selectors.timeline(ticket=ticket, include_internal=self._is_staff())
                   if entry.event]  # fmt: skip
        serializer = serializers.StaffEventSerializer if self._is_staff() else serializers.EventSerializer
        return Response(serializer(entries, many=True).data)

    @extend_schema(request=serializers.AttachmentCreateSerializer, responses=serializers.MessageSerializer)
    @action(detail=True, methods=["post"])
    def attachments(self, request: Request, reference: str | None = None) -> Response:
        """Attach a file (multipart, field "file"); it arrives as a short public message."""
        ticket = self.get_object()
        incoming = serializers.AttachmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        message = services.ticket_reply(
            ticket=ticket, author=request.user, body=f"📎 {upload.name}", attachments=[upload]
        )
        return Response(serializers.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.TicketReadSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, reference: str | None = None) -> Response:
        ticket = services.ticket_resolve(ticket=self.get_object(), by=request.user)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(request=None, responses=serializers.TicketReadSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, reference: str | None = None) -> Response:
        ticket = services.ticket_reopen(ticket=self.get_object(), by=request.user)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(request=serializers.SurveySerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def survey(self, request: Request, reference: str | None = None) -> Response:
        """The requester's satisfaction survey on a resolved ticket (one per ticket, editable for 7 days)."""
        ticket = self.get_object()
        incoming = serializers.SurveySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        answers = surveys.SurveyAnswers(
            csat=data["csat"], ratings=data["ratings"], ces=data["ces"], nps=data["nps"], comment=data["comment"]
        )
        response = surveys.survey_submit(
            ticket=ticket, respondent=request.user, answers=answers, address=client_ip(request)
        )
        return Response(
            {"service_index": str(response.service_index), "nps_recorded": response.nps is not None},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=serializers.AssignSerializer, responses=serializers.StaffTicketSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, reference: str | None = None) -> Response:
        self._require_staff()
        ticket = self.get_object()
        incoming = serializers.AssignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assignee_id = incoming.validated_data["assignee"]
        assignee = User.objects.filter(pk=assignee_id, is_active=True).first() if assignee_id else None
        if assignee_id and assignee is None:
            raise ValidationError({"assignee": ["No active agent has that id."]})
        services.ticket_assign(ticket=ticket, assignee=assignee, by=request.user,
                               reason=incoming.validated_data["reason"])  # fmt: skip
        return Response(serializers.StaffTicketSerializer(self.get_object()).data)

    @extend_schema(request=serializers.EscalateSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, reference: str | None = None) -> Response:
        """Move the ticket to another tier, up or down, with a required reason."""
        self._require_staff()
        ticket = self.get_object()
        incoming = serializers.EscalateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        ticket = services.ticket_escalate(ticket=ticket, by=request.user, **incoming.validated_data)
        return Response({"reference": ticket.reference, "tier": ticket.tier})
