from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _


class SearchGeneration(models.Model):
    """One build of the index. Searches read the live one; a rebuild fills a new one beside it and swaps.

    Every document and every statistics row belongs to a generation. While a rebuild runs there are two:
    the live one searches read, and the building one; every index update in the meantime goes to both.
    """

    class State(models.TextChoices):
        BUILDING = "building", _("building")
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")

    number = models.PositiveIntegerField(_("number"), primary_key=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("index generation")
        verbose_name_plural = _("index generations")
        constraints = [
            # At most one live and one building generation.
            models.UniqueConstraint(
                fields=["state"], condition=~models.Q(state="retired"), name="search_generation_one_per_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.state})"


class SearchDocument(models.Model):
    """One searchable item as the index holds it: plain text for snippets, the length BM25 needs.

    Only items customers may find are here; `visible_from` hides scheduled ones until their time.
    Ranked search reads the document's postings (`SearchPosting`), which hold its analysed terms;
    the title's full-text structure (an FTS5 table on SQLite, a tsvector column with a GIN index on
    PostgreSQL) lives beside this table for prefix matching, kept in step by the backend.
    """

    generation = models.PositiveIntegerField(_("generation"), default=1)
    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    url = models.CharField(_("address"), max_length=300)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    category_id = models.BigIntegerField(_("category"), null=True, blank=True)
    product_versions = models.CharField(_("product versions"), max_length=300, blank=True)
    length = models.PositiveIntegerField(_("length in tokens"))
    title_length = models.PositiveIntegerField(_("title length in tokens"), default=0)
    boost = models.FloatField(_("quality signal"), default=0.0)
    visible_from = models.DateTimeField(_("visible from"), null=True, blank=True)
    updated_at = models.DateTimeField(_("content updated"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            # Item first: a vote finds its documents by (kind, object_id), and an index led by the generation
            # made SQLite read every document of the generation to score 200 candidates.
            models.UniqueConstraint(fields=["kind", "object_id", "generation"], name="search_document_unique_item")
        ]
        indexes = [
            # Filters of a search: kind and language.
            models.Index(fields=["kind", "language"], name="search_doc_kind_language"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class RealField(models.FloatField):  # type: ignore[type-arg]  # the stubs' generic is not subscriptable at run time
    """A 4-byte float on PostgreSQL (SQLite has only 8-byte ones): postings are the index's bulk.

    Impacts only order a term's postings; the exact scores come from the counts.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return "real" if connection.vendor == "postgresql" else super().db_type(connection)


class SearchPosting(models.Model):
    """A term in a document: the inverted index ranked search reads on either database.

    `title_count` and `body_count` are the term's counts in each field, from which a search computes
    exact BM25F. `impact` is the term's BM25F saturation in the document at indexing time; the index
    on (term, impact) hands a search each term's best documents
    first, so a common term costs its best few hundred postings, not all of them.

    Kept small, as it holds some 130 rows a document: 4-byte ids and floats, 2-byte counts on PostgreSQL;
    on SQLite a WITHOUT ROWID table clustered on its primary key (migration 0005; a later migration
    that rebuilds this table must keep that, `tests/search/test_index_layout.py` checks it).
    """

    pk = models.CompositePrimaryKey("document_id", "term")
    document_id = models.IntegerField(_("document"))
    term = models.CharField(_("term"), max_length=100)
    title_count = models.SmallIntegerField(_("count in the title"))
    body_count = models.SmallIntegerField(_("count in the text"))
    impact = RealField(_("impact"))

    class Meta:
        verbose_name = _("search posting")
        verbose_name_plural = _("search postings")
        indexes = [
            # Each term's documents, best first; covering, so the walk never reads the table.
            models.Index(fields=["term", "-impact", "document_id"], name="search_posting_term_impact"),
        ]

    def __str__(self) -> str:
        return f"{self.term} in {self.document_id}"


# Statistics BM25 needs, as rows to add up: an indexing batch inserts the changes it makes (+1 for a term
# in a new document, -1 for one gone) and never updates a shared row, so batches from several workers do not
# wait for each other; `statistics.compact()` later folds each key's rows into one.


class SearchTermCount(models.Model):
    """A change in how many documents hold a term: BM25's document frequency is the sum."""

    generation = models.PositiveIntegerField(_("generation"))
    term = models.CharField(_("term"), max_length=100)
    documents = models.IntegerField(_("documents"))

    class Meta:
        verbose_name = _("term count")
        verbose_name_plural = _("term counts")
        indexes = [models.Index(fields=["generation", "term"], name="search_termcount_term")]

    def __str__(self) -> str:
        return f"{self.term} {self.documents:+d}"


class SearchWordCount(models.Model):
    """A change in how many documents use a word as written: the vocabulary "did you mean" picks from."""

    generation = models.PositiveIntegerField(_("generation"))
    word = models.CharField(_("word"), max_length=100)
    documents = models.IntegerField(_("documents"))

    class Meta:
        verbose_name = _("word count")
        verbose_name_plural = _("word counts")
        indexes = [models.Index(fields=["generation", "word"], name="search_wordcount_word")]

    def __str__(self) -> str:
        return f"{self.word} {self.documents:+d}"


class SearchTotals(models.Model):
    """A change in the number of documents and of their tokens, all and in titles (BM25F's average field lengths
    are ratios of sums)."""

    generation = models.PositiveIntegerField(_("generation"))
    documents = models.IntegerField(_("documents"))
    tokens = models.BigIntegerField(_("tokens"))
    title_tokens = models.BigIntegerField(_("title tokens"), default=0)

    class Meta:
        verbose_name = _("index totals")
        verbose_name_plural = _("index totals")
        indexes = [models.Index(fields=["generation"], name="search_totals_generation")]

    def __str__(self) -> str:
        return f"{self.documents:+d} documents"


class SynonymGroup(models.Model):
    """Words and phrases customers use for the same thing; a search for one finds the others."""

    phrases = models.TextField(
        _("phrases"),
        help_text=_('One per line, e.g. "sign in", "log in", "login"; or 许可证 and 授权.'),
    )
    one_way = models.BooleanField(
        _("one way"),
        default=False,
        help_text=_(
            "Only the first phrase is added: a search with one of the others also finds the first, not the other "
            'way round. For abbreviations and colloquial forms: "password", then "pwd"; 无法登录, then 登不上.'
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        first, *others = self.phrase_list()[:4] or [""]
        return f"{' ~ '.join(others)} → {first}" if self.one_way and others else " ~ ".join([first, *others])

    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]
