"""The forum's links in the site header: unread notices for members, the queue's size for moderators.

Each is one COUNT, run only where base.html renders it (signed-in members; staff for the queue), and
shared with the inbox and queue pages of the same request.
"""

from django import template

from community import member_selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def forum_unread_count(context) -> int:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return member_selectors.notification_unread_count_for_request(request)


@register.simple_tag(takes_context=True)
def moderation_queue_size(context) -> int | None:
    """The number of posts waiting for a moderator; None for everyone who does not moderate.

    Moderator and support manager are staff roles, so others are turned away before the role lookup.
    """
    request = context.get("request")
    if request is None:
        return None
    user = request.user
    if not (user.is_authenticated and (user.is_staff or user.is_superuser)) or not services.member_may_moderate(user):
        return None
    return member_selectors.moderation_queue_size_for_request(request)
