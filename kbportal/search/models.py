from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable item as the index holds it: analysed tokens for matching, plain text for snippets.

    Only items customers may find are here; `visible_from` hides scheduled ones until their time.
    Ranked search reads the document's postings (`SearchPosting`); the title's full-text
    structure (an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL) lives
    beside this table for prefix matching, kept in step by the backend.
    """

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    url = models.CharField(_("address"), max_length=300)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    category_id = models.BigIntegerField(_("category"), null=True, blank=True)
    product_versions = models.CharField(_("product versions"), max_length=300, blank=True)
    title_tokens = models.TextField(_("title tokens"))
    body_tokens = models.TextField(_("body tokens"))
    length = models.PositiveIntegerField(_("length in tokens"))
    boost = models.FloatField(_("quality signal"), default=0.0)
    visible_from = models.DateTimeField(_("visible from"), null=True, blank=True)
    updated_at = models.DateTimeField(_("content updated"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique_item")]
        indexes = [
            # Filters of a search: kind and language.
            models.Index(fields=["kind", "language"], name="search_doc_kind_language"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class SearchPosting(models.Model):
    """A term in a document: the inverted index ranked search reads on either database.

    `frequency` is the term's count with title occurrences weighted (`TITLE_WEIGHT`), from
    which a search computes exact BM25. `impact` is the term's BM25 saturation in the document
    at indexing time; the index on (term, impact) hands a search each term's best documents
    first, so a common term costs its best few hundred postings, not all of them.
    """

    pk = models.CompositePrimaryKey("document_id", "term")
    document_id = models.BigIntegerField(_("document"))
    term = models.CharField(_("term"), max_length=100)
    frequency = models.FloatField(_("weighted term frequency"))
    impact = models.FloatField(_("impact"))

    class Meta:
        verbose_name = _("search posting")
        verbose_name_plural = _("search postings")
        indexes = [
            # Each term's documents, best first; covering, so the walk never reads the table.
            models.Index(fields=["term", "-impact", "document_id"], name="search_posting_term_impact"),
        ]

    def __str__(self) -> str:
        return f"{self.term} in {self.document_id}"


class SearchTerm(models.Model):
    """How many documents hold a token: BM25's document frequency, and the vocabulary for "did you mean"."""

    term = models.CharField(_("term"), max_length=100, primary_key=True)
    document_count = models.PositiveIntegerField(_("documents"), default=0)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term


class SearchWord(models.Model):
    """A word as written (normalised, not stemmed) and how many documents use it: "did you mean"'s vocabulary."""

    word = models.CharField(_("word"), max_length=100, primary_key=True)
    document_count = models.PositiveIntegerField(_("documents"), default=0)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word


class SearchStats(models.Model):
    """Totals BM25 needs: the number of documents and of tokens (one row)."""

    document_count = models.PositiveIntegerField(default=0)
    token_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("search statistics")
        verbose_name_plural = _("search statistics")

    def __str__(self) -> str:
        return f"{self.document_count} documents"


class SynonymGroup(models.Model):
    """Words and phrases customers use for the same thing; a search for one finds the others."""

    phrases = models.TextField(
        _("phrases"),
        help_text=_('One per line, e.g. "sign in", "log in", "login"; or 许可证 and 授权.'),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " ~ ".join(self.phrase_list()[:4])

    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]
