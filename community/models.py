"""The forum: categories, questions, answers, comments, votes, flags, moderation, follows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kbportal.choices import BilingualNames, Language

# Comments, votes and flags belong to a question or to an answer, never both.
ON_ONE_POST = Q(question__isnull=False, answer__isnull=True) | Q(question__isnull=True, answer__isnull=False)


class ForumCategory(BilingualNames, models.Model):
    name = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=True)
    description = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Chinese)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower numbers come first."))
    staff_only = models.BooleanField(
        _("staff post only"), default=False, help_text=_("Members may read and answer, but only staff ask here.")
    )

    class Meta:
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:category", kwargs={"slug": self.slug})


class PostState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Held for moderation")
    HIDDEN = "hidden", _("Hidden")


class Question(models.Model):
    category = models.ForeignKey(
        ForumCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="questions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="questions"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("question (Markdown)"))
    body_html = models.TextField(_("question (HTML)"), editable=False)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    tags = models.ManyToManyField("articles.Tag", verbose_name=_("tags"), blank=True, related_name="questions")
    product_version = models.ForeignKey(
        "articles.ProductVersion", verbose_name=_("product version"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="questions",
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=10, choices=PostState.choices, default=PostState.VISIBLE)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="duplicates",
    )  # fmt: skip
    accepted_answer = models.OneToOneField(
        "Answer", verbose_name=_("accepted answer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="accepted_for",
    )  # fmt: skip
    score = models.IntegerField(_("score"), default=0)
    answer_count = models.PositiveIntegerField(_("answers"), default=0)
    flag_count = models.PositiveIntegerField(_("open flags"), default=0)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    promoted_article = models.OneToOneField(
        "articles.Article", verbose_name=_("promoted to article"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="source_question",
    )  # fmt: skip
    escalated_ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("escalated to ticket"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="source_question",
    )  # fmt: skip

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            # Latest questions: visible ones, pinned first, by last activity.
            models.Index(fields=["state", "-is_pinned", "-last_activity_at"], name="community_q_latest"),
            # A category's questions, and unanswered ones.
            models.Index(fields=["category", "state", "-last_activity_at"], name="community_q_category"),
            models.Index(fields=["state", "answer_count", "-created_at"], name="community_q_unanswered"),
            # "My questions".
            models.Index(fields=["author", "-created_at"], name="community_q_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:question", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.state == PostState.VISIBLE


class Answer(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="answers"
    )
    body = models.TextField(_("answer (Markdown)"))
    body_html = models.TextField(_("answer (HTML)"), editable=False)
    state = models.CharField(_("state"), max_length=10, choices=PostState.choices, default=PostState.VISIBLE)
    is_verified = models.BooleanField(_("verified by staff"), default=False)
    score = models.IntegerField(_("score"), default=0)
    flag_count = models.PositiveIntegerField(_("open flags"), default=0)
    created_at = models.DateTimeField(_("answered"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            # A question page's answers in display order (the accepted one is pulled first in code).
            models.Index(
                fields=["question", "state", "-is_verified", "-score", "created_at"], name="community_a_order"
            ),
            models.Index(fields=["author", "-created_at"], name="community_a_author"),
        ]

    def __str__(self) -> str:
        return _("Answer to “%(title)s”") % {"title": self.question.title}

    @property
    def is_visible(self) -> bool:
        return self.state == PostState.VISIBLE


class Comment(models.Model):
    """A short remark under a question or an answer (plain text, never Markdown)."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="forum_comments"
    )
    body = models.CharField(_("comment"), max_length=600)
    state = models.CharField(_("state"), max_length=10, choices=PostState.choices, default=PostState.VISIBLE)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=ON_ONE_POST,
                name="community_comment_on_one_post",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class Vote(models.Model):
    """One member's vote on a question or an answer: +1 or -1, changeable, one per member and post."""

    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="votes")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_votes")
    value = models.SmallIntegerField(_("vote"), choices=[(1, _("Up")), (-1, _("Down"))])
    created_at = models.DateTimeField(_("voted"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["question", "voter"], name="community_one_vote_per_question"),
            models.UniqueConstraint(fields=["answer", "voter"], name="community_one_vote_per_answer"),
            models.CheckConstraint(
                condition=ON_ONE_POST,
                name="community_vote_on_one_post",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id}: {self.value:+d}"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Rude or offensive")
    OFF_TOPIC = "off_topic", _("Not about HelloWorld")
    OTHER = "other", _("Something else")


class Flag(models.Model):
    """A member's report that a post needs a moderator; enough open flags hide the post."""

    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.CASCADE, related_name="forum_flags"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["question", "reporter"], name="community_one_flag_per_question"),
            models.UniqueConstraint(fields=["answer", "reporter"], name="community_one_flag_per_answer"),
            models.CheckConstraint(
                condition=ON_ONE_POST,
                name="community_flag_on_one_post",
            ),
        ]
        indexes = [
            # The moderators' queue: open flags, oldest first.
            models.Index(fields=["resolved_at", "created_at"], name="community_flag_open"),
        ]

    def __str__(self) -> str:
        return self.get_reason_display()


class ModerationKind(models.TextChoices):
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    DISMISS_FLAGS = "dismiss", _("Dismissed the flags")
    APPROVE = "approve", _("Approved a held post")
    AUTO_HIDE = "auto_hide", _("Hidden by flags")
    LOCK = "lock", _("Locked")
    UNLOCK = "unlock", _("Unlocked")
    PIN = "pin", _("Pinned")
    UNPIN = "unpin", _("Unpinned")
    CLOSE_DUPLICATE = "duplicate", _("Closed as a duplicate")
    MOVE = "move", _("Moved")
    EDIT = "edit", _("Edited")
    VERIFY = "verify", _("Verified an answer")
    PROMOTE = "promote", _("Promoted to an article")
    ESCALATE = "escalate", _("Escalated to a ticket")


class ModerationAction(models.Model):
    """Every moderator action, and every automatic one, with its reason: shown to staff on the post."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="moderation_actions"
    )
    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="moderation_actions",
    )  # fmt: skip
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    kind = models.CharField(_("action"), max_length=20, choices=ModerationKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["question", "-created_at"], name="community_mod_question")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Follow(models.Model):
    """A member following a question: told of new answers, comments and acceptance."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="community_one_follow")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.question_id}"


class NotificationKind(models.TextChoices):
    ANSWER = "answer", _("New answer")
    COMMENT = "comment", _("New comment")
    ACCEPTED = "accepted", _("Answer accepted")


class Notification(models.Model):
    """An on-site notice for a follower; the same event is also mailed."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_notices")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # A member's notices, unread first by time.
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="community_notice_inbox")]

    def __str__(self) -> str:
        return self.get_kind_display()


class MemberProfile(models.Model):
    """A forum member's standing: reputation from votes and accepted answers, moved by F() updates."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_profile")
    reputation = models.IntegerField(_("reputation"), default=1)
    approved_posts = models.PositiveIntegerField(_("approved posts"), default=0)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")

    def __str__(self) -> str:
        return str(self.user)
