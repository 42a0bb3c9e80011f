from contextlib import contextmanager

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import connection, models, transaction
from django.db.models import F, Min, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from taskforce.cache import bump_content_version
from taskforce.models import Organisation

from .sanitize import sanitize_html

# Full-text search on PostgreSQL ranks only this many of the latest matches.
SEARCH_CANDIDATES = 200

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif", "avif"]

EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:topic", kwargs={"slug": self.slug})


def live(prefix=""):
    """The condition for an article the public may read: published and due.

    prefix reaches an article through a relation, e.g. live("article__").
    """
    return Q(
        **{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}publish_at__lte": timezone.now()}
    )


@contextmanager
def planned_for_the_words_searched():
    """
    On PostgreSQL, plan the searches run inside for their own words, in one transaction.

    A prepared statement gets a plan made once for every value after a few runs. For
    full-text search that plan assumes every word is rare and reads every match of a
    common one ("cities": 35 ms instead of 1 on a large archive).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


class SearchableQuerySet(models.QuerySet):
    """Rows with a stored search_vector, filled by a PostgreSQL trigger."""

    def ranked_matches(self, query, *, newest_first, then):
        """
        Full-text matches for `query`, best first, ranked among the latest
        SEARCH_CANDIDATES matches only (by `newest_first`), so a common word costs
        the same on a large archive as on a small one; ties are ordered by `then`.
        """
        search_query = SearchQuery(query, search_type="websearch", config="english")
        latest = (
            self.filter(search_vector=search_query)
            .order_by(*newest_first)
            .values("pk")[:SEARCH_CANDIDATES]
        )
        return (
            self.model.objects.filter(pk__in=latest)
            .annotate(rank=SearchRank(F("search_vector"), search_query))
            .order_by("-rank", *then)
        )


class ArticleQuerySet(SearchableQuerySet):
    def published(self):
        """Published and due: a future publish time stays hidden until it passes."""
        return self.filter(live())

    def for_lists(self):
        """Without the body, which lists and feeds do not show: it is most of a row."""
        return self.defer("body")

    def with_topic_list(self):
        """Topics in one query for all the articles, as plain lists (topic_list): cheap to read."""
        return self.prefetch_related(Prefetch("topics", to_attr="topic_list"))

    def search(self, query):
        """
        Articles matching `query` in their title, summary or body.

        On PostgreSQL: ranked full-text search (trigger in migration 0002: the title
        counts most, then the summary, then the body). Elsewhere: a plain substring
        match, newest first.
        """
        if connection.vendor == "postgresql":
            newest = ["-publish_at", "-pk"]
            return self.ranked_matches(query, newest_first=newest, then=newest)
        return self.filter(
            Q(title__icontains=query) | Q(summary__icontains=query) | Q(body__icontains=query)
        )

    def next_publication(self, now):
        """When the next scheduled article falls due, or None."""
        scheduled = self.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        return scheduled.aggregate(moment=Min("publish_at"))["moment"]

    def publish(self):
        return self._update_status(Article.Status.PUBLISHED)

    def unpublish(self):
        return self._update_status(Article.Status.DRAFT)

    def _update_status(self, status):
        changed = self.update(status=status, updated=timezone.now())
        bump_content_version()  # update() sends no save signals
        return changed


class SearchableManager(models.Manager):
    """Leaves out the stored search vector, which only search reads (in SQL)."""

    def get_queryset(self):
        return super().get_queryset().defer("search_vector")


ArticleManager = SearchableManager.from_queryset(ArticleQuerySet)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(
        max_length=500, help_text="The standfirst: one or two sentences shown in lists and feeds."
    )
    body = ProseEditorField(
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=sanitize_html,
        help_text="Headings, lists, links and emphasis; anything else is removed on save.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        default=timezone.now,
        help_text="A future time schedules the article: it appears on the site at that time.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="articles")
    image = models.FileField(
        upload_to="news/%Y/",
        blank=True,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS)],
    )
    image_alt = models.CharField(
        "image alt text",
        max_length=250,
        blank=True,
        help_text="What the image shows, for people who cannot see it. Required with an image.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Filled by a database trigger on PostgreSQL from the title, summary and body;
    # unused elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleManager()

    # Changes to these alone add or remove the article from no list (taskforce/cache.py);
    # search reads the text, and is renewed by them.
    page_cache_shown_fields = ("title", "summary", "body", "image", "image_alt", "updated",
                               "search_vector")  # fmt: skip

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [models.Index(fields=["status", "-publish_at"], name="news_article_live_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""),
                name="news_article_image_has_alt_text",
                violation_error_message="An image needs alt text.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Stored HTML is always safe, however it arrives (admin, shell, import).
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:article", kwargs={"slug": self.slug})

    def clean(self):
        if self.image and not self.image_alt.strip():
            raise ValidationError({"image_alt": "Describe the image for people who cannot see it."})

    def structured_data(self, *, absolute_url):
        """schema.org NewsArticle; absolute_url turns a path into a full URL."""
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.title,
            "description": self.summary,
            "url": absolute_url(self.get_absolute_url()),
            "mainEntityOfPage": absolute_url(self.get_absolute_url()),
            "datePublished": self.publish_at.isoformat(),
            "dateModified": self.updated.isoformat(),
            "author": [
                {"@type": "Organization", "name": organisation.name, "url": organisation.website}
                for organisation in self.organisations.all()
            ],
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
            "keywords": [topic.name for topic in self.topics.all()],
        }
        if self.image:
            data["image"] = absolute_url(self.image.url)
        return data

    @property
    def is_live(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()
