from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kbportal.choices import BilingualNames, Language

from .querysets import PublishableQuerySet
from .validators import validate_image_size, validate_video_file
from .video_providers import VideoProvider


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ArticleType(models.TextChoices):
    HOW_TO = "how-to", _("How-to")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting")
    FAQ = "faq", _("FAQ")
    BEST_PRACTICE = "best-practice", _("Best practice")
    RELEASE_NOTE = "release-note", _("Release note")


class FeedbackReason(models.TextChoices):
    INACCURATE = "inaccurate", _("Inaccurate")
    UNCLEAR = "unclear", _("Unclear")
    OUTDATED = "outdated", _("Outdated")
    NOT_SOLVED = "not-solved", _("Did not solve my problem")
    OTHER = "other", _("Other")


class Category(BilingualNames, models.Model):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=True)
    description = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Chinese)"), blank=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0, help_text=_("Lower numbers come first."))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["ordering", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="articles_category_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:tag", kwargs={"slug": self.slug})


class ProductVersion(models.Model):
    name = models.CharField(_("version"), max_length=40, unique=True, help_text=_('For example "4.2".'))
    released_on = models.DateField(_("released on"), null=True, blank=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0, help_text=_("Lower numbers come first."))

    class Meta:
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.name


class PublishableContent(models.Model):
    """What articles and videos share: workflow, visibility, language, tallies."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text=_("The original this item translates. Leave empty on the original itself."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="%(class)ss"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="%(class)ss")
    product_versions = models.ManyToManyField(
        ProductVersion,
        verbose_name=_("product versions"),
        blank=True,
        related_name="%(class)ss",
        help_text=_("Leave empty when it applies to every version."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("A published item stays hidden from customers until this time. Empty: at once."),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    last_reviewed_at = models.DateField(_("last reviewed"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0, editable=False)
    not_helpful_count = models.PositiveIntegerField(_("not helpful votes"), default=0, editable=False)
    external_id = models.CharField(
        _("external id"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The id in the system this item was imported from; import_kb updates by it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        original = self.translation_of
        if original is None:
            return
        if original.pk == self.pk or original.translation_of_id is not None:
            raise ValidationError(
                {"translation_of": _("Link a translation to the original, not to another translation.")}
            )
        if original.language == self.language:
            raise ValidationError(
                {"translation_of": _("A translation must be in a different language from its original.")}
            )

    @property
    def votes_total(self) -> int:
        return self.helpful_count + self.not_helpful_count

    @property
    def helpful_percent(self) -> int | None:
        total = self.votes_total
        return round(100 * self.helpful_count / total) if total else None

    @property
    def translation_root_id(self) -> int:
        return self.translation_of_id or self.pk


def _publishable_indexes(prefix: str) -> list[models.Index]:
    return [
        # Customer lists: published items of one language, newest first.
        models.Index(fields=["status", "language", "-updated_at"], name=f"{prefix}_pub_lang_updated"),
        # Category pages: published items of a category.
        models.Index(fields=["category", "status", "language"], name=f"{prefix}_category_status"),
        # Popular lists on the home page.
        models.Index(fields=["status", "language", "-view_count"], name=f"{prefix}_pub_lang_views"),
        # Scheduled publishing: published items whose time has not come.
        models.Index(fields=["publish_at"], name=f"{prefix}_publish_at"),
    ]


class Article(PublishableContent):
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    toc = models.JSONField(_("table of contents"), default=list, blank=True, editable=False)
    type = models.CharField(_("type"), max_length=20, choices=ArticleType.choices, default=ArticleType.HOW_TO)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at"]
        indexes = _publishable_indexes("art")
        permissions = [("publish_article", _("Can publish, schedule and archive articles"))]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="articles_article_one_translation_per_language"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("articles:article", kwargs={"pk": self.pk, "slug": self.slug or "-"})


class ArticleRevision(models.Model):
    """The full content of an article as one staff save left it."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    metadata = models.JSONField(
        _("metadata"), default=dict, help_text=_("Category, type, language, tags and versions at the time.")
    )

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articles_revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class Video(PublishableContent):
    description = models.TextField(_("description"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    thumbnail = models.ImageField(
        _("thumbnail"),
        upload_to="videos/thumbnails/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"]), validate_image_size],
    )
    provider = models.CharField(
        _("provider"),
        max_length=12,
        choices=VideoProvider.choices,
        blank=True,
        help_text=_("Where the video is hosted. Leave empty for an uploaded file."),
    )
    provider_video_id = models.CharField(
        _("provider video id"),
        max_length=40,
        blank=True,
        help_text=_("Only the id, e.g. dQw4w9WgXcQ for YouTube, 76979871 for Vimeo, BV1GJ411x7h7 for Bilibili."),
    )
    video_file = models.FileField(
        _("video file"),
        upload_to="videos/files/",
        blank=True,
        validators=[FileExtensionValidator(["mp4", "webm"]), validate_video_file],
        help_text=_("MP4 or WebM. Leave empty for a provider video."),
    )
    transcript = models.TextField(_("transcript"), blank=True)
    related_articles = models.ManyToManyField(
        Article, verbose_name=_("related articles"), blank=True, related_name="videos"
    )

    class Meta:
        verbose_name = _("video tutorial")
        verbose_name_plural = _("video tutorials")
        ordering = ["-updated_at"]
        indexes = _publishable_indexes("vid")
        permissions = [("publish_video", _("Can publish, schedule and archive video tutorials"))]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="articles_video_one_translation_per_language"
            ),
            models.CheckConstraint(
                condition=(Q(provider="") & ~Q(video_file="")) | (~Q(provider="") & ~Q(provider_video_id="")),
                name="articles_video_has_source",
                violation_error_message=_("Give either a provider and its video id, or upload a video file."),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("articles:video", kwargs={"pk": self.pk, "slug": self.slug or "-"})

    def clean(self) -> None:
        super().clean()
        if self.provider:
            try:
                VideoProvider.validate_id(self.provider, self.provider_video_id)
            except ValidationError as error:
                raise ValidationError({"provider_video_id": error.messages}) from error
        elif not self.video_file:
            raise ValidationError(_("Give either a provider and its video id, or upload a video file."))

    @property
    def embed_url(self) -> str:
        return VideoProvider.embed_url(self.provider, self.provider_video_id) if self.provider else ""


class VideoChapter(models.Model):
    video = models.ForeignKey(Video, verbose_name=_("video"), on_delete=models.CASCADE, related_name="chapters")
    start_seconds = models.PositiveIntegerField(_("starts at (seconds)"))
    title = models.CharField(_("title"), max_length=120)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["start_seconds"]
        constraints = [
            models.UniqueConstraint(fields=["video", "start_seconds"], name="articles_chapter_unique_start"),
        ]

    def __str__(self) -> str:
        return self.title


class Feedback(models.Model):
    """One "Was this helpful?" answer: one per signed-in user, or per anonymous session, per item."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    video = models.ForeignKey(
        Video, verbose_name=_("video"), null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="content_feedback",
    )
    session_key = models.CharField(_("session"), max_length=40, blank=True)
    helpful = models.BooleanField(_("helpful"))
    reason = models.CharField(_("reason"), max_length=20, choices=FeedbackReason.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True, validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("helpfulness feedback")
        verbose_name_plural = _("helpfulness feedback")
        ordering = ["-updated_at"]
        indexes = [
            # The feedback beside an article in the admin, newest first.
            models.Index(fields=["article", "-updated_at"], name="feedback_article_recent"),
            models.Index(fields=["video", "-updated_at"], name="feedback_video_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, video__isnull=True) | Q(article__isnull=True, video__isnull=False),
                name="feedback_exactly_one_item",
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(session_key=""), name="feedback_has_voter"),
            models.UniqueConstraint(
                fields=["article", "user"], condition=Q(user__isnull=False), name="feedback_one_per_user_article"
            ),
            models.UniqueConstraint(
                fields=["video", "user"], condition=Q(user__isnull=False), name="feedback_one_per_user_video"
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=Q(user__isnull=True),
                name="feedback_one_per_session_article",
            ),
            models.UniqueConstraint(
                fields=["video", "session_key"], condition=Q(user__isnull=True), name="feedback_one_per_session_video"
            ),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.helpful else '-'} {self.item}"

    @property
    def item(self) -> "Article | Video":
        return self.article or self.video
