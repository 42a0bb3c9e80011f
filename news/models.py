import secrets

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Exists, F, Min, OuterRef, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from taskforce.cache import bump_content_version
from taskforce.images import Illustrated, UploadedImageField
from taskforce.languages import (
    Translated,
    TranslatedQuerySet,
    in_each_language,
)
from taskforce.models import Organisation
from taskforce.search import SEARCH_VECTORS, SearchableManager, SearchableQuerySet

from .sanitize import sanitize_html

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


class TopicQuerySet(TranslatedQuerySet):
    def with_live_articles(self):
        """Topics with at least one article the public can read."""
        return self.filter(Exists(Article.objects.published().filter(topics=OuterRef("pk"))))


class Topic(Translated, models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)

    objects = TopicQuerySet.as_manager()

    translation_key_field = "name"

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


class ArticleQuerySet(SearchableQuerySet):
    """Searched by the stored search_vector (migration 0002): title A, summary B, body C."""

    search_fields = ("title", "summary", "body")
    search_order = ("-publish_at", "-pk")

    def published(self):
        """Published and due: a future publish time stays hidden until it passes."""
        return self.filter(live())

    def for_lists(self):
        """Without the body, which lists and feeds do not show: it is most of a row."""
        return self.defer("body")

    def about(self, organisation):
        """Articles that name `organisation` or quote one of its people."""
        named = Article.organisations.through.objects.filter(
            article=OuterRef("pk"), organisation=organisation
        )
        quote_model = Article._meta.get_field("quotes").related_model
        quoting = quote_model.objects.filter(
            article=OuterRef("pk"), person__organisation=organisation
        )
        return self.filter(Exists(named) | Exists(quoting))

    def with_topic_list(self):
        """Topics in one query for all the articles, as plain lists (topic_list): cheap to read."""
        return self.prefetch_related(Prefetch("topics", to_attr="topic_list"))

    def in_year(self, year):
        return self.filter(publish_at__year=year)

    def next_publication(self, now):
        """When the next scheduled article falls due, or None."""
        scheduled = self.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        return scheduled.aggregate(moment=Min("publish_at"))["moment"]

    def publish(self):
        """
        Publish the drafts among these articles. One whose publish time has passed
        appears now, not backdated to when its draft was started; a future time
        still schedules it.
        """
        now = timezone.now().replace(microsecond=0)  # as a publish time typed in the admin
        changed = self.filter(status=Article.Status.DRAFT).update(
            status=Article.Status.PUBLISHED,
            publish_at=Case(When(publish_at__lt=now, then=Value(now)), default=F("publish_at")),
            updated=now,
        )
        bump_content_version()  # update() sends no save signals
        return changed

    def unpublish(self):
        changed = self.filter(status=Article.Status.PUBLISHED).update(
            status=Article.Status.DRAFT, updated=timezone.now()
        )
        bump_content_version()
        return changed


ArticleManager = SearchableManager.from_queryset(ArticleQuerySet)


class ArticleContent(Translated, Illustrated):
    """
    What an article says and shows. The live article and its draft changes both have
    it, so a draft is previewed and published field for field.
    """

    title = models.CharField(max_length=200)
    summary = models.TextField(
        max_length=500, help_text="The standfirst: one or two sentences shown in lists and feeds."
    )
    body = ProseEditorField(
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=sanitize_html,
        help_text="Headings, lists, links and emphasis; anything else is removed on save.",
    )

    # Changes to these alone add or remove the article from no list (taskforce/cache.py);
    # search reads the text, and is renewed by them.
    page_cache_shown_fields = (
        *in_each_language("title", "summary", "body", "image_alt"),
        *("image", "updated"),
        *SEARCH_VECTORS,
    )

    class Meta(Illustrated.Meta):
        abstract = True

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Stored HTML is always safe, however it arrives (admin, shell, import).
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)


class Article(ArticleContent):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        default=timezone.now,
        help_text="A future time schedules the article: it appears on the site at that time.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="articles")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Filled by database triggers on PostgreSQL from the title, summary and body in
    # English and in French; unused elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)
    search_vector_fr = SearchVectorField(null=True, editable=False)

    objects = ArticleManager()

    class Meta(ArticleContent.Meta):
        ordering = ["-publish_at", "-pk"]
        indexes = [
            # Lists read it in their order; search tests every matching quote against the
            # live articles' keys read from it alone (an index-only scan).
            models.Index(fields=["status", "-publish_at", "-id"], name="news_article_live_idx"),
        ]

    def get_absolute_url(self):
        return reverse("news:article", kwargs={"slug": self.slug})

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
        picture = self.picture
        if picture:
            data["image"] = absolute_url(picture.fallback_url)
        return data

    @property
    def is_live(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def pending_draft(self):
        """The draft changes waiting to be published, or None."""
        try:
            return self.draft
        except ArticleDraft.DoesNotExist:
            return None


class ArticleDraftQuerySet(models.QuerySet):
    def due(self, now=None):
        """Scheduled changes whose time has come."""
        return self.filter(publish_at__lte=now or timezone.now())


class ArticleDraft(ArticleContent):
    """
    Changes to a published article, kept aside: the public page shows the article as it
    was until they are published, by an editor or at `publish_at`.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="draft")
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")
    publish_at = models.DateTimeField(
        "publish the changes at",
        null=True,
        blank=True,
        help_text="Blank: they wait until an editor publishes them.",
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now=True)

    objects = ArticleDraftQuerySet.as_manager()

    # Nobody sees draft changes but staff: saving them leaves the page cache alone.
    changes_public_pages = False
    # The draft's own fields, which say nothing about the article's content.
    BOOKKEEPING = {"id", "article", "publish_at", "saved_by", "saved_at"}

    class Meta(ArticleContent.Meta):
        verbose_name = "draft changes"
        verbose_name_plural = "draft changes"

    @classmethod
    def content_fields(cls):
        """Every field of the content, whatever fields are added to both models later."""
        return [field for field in cls._meta.concrete_fields if field.name not in cls.BOOKKEEPING]

    @classmethod
    def save_changes(cls, *, article, topics, organisations, publish_at=None, user=None):
        """
        Keep `article` as edited (an unsaved instance) as its draft changes; the article's
        row is left as it is.
        """
        draft = cls.objects.filter(article_id=article.pk).first() or cls(article_id=article.pk)
        copy_content(source=article, target=draft)
        draft.publish_at = publish_at
        draft.saved_by = user
        draft.full_clean(exclude=["article", "saved_by"])
        draft.save()
        draft.topics.set(topics)
        draft.organisations.set(organisations)
        return draft

    def as_article(self):
        """The article as it will read once these changes are published (not saved)."""
        live = self.article
        deferred = live.get_deferred_fields()
        fields = [field for field in Article._meta.concrete_fields if field.attname not in deferred]
        content = {field.attname for field in self.content_fields()}
        values = [
            getattr(self if field.attname in content else live, field.attname) for field in fields
        ]
        article = Article.from_db(live._state.db, [field.attname for field in fields], values)
        article._prefetched_objects_cache = {
            "topics": self.topics.all(),
            "organisations": self.organisations.all(),
        }
        return article

    def publish(self, *, user=None):
        """Apply the changes to the article, keep a version of it, and forget the draft."""
        with transaction.atomic(), reversion.create_revision():
            article = Article.objects.select_for_update().get(pk=self.article_id)
            copy_content(source=self, target=article)
            article.save()
            article.topics.set(self.topics.all())
            article.organisations.set(self.organisations.all())
            self.delete()
            reversion.set_user(user or self.saved_by)
            reversion.set_comment(
                "Published the draft changes at their scheduled time."
                if user is None
                else "Published the draft changes."
            )
        return article


def copy_content(*, source, target):
    """Copy the content fields from one article or draft to another (in memory)."""
    for field in ArticleDraft.content_fields():
        value = getattr(source, field.attname)
        if isinstance(field, UploadedImageField):
            if getattr(target, field.attname).name == value.name and value._committed:
                continue  # the same stored file: reading its size again would fetch it
            value = value if not value._committed else value.name
        setattr(target, field.attname, value)


def new_embargo_token():
    return secrets.token_urlsafe(32)


class EmbargoLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class EmbargoLink(models.Model):
    """
    A private address that shows an unpublished or scheduled article to one named
    person (a journalist under embargo) until it expires or is revoked.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="embargo_links")
    recipient = models.CharField(
        max_length=200, help_text="Who the link is for, e.g. “Jane Doe, Daily Planet”."
    )
    expires_at = models.DateTimeField(
        "expires at", help_text="After this time the link shows only that it has expired."
    )
    token = models.CharField(max_length=64, unique=True, editable=False, default=new_embargo_token)
    revoked_at = models.DateTimeField("revoked at", null=True, blank=True, editable=False)
    open_count = models.PositiveIntegerField("times opened", default=0, editable=False)
    last_opened_at = models.DateTimeField("last opened", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = EmbargoLinkQuerySet.as_manager()

    changes_public_pages = False

    class Meta:
        ordering = ["-created"]
        verbose_name = "embargo link"

    def __str__(self):
        return f"{self.recipient}: {self.article}"

    def get_absolute_url(self):
        return reverse("news:embargo", kwargs={"token": self.token})

    @property
    def address(self):
        return settings.SITE_URL.rstrip("/") + self.get_absolute_url()

    def clean(self):
        if self.article_id and self._state.adding and self.article.is_live:
            raise ValidationError(
                "This article is already public: share its address instead of an embargo link."
            )
        if self.expires_at and self._state.adding and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": "Choose a time in the future."})

    def state(self, now=None):
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.article.is_live:
            return "published"
        if self.expires_at <= now:
            return "expired"
        return "active"

    def record_opening(self, now=None):
        """Count one more opening, in the database, however many open it at once."""
        now = now or timezone.now()
        EmbargoLink.objects.filter(pk=self.pk).update(
            open_count=F("open_count") + 1, last_opened_at=now
        )
