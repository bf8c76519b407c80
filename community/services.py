"""Writes of the forum: asking, answering, commenting, votes, accepted answers, flags.

Every tally moves by F() deltas. New accounts are rate-limited, a member's first posts wait
for a moderator, and links need reputation (settings `KBPORTAL_FORUM_*`); staff are exempt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kbportal.accounts.roles import AGENT_ROLES, Role
from kbportal.accounts.selectors import user_has_role
from kbportal.markdown import render_markdown
from kbportal.search.indexing import index_after_commit

from .models import (
    Answer,
    Comment,
    Flag,
    FlagReason,
    Follow,
    ForumCategory,
    MemberProfile,
    ModerationAction,
    ModerationKind,
    Notification,
    NotificationKind,
    PostState,
    Question,
    Vote,
)
from .notifications import followers_notify

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from articles.models import Article, Category, ProductVersion, Tag
    from kbportal.accounts.models import User
    from tickets.models import Ticket

Post = Question | Answer

# Reputation a post's author gains or loses per vote, and for an accepted answer.
REPUTATION_UP = {Question: 5, Answer: 10}
REPUTATION_DOWN = -2
REPUTATION_ACCEPTED = 15


_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def _check_may_post(author: User, *texts: str) -> None:
    """Refuse a post from a new account over its hourly limit, or with more links than its reputation allows."""
    if author.is_staff:
        return
    young = author.date_joined > timezone.now() - timedelta(days=settings.KBPORTAL_FORUM_NEW_ACCOUNT_DAYS)
    if young and _posts_in_last_hour(author) >= settings.KBPORTAL_FORUM_NEW_ACCOUNT_POSTS_PER_HOUR:
        raise ValidationError(
            _("New accounts may post %(count)d times an hour. Please try again later.")
            % {"count": settings.KBPORTAL_FORUM_NEW_ACCOUNT_POSTS_PER_HOUR}
        )
    _check_links(author, *texts)


def _check_links(author: User, *texts: str) -> None:
    """Below `KBPORTAL_FORUM_REPUTATION_FOR_LINKS`, a post holds at most `KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED` links."""
    if author.is_staff:
        return
    links = sum(len(_LINK.findall(text)) for text in texts)
    if links > settings.KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED and (
        member_reputation(author) < settings.KBPORTAL_FORUM_REPUTATION_FOR_LINKS
    ):
        raise ValidationError(
            {"body": _("Until your reputation reaches %(points)d, a post may hold %(count)d link(s).")
             % {"points": settings.KBPORTAL_FORUM_REPUTATION_FOR_LINKS,
                "count": settings.KBPORTAL_FORUM_MAX_LINKS_UNTRUSTED}}
        )  # fmt: skip


def _posts_in_last_hour(author: User) -> int:
    since = timezone.now() - timedelta(hours=1)
    return (
        Question.objects.filter(author=author, created_at__gte=since).count()
        + Answer.objects.filter(author=author, created_at__gte=since).count()
        + Comment.objects.filter(author=author, created_at__gte=since).count()
    )


def _initial_state(author: User) -> str:
    """Held while the member has fewer approved posts than `KBPORTAL_FORUM_HOLD_FIRST_POSTS`."""
    if author.is_staff or not settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS:
        return PostState.VISIBLE
    profile = MemberProfile.objects.filter(user=author).only("approved_posts").first()
    approved = profile.approved_posts if profile else 0
    return PostState.VISIBLE if approved >= settings.KBPORTAL_FORUM_HOLD_FIRST_POSTS else PostState.HELD


def _repeat_window() -> datetime:
    """The same text from the same member within this window is a double submit, not a second post."""
    return timezone.now() - timedelta(minutes=10)


def _lock_member(user: User) -> None:
    """Serialise one member's new questions, so two copies of one submit cannot both pass the repeat check."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _reindex(post: Post) -> None:
    """After a queryset update of a post, which sends no signal: tell the search index after commit.

    A post's `save()` needs no call: the search registry follows the saves of questions and answers.
    """
    index_after_commit("question", [post.pk if isinstance(post, Question) else post.question_id])


def _follow(question: Question, user: User) -> None:
    # ignore_conflicts: a second follow (or two at once) leaves the one row.
    Follow.objects.bulk_create([Follow(question=question, user=user)], ignore_conflicts=True)


@transaction.atomic
def question_ask(
    *, author: User, category: ForumCategory, title: str, body: str, language: str, tags: Iterable[Tag] = (),
    product_version: ProductVersion | None = None,
) -> Question:  # fmt: skip
    """Post a question; the asker follows it. Held for a moderator while the asker is new."""
    title, body = title.strip(), body.strip()
    errors = {}
    if len(title) < 10:
        errors["title"] = _("Say in a few words what you need: at least 10 characters.")
    if len(body) < 20:
        errors["body"] = _("Describe the problem: at least 20 characters.")
    if category.staff_only and not author.is_staff:
        errors["category"] = _("Only staff post in this category.")
    if errors:
        raise ValidationError(errors)
    _lock_member(author)
    repeat = Question.objects.filter(author=author, title=title[:200], body=body, created_at__gte=_repeat_window())
    if (first := repeat.first()) is not None:  # a double submit: the first question stands
        return first
    _check_may_post(author, title, body)
    question = Question.objects.create(
        category=category, author=author, title=title[:200], body=body, body_html=render_markdown(body).html,
        language=language, product_version=product_version, state=_initial_state(author),
    )  # fmt: skip
    if tags:
        question.tags.set(tags)
    _follow(question, author)
    return question


@transaction.atomic
def answer_post(*, question: Question, author: User, body: str) -> Answer:
    """Answer a visible, open question; the answerer follows it. Held for a moderator while the answerer is new."""
    body = body.strip()
    if len(body) < 10:
        raise ValidationError({"body": _("An answer needs at least 10 characters.")})
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if not question.is_visible or question.is_locked or question.duplicate_of_id:
        raise PermissionDenied(_("This question is closed to new answers."))
    repeat = Answer.objects.filter(question=question, author=author, body=body, created_at__gte=_repeat_window())
    if (first := repeat.first()) is not None:  # a double submit (the question row is locked): the first stands
        return first
    _check_may_post(author, body)
    answer = Answer.objects.create(
        question=question, author=author, body=body, body_html=render_markdown(body).html, state=_initial_state(author)
    )
    if answer.is_visible:
        _answer_became_visible(answer)
        followers_notify(question=question, kind=NotificationKind.ANSWER, actor=author, answer=answer)
    _follow(question, author)
    return answer


def _answer_became_visible(answer: Answer) -> None:
    Question.objects.filter(pk=answer.question_id).update(
        answer_count=F("answer_count") + 1, last_activity_at=timezone.now()
    )


@transaction.atomic
def comment_add(*, post: Post, author: User, body: str) -> Comment:
    """A short plain-text remark under a visible question or answer."""
    body = " ".join(body.split())
    if not 3 <= len(body) <= 600:
        raise ValidationError({"body": _("A comment is 3 to 600 characters.")})
    question = Question.objects.select_for_update(of=("self",)).get(
        pk=post.pk if isinstance(post, Question) else post.question_id
    )
    if not post.is_visible or question.is_locked:
        raise PermissionDenied(_("This post is closed to comments."))
    repeat = Comment.objects.filter(**_target(post), author=author, body=body, created_at__gte=_repeat_window())
    if (first := repeat.first()) is not None:  # a double submit (the question row is locked): the first stands
        return first
    _check_may_post(author, body)
    comment = Comment.objects.create(**_target(post), author=author, body=body)
    answer = post if isinstance(post, Answer) else None
    followers_notify(question=question, kind=NotificationKind.COMMENT, actor=author, answer=answer)
    return comment


def _target(post: Post) -> dict[str, Post]:
    return {"question": post} if isinstance(post, Question) else {"answer": post}


def member_reputation(user: User) -> int:
    profile = MemberProfile.objects.filter(user=user).only("reputation").first()
    return profile.reputation if profile else 1


def _move_reputation(user_id: int, delta: int) -> None:
    if not delta:
        return
    MemberProfile.objects.get_or_create(user_id=user_id)
    MemberProfile.objects.filter(user_id=user_id).update(reputation=F("reputation") + delta)


@transaction.atomic
def member_profile_correct(
    *, profile: MemberProfile, by: User, reputation: int | None = None, approved_posts: int | None = None
) -> None:
    """Moderators correct a member's counters (in the admin). Only the given ones are written: votes and
    approvals move the others by F() deltas meanwhile, and those moves are kept."""
    _require_moderator(by)
    changes = {name: value for name, value in (("reputation", reputation), ("approved_posts", approved_posts))
               if value is not None}  # fmt: skip
    if changes:
        MemberProfile.objects.filter(pk=profile.pk).update(**changes)


def _vote_reputation(post: Post, value: int) -> int:
    return REPUTATION_UP[type(post)] if value > 0 else REPUTATION_DOWN if value < 0 else 0


def post_vote(*, post: Post, voter: User, value: int) -> int:
    """Vote a question or an answer up (1), down (-1) or take the vote back (0); returns the post's score.

    One vote per member and post (unique constraints); a second vote replaces the first. Not on
    one's own posts, and voting down needs `KBPORTAL_FORUM_REPUTATION_TO_DOWNVOTE`. The score
    and the author's reputation move by F() deltas, so concurrent votes are all counted.
    """
    if value not in (-1, 0, 1):
        raise ValidationError({"value": _("A vote is 1, -1 or 0.")})
    if post.author_id == voter.pk:
        raise PermissionDenied(_("You cannot vote on your own post."))
    if not post.is_visible:
        raise PermissionDenied(_("This post is not open for votes."))
    if value < 0 and not voter.is_staff and member_reputation(voter) < settings.KBPORTAL_FORUM_REPUTATION_TO_DOWNVOTE:
        raise PermissionDenied(
            _("Voting down needs a reputation of %(points)d.")
            % {"points": settings.KBPORTAL_FORUM_REPUTATION_TO_DOWNVOTE}
        )
    for attempt in range(3):
        try:
            return _vote_upsert(post=post, voter=voter, value=value)
        except IntegrityError:
            # The same member's other request inserted the vote first: retry as a change.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _vote_upsert(*, post: Post, voter: User, value: int) -> int:
    identity = {**_target(post), "voter": voter}
    existing = Vote.objects.select_for_update().filter(**identity).first()
    previous = existing.value if existing else 0
    if existing is None and value:
        with transaction.atomic():
            Vote.objects.create(**identity, value=value)
    elif existing is not None and value:
        existing.value = value
        existing.save(update_fields=["value", "created_at"])
    elif existing is not None:
        existing.delete()
    model = type(post)
    if value != previous:
        model.objects.filter(pk=post.pk).update(score=F("score") + (value - previous))
        _move_reputation(post.author_id, _vote_reputation(post, value) - _vote_reputation(post, previous))
        _reindex(post)  # the score is a small ranking signal
    return model.objects.values_list("score", flat=True).get(pk=post.pk)


@transaction.atomic
def answer_accept(*, answer: Answer, by: User) -> Question:
    """Accept an answer: by the asker or staff, one per question even when two accept at once.

    The question row is locked while the choice changes, so the reputation for the previously
    accepted answer is taken back exactly once.
    """
    question = Question.objects.select_for_update(of=("self",)).get(pk=answer.question_id)
    if by.pk != question.author_id and not by.is_staff:
        raise PermissionDenied(_("Only the asker or staff can accept an answer."))
    if not answer.is_visible:
        raise ValidationError(_("A hidden answer cannot be accepted."))
    if question.accepted_answer_id == answer.pk:
        return question
    if question.accepted_answer_id:
        previous = Answer.objects.only("author_id").get(pk=question.accepted_answer_id)
        if previous.author_id != question.author_id:  # answering one's own question earns nothing
            _move_reputation(previous.author_id, -REPUTATION_ACCEPTED)
    question.accepted_answer = answer
    question.last_activity_at = timezone.now()
    question.save(update_fields=["accepted_answer", "last_activity_at", "updated_at"])
    if answer.author_id != question.author_id:
        _move_reputation(answer.author_id, REPUTATION_ACCEPTED)
    followers_notify(question=question, kind=NotificationKind.ACCEPTED, actor=by, answer=answer)
    return question


@transaction.atomic
def answer_unaccept(*, answer: Answer, by: User) -> Question:
    """The asker (or staff) takes back the acceptance of this answer; its author's reward goes with it."""
    question = Question.objects.select_for_update(of=("self",)).get(pk=answer.question_id)
    if by.pk != question.author_id and not by.is_staff:
        raise PermissionDenied(_("Only the asker or staff can take back an acceptance."))
    if question.accepted_answer_id != answer.pk:
        return question
    if answer.author_id != question.author_id:
        _move_reputation(answer.author_id, -REPUTATION_ACCEPTED)
    question.accepted_answer = None
    question.save(update_fields=["accepted_answer", "updated_at"])  # re-indexed as a save (search/registry.py)
    return question


def post_flag(*, post: Post, reporter: User, reason: str, note: str = "") -> Flag:
    """Flag a post for the moderators; at `KBPORTAL_FORUM_FLAGS_TO_HIDE` open flags it is hidden pending review.

    One flag per member and post: flagging again returns the first flag.
    """
    if reason not in FlagReason.values:
        raise ValidationError({"reason": _("Choose one of the listed reasons.")})
    if post.author_id == reporter.pk:
        raise PermissionDenied(_("You cannot flag your own post."))
    if not post.is_visible:
        raise PermissionDenied(_("This post is already with the moderators."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(**_target(post), reporter=reporter, reason=reason, note=note.strip()[:300])
            _count_flag(post)
    except IntegrityError:
        return Flag.objects.get(**_target(post), reporter=reporter)
    return flag


def _count_flag(post: Post) -> None:
    model = type(post)
    model.objects.filter(pk=post.pk).update(flag_count=F("flag_count") + 1)
    flags = model.objects.values_list("flag_count", flat=True).get(pk=post.pk)
    threshold = settings.KBPORTAL_FORUM_FLAGS_TO_HIDE
    if flags >= threshold and _set_state(post, PostState.HIDDEN, only_from=PostState.VISIBLE):
        _log(
            post=post,
            by=None,
            kind=ModerationKind.AUTO_HIDE,
            reason=_("%(count)d members flagged it.") % {"count": threshold},
        )


# --- Moderation ------------------------------------------------------------------------------


def member_may_moderate(user: User | AnonymousUser) -> bool:
    return user.is_superuser or user_has_role(user, Role.MODERATOR, Role.SUPPORT_MANAGER)


def _require_moderator(user: User) -> None:
    if not member_may_moderate(user):
        raise PermissionDenied(_("Only moderators can do this."))


def _log(*, post: Post, by: User | None, kind: str, reason: str = "") -> ModerationAction:
    question = post if isinstance(post, Question) else post.question
    answer = post if isinstance(post, Answer) else None
    return ModerationAction.objects.create(question=question, answer=answer, actor=by, kind=kind, reason=reason[:300])


def _set_state(post: Post, state: str, only_from: str | None = None) -> bool:
    """Move a post to a state (if it is in `only_from`, when given); False when nothing changed.

    An answer entering or leaving "visible" moves its question's answer count, and the search
    index is told after commit.
    """
    model = type(post)
    previous = model.objects.select_for_update().values_list("state", flat=True).get(pk=post.pk)
    if previous == state or (only_from is not None and previous != only_from):
        return False
    model.objects.filter(pk=post.pk).update(state=state)
    post.state = state
    _reindex(post)
    if isinstance(post, Answer):
        if state == PostState.VISIBLE:
            _answer_became_visible(post)
        elif previous == PostState.VISIBLE:
            Question.objects.filter(pk=post.question_id, answer_count__gt=0).update(answer_count=F("answer_count") - 1)
    return True


@transaction.atomic
def post_approve(*, post: Post, by: User) -> Post:
    """Let a held post through; its author's approved posts count towards posting without review."""
    _require_moderator(by)
    if _set_state(post, PostState.VISIBLE, only_from=PostState.HELD):
        MemberProfile.objects.get_or_create(user_id=post.author_id)
        MemberProfile.objects.filter(user_id=post.author_id).update(approved_posts=F("approved_posts") + 1)
        _log(post=post, by=by, kind=ModerationKind.APPROVE)
        if isinstance(post, Answer):  # followers hear of a held answer once readers can see it
            followers_notify(question=post.question, kind=NotificationKind.ANSWER, actor=post.author, answer=post)
    return post


@transaction.atomic
def post_hide(*, post: Post, by: User, reason: str) -> Post:
    """Hide a post, or keep hidden one the flags hid; either way its open flags are resolved and the reason logged."""
    _require_moderator(by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the post is hidden.")})
    hidden_now = _set_state(post, PostState.HIDDEN)
    if _resolve_flags(post) or hidden_now:
        _log(post=post, by=by, kind=ModerationKind.HIDE, reason=reason)
    return post


def _resolve_flags(post: Post) -> int:
    """Close a post's open flags after a moderator's decision; returns how many were open."""
    resolved = Flag.objects.filter(**_target(post), resolved_at__isnull=True).update(resolved_at=timezone.now())
    if resolved:
        type(post).objects.filter(pk=post.pk).update(flag_count=0)
    return resolved


@transaction.atomic
def post_restore(*, post: Post, by: User, reason: str = "") -> Post:
    """Show a hidden post again; its open flags are resolved so they do not hide it again."""
    _require_moderator(by)
    if _set_state(post, PostState.VISIBLE):
        _resolve_flags(post)
        _log(post=post, by=by, kind=ModerationKind.RESTORE, reason=reason)
    return post


@transaction.atomic
def post_dismiss_flags(*, post: Post, by: User, reason: str = "") -> int:
    """A moderator finds nothing wrong with a flagged post: its open flags are resolved; returns how many."""
    _require_moderator(by)
    resolved = _resolve_flags(post)
    if resolved:
        _log(post=post, by=by, kind=ModerationKind.DISMISS_FLAGS, reason=reason)
    return resolved


@transaction.atomic
def question_moderate(
    *, question: Question, by: User, reason: str = "", locked: bool | None = None, pinned: bool | None = None,
    duplicate_of: Question | None = None, category: ForumCategory | None = None,
) -> Question:  # fmt: skip
    """Lock or unlock, pin or unpin, close as a duplicate of another question, or move; each change logged."""
    _require_moderator(by)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    changes: list[tuple[str, str]] = []
    if locked is not None and locked != question.is_locked:
        question.is_locked = locked
        changes.append((ModerationKind.LOCK if locked else ModerationKind.UNLOCK, reason))
    if pinned is not None and pinned != question.is_pinned:
        question.is_pinned = pinned
        changes.append((ModerationKind.PIN if pinned else ModerationKind.UNPIN, reason))
    if duplicate_of is not None and duplicate_of.pk != question.duplicate_of_id:
        if duplicate_of.pk == question.pk:
            raise ValidationError({"duplicate_of": _("A question cannot duplicate itself.")})
        if not duplicate_of.is_visible:
            raise ValidationError({"duplicate_of": _("The original must be a visible question.")})
        question.duplicate_of = duplicate_of
        changes.append((ModerationKind.CLOSE_DUPLICATE, reason or duplicate_of.title))
    if category is not None and category.pk != question.category_id:
        changes.append((ModerationKind.MOVE, reason or f"{question.category.name} → {category.name}"))
        question.category = category
    if changes:
        question.save(update_fields=["is_locked", "is_pinned", "duplicate_of", "category", "updated_at"])
        for kind, why in changes:
            _log(post=question, by=by, kind=kind, reason=why)
    return question


def _field_label(model: type[Question], name: str) -> str:
    """A field's verbose name, or a relation's name (tags is a many-to-many through a related manager)."""
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


class _Unchanged(Enum):
    """The default of an argument whose None says "none" (no product version), not "leave it"."""

    UNCHANGED = "unchanged"


UNCHANGED = _Unchanged.UNCHANGED


@transaction.atomic
def question_reclassify(
    *, question: Question, by: User, reason: str = "", language: str | None = None,
    product_version: ProductVersion | Literal[_Unchanged.UNCHANGED] | None = UNCHANGED,
    tags: Iterable[Tag] | None = None,
) -> Question:  # fmt: skip
    """Moderators: change the question's language, product version or tags; each change logged as an edit."""
    _require_moderator(by)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    changes: list[tuple[str, str, str]] = []
    if language is not None and language != question.language:
        before = question.get_language_display()
        question.language = language
        changes.append(("language", before, question.get_language_display()))
    if product_version is not UNCHANGED and getattr(product_version, "pk", None) != question.product_version_id:
        was = question.product_version
        question.product_version = product_version
        changes.append(("product_version", was.name if was else "—", product_version.name if product_version else "—"))
    if tags is not None:
        chosen = list(tags)
        names_before, names_after = sorted(tag.name for tag in question.tags.all()), sorted(t.name for t in chosen)
        if names_before != names_after:
            question.tags.set(chosen)
            changes.append(("tags", ", ".join(names_before) or "—", ", ".join(names_after) or "—"))
    if changes:
        question.save(update_fields=["language", "product_version", "updated_at"])
        for field, old, new in changes:
            label = _field_label(Question, field)
            _log(post=question, by=by, kind=ModerationKind.EDIT, reason=reason or f"{label}: {old} → {new}")
    return question


@transaction.atomic
def post_edit(*, post: Post, by: User, body: str, reason: str, title: str | None = None) -> Post:
    """The author edits their own post; a moderator edits anyone's, with a reason that is logged."""
    is_author = post.author_id == by.pk
    if not is_author:
        _require_moderator(by)
        if not reason.strip():
            raise ValidationError({"reason": _("Say why you edit someone else's post.")})
    body = body.strip()
    errors = {}
    if len(body) < 10:
        errors["body"] = _("A post needs at least 10 characters.")
    if title is not None and isinstance(post, Question) and len(title.strip()) < 10:
        errors["title"] = _("Say in a few words what you need: at least 10 characters.")
    if errors:
        raise ValidationError(errors)
    # An edit may not smuggle in the links a new post could not hold (the author's reputation counts).
    _check_links(post.author if not is_author else by, body, title or "")
    post.body, post.body_html = body, render_markdown(body).html
    fields = ["body", "body_html", "updated_at"]
    if title is not None and isinstance(post, Question):
        post.title = title.strip()[:200]
        fields.append("title")
    post.save(update_fields=fields)
    if not is_author or reason.strip():
        _log(post=post, by=by, kind=ModerationKind.EDIT, reason=reason)
    return post


@transaction.atomic
def answer_verify(*, answer: Answer, by: User, verified: bool = True) -> Answer:
    """Staff mark an answer as checked by HelloWorld (or take the mark back); logged like moderation."""
    if not by.is_staff:
        raise PermissionDenied(_("Only staff can verify an answer."))
    if not answer.is_visible:
        raise ValidationError(_("A hidden answer cannot be verified."))
    if answer.is_verified != verified:
        answer.is_verified = verified
        answer.save(update_fields=["is_verified", "updated_at"])
        if verified:
            _log(post=answer, by=by, kind=ModerationKind.VERIFY)
    return answer


# --- Following -------------------------------------------------------------------------------


def question_follow(*, question: Question, user: User) -> None:
    if not question.is_visible and question.author_id != user.pk:
        raise PermissionDenied(_("This question cannot be followed."))
    _follow(question, user)


def question_unfollow(*, question_id: int, user_id: int) -> bool:
    """Stop following; True when there was something to stop (the e-mail's one-click link calls this too)."""
    deleted, _rows = Follow.objects.filter(question_id=question_id, user_id=user_id).delete()
    return bool(deleted)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark a member's unread notices read: all of them, or only the given ids."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


# --- Into knowledge and support --------------------------------------------------------------


def member_may_promote(user: User | AnonymousUser) -> bool:
    return user.is_active and user.has_perm("articles.add_article")


@transaction.atomic
def question_promote(*, question: Question, by: User, category: Category | None) -> Article:
    """Turn a question and its accepted answer into a draft article, linked both ways, crediting the member.

    Promoting again returns the article made the first time.
    """
    from articles import services as article_services

    if not member_may_promote(by):
        raise PermissionDenied(_("Only staff who write articles can promote a question."))
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.promoted_article is not None:  # no query without an id
        return question.promoted_article
    answer = question.accepted_answer
    if answer is None or not answer.is_visible or not question.is_visible:
        raise ValidationError(_("Only a visible question with an accepted answer can become an article."))
    if category is None:
        raise ValidationError({"category": _("Choose the category the article belongs in.")})
    article = article_services.article_create(
        by=by,
        title=question.title,
        category=category,
        summary=question.title,
        body=_article_body(question, answer),
        language=question.language,
        type="how-to",
        tags=[tag.name for tag in question.tags.all()],
        product_versions=[question.product_version.name] if question.product_version is not None else [],
    )
    question.promoted_article = article
    question.save(update_fields=["promoted_article", "updated_at"])
    _log(post=question, by=by, kind=ModerationKind.PROMOTE, reason=article.title)
    return article


def _article_body(question: Question, answer: Answer) -> str:
    with translation.override(question.language):
        credit = _("Based on a community answer by %(name)s to [the question in the community](%(url)s).") % {
            "name": answer.author.public_name,
            "url": question.get_absolute_url(),
        }
        heading = _("The question")
        solution = _("The solution")
    return f"## {heading}\n\n{question.body}\n\n## {solution}\n\n{answer.body}\n\n---\n\n*{credit}*\n"


def member_may_escalate(user: User | AnonymousUser) -> bool:
    return user.is_superuser or user_has_role(user, *AGENT_ROLES.values(), Role.MODERATOR, Role.SUPPORT_MANAGER)


def escalation_offered(*, question: Question, user: User | AnonymousUser, now: datetime | None = None) -> bool:
    """The asker's own question, still unanswered `KBPORTAL_FORUM_ESCALATION_OFFER_HOURS` after it was asked."""
    now = now or timezone.now()
    waited = now - question.created_at >= timedelta(hours=settings.KBPORTAL_FORUM_ESCALATION_OFFER_HOURS)
    return (
        user.is_authenticated
        and question.author_id == user.pk
        and question.is_visible
        and question.escalated_ticket_id is None
        and question.answer_count == 0
        and waited
    )


@transaction.atomic
def question_escalate(*, question: Question, by: User, reason: str = "") -> Ticket:
    """Make a tier-1 ticket (channel "community") for the asker of an unanswered question, linked to it.

    Support staff may escalate any question without an accepted answer; the asker may once the offer
    is made. Escalating again returns the same ticket.
    """
    from tickets.models import Channel
    from tickets.services import ticket_create

    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.escalated_ticket is not None:  # no query without an id
        return question.escalated_ticket
    by_staff = member_may_escalate(by)
    if not by_staff and not escalation_offered(question=question, user=by):
        raise PermissionDenied(_("This question cannot be turned into a support request yet."))
    if question.accepted_answer_id:
        raise ValidationError(_("This question has an accepted answer."))
    url = f"{settings.SITE_URL}{question.get_absolute_url()}"
    with translation.override(question.language):
        intro = _("Asked in the community and not answered there: %(url)s") % {"url": url}
    ticket, _created = ticket_create(
        requester=question.author,
        requester_email=question.author.email,
        subject=question.title,
        description=f"{question.body}\n\n---\n{intro}",
        channel=Channel.COMMUNITY,
        product_version=question.product_version,
        language=question.language,
        idempotency_key=f"community-question-{question.pk}",
    )
    question.escalated_ticket = ticket
    question.save(update_fields=["escalated_ticket", "updated_at"])
    _log(post=question, by=by, kind=ModerationKind.ESCALATE, reason=reason or ticket.reference)
    return ticket
