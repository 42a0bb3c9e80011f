import re

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from modeltranslation.utils import build_localized_fieldname

from news.models import Article, live
from taskforce.images import (
    ImagePath,
    UploadedImageField,
    fallback_rendition,
    make_picture,
    rendition,
)
from taskforce.languages import (
    Translated,
    active_language,
    columns_in_each_language,
    in_default_language,
)
from taskforce.models import Organisation
from taskforce.search import SEARCH_VECTORS, SearchableManager, SearchableQuerySet, search_config

QUOTES_PER_PERSON_PREVIEW = 3
PREVIEW_PREFIX = "preview_quote_id_"


class PersonQuerySet(SearchableQuerySet):
    # An organisation's abbreviation in the active language or in English: UIT or ITU.
    search_fields = (
        "name",
        "role",
        "organisation__name",
        "organisation__short_name",
        f"organisation__{in_default_language('short_name')}",
    )
    search_order = ("name", "pk")

    def search_document(self):
        """Computed as it is searched: people are few, and a renamed organisation shows at once."""
        config, language = search_config(), active_language()
        short_names = dict.fromkeys(
            (build_localized_fieldname("short_name", language), in_default_language("short_name"))
        )
        return (
            SearchVector("name", weight="A", config=config)
            + SearchVector(build_localized_fieldname("role", language), weight="B", config=config)
            + SearchVector(
                f"organisation__{build_localized_fieldname('name', language)}",
                *(f"organisation__{column}" for column in short_names),
                weight="C",
                config=config,
            )
        )

    def with_public_quotes(self):
        """People the public can read a quote from."""
        return self.filter(Exists(Quote.objects.public().filter(person=OuterRef("pk"))))

    def with_quote_previews(self, count=QUOTES_PER_PERSON_PREVIEW):
        """
        People with public quotes, each with the ids of their first `count` public quotes
        and of one more, if any (preview_quote_ids): attach_quote_previews() then loads
        them in one query.

        The ids are read by index, a few per person, so a person with many quotes costs
        the same as one with few. PostgreSQL returns them as one array per person;
        elsewhere each id is its own scalar subquery.
        """
        person_quotes = Quote.objects.public().filter(person=OuterRef("pk")).for_person_page()
        people = self.with_public_quotes().select_related("organisation")
        if connection.vendor == "postgresql":
            ids = person_quotes.values("pk")[: count + 1]
            return people.annotate(preview_quote_ids=ArraySubquery(ids))
        quote_ids = {
            f"{PREVIEW_PREFIX}{n}": Subquery(person_quotes.values("pk")[n : n + 1])
            for n in range(count + 1)
        }
        return people.annotate(**quote_ids)


def preview_quote_ids(person, count=QUOTES_PER_PERSON_PREVIEW):
    """The ids with_quote_previews() found for `person`, in order, without gaps."""
    if hasattr(person, "preview_quote_ids"):
        return person.preview_quote_ids
    ids = (getattr(person, f"{PREVIEW_PREFIX}{n}") for n in range(count + 1))
    return [pk for pk in ids if pk is not None]


def attach_quote_previews(people, count=QUOTES_PER_PERSON_PREVIEW):
    """
    Give each of `people` (from with_quote_previews()) preview_quotes, their first
    `count` public quotes, and has_more_quotes, whether they have others.
    """
    ids = {person.pk: preview_quote_ids(person, count) for person in people}
    wanted = [pk for person_ids in ids.values() for pk in person_ids[:count]]
    quotes = Quote.objects.with_article_links().in_bulk(wanted) if wanted else {}
    for person in people:
        person.preview_quotes = [quotes[pk] for pk in ids[person.pk][:count] if pk in quotes]
        for quote in person.preview_quotes:
            quote.person = person
        person.has_more_quotes = len(ids[person.pk]) > count


class Person(Translated, models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    role = models.CharField(
        _("role or title"),
        max_length=200,
        blank=True,
        help_text=_("Current role, e.g. ISO Secretary-General."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    photo = UploadedImageField(
        _("photo"),
        upload_to=ImagePath("people"),
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        help_text=_(
            "A JPEG, PNG, WebP or GIF portrait. Pages show copies resized for each screen."
        ),
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField(
        _("photo alt text"),
        max_length=250,
        blank=True,
        help_text=_("What the photo shows. Required with a photo."),
    )
    # Renditions, made when the photo is saved (taskforce/images.py).
    photo_240 = ImageSpecField(source="photo", spec=rendition(240))
    photo_480 = ImageSpecField(source="photo", spec=rendition(480))
    photo_fallback = ImageSpecField(source="photo", spec=fallback_rendition(480))
    photo_thumbnail = ImageSpecField(source="photo", spec=rendition(160))

    objects = PersonQuerySet.as_manager()

    translation_key_field = "role"

    class Meta:
        ordering = ["name"]
        # /quotes/ pages people by name: read in order, it stops after a page of them.
        indexes = [models.Index(fields=["name"], name="person_name_idx")]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(photo="") | ~Q(photo_alt=""),
                name="quotes_person_photo_has_alt_text",
                violation_error_message=_("A photo needs alt text."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quotes:person", kwargs={"slug": self.slug})

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError(
                {"photo_alt": gettext("Describe the photo for people who cannot see it.")}
            )

    @property
    def picture(self):
        """The photo as pages show it: resized WebP copies and a JPEG or PNG fallback."""
        return make_picture(
            self.photo,
            width=self.photo_width,
            height=self.photo_height,
            renditions=[self.photo_240, self.photo_480],
            fallback=self.photo_fallback,
            alt=self.photo_alt,
        )


class QuoteQuerySet(SearchableQuerySet):
    """Searched by the stored search_vector (migration 0003): the words A, the speaker B."""

    search_fields = ("text", "person__name")
    search_order = ("order", "pk")

    def public(self):
        """
        Quotes on their own, or from an article the public can already read: each quote
        tested by its article's key, for pages that read a few quotes.
        """
        live_article = Article.objects.filter(live(), pk=OuterRef("article_id"))
        return self.filter(Q(article__isnull=True) | Exists(live_article))

    def public_in_bulk(self):
        """
        The quotes of public(), tested against the set of live articles read once (a
        hashed `IN`): for search, which tests every match, and where a test by key for
        each of thousands of matches costs more than the ranking itself.
        """
        live_articles = Article.objects.filter(live()).values("pk")
        return self.filter(Q(article__isnull=True) | Q(article__in=live_articles))

    def featured(self):
        return self.filter(featured=True)

    def with_article_links(self):
        """With the title and address of each quote's article, not the article's text."""
        return self.select_related("article").defer(
            *SEARCH_VECTORS,
            "article__summary",
            "article__body",
            *(f"article__{vector}" for vector in SEARCH_VECTORS),
        )

    def for_person_page(self):
        """The order a person's quotes appear in: as the editors numbered them, then newest."""
        return self.order_by("order", "-created", "-pk")

    def in_year(self, year):
        """Quotes from an article by the article's year; others by the year they were added."""
        return self.filter(
            Q(article__publish_at__year=year) | Q(article__isnull=True, created__year=year)
        )


QuoteManager = SearchableManager.from_queryset(QuoteQuerySet)


class Quote(Translated, models.Model):
    text = models.TextField(
        _("text"), help_text=_("The words exactly as spoken, without quotation marks.")
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="quotes"
    )
    speaker_role = models.CharField(
        _("speaker's role when quoted"),
        max_length=200,
        blank=True,
        help_text=_("Left blank, the person's current role is filled in."),
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        help_text=_("The article the quote appeared in."),
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown on the home page.")
    )
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Lower numbers come first.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Filled by database triggers on PostgreSQL from the text, in English and in French,
    # and the speaker's name; unused elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)
    search_vector_fr = SearchVectorField(null=True, editable=False)

    objects = QuoteManager()

    translation_key_field = "text"

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["order", "pk"]
        indexes = [
            models.Index(fields=["featured", "order"], name="quotes_quote_featured_idx"),
            # A person's quotes in the order their page shows them (for_person_page).
            models.Index(
                fields=["person", "order", "-created", "-id"], name="quotes_quote_person_page_idx"
            ),
        ]

    def __str__(self):
        return f"{self.person}: “{self.text[:60]}”"

    def get_absolute_url(self):
        return f"{self.person.get_absolute_url()}#quote-{self.pk}"

    @property
    def speaker_organisation(self):
        """
        The short name of the speaker's organisation, to follow their role, unless the
        role already names it ("ISO Secretary-General", "Directeur du Bureau … de l'UIT").
        """
        organisation = self.person.organisation
        if organisation is None:
            return ""
        named = re.search(rf"\b{re.escape(organisation.short_name)}\b", self.speaker_role)
        return "" if named else organisation.short_name

    def clean(self):
        if self.person_id:
            for field in columns_in_each_language("speaker_role"):
                if not getattr(self, field):
                    setattr(self, field, getattr(self.person, field.replace("speaker_", "")))
