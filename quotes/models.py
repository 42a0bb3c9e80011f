from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import connection, models
from django.db.models import Prefetch, Q
from django.urls import reverse

from news.models import IMAGE_EXTENSIONS, Article
from taskforce.models import Organisation


class PersonQuerySet(models.QuerySet):
    def with_public_quotes(self):
        """People the public can read a quote from, each with those quotes in public_quotes."""
        public_quotes = Quote.objects.public()
        return (
            self.filter(quotes__in=public_quotes)
            .distinct()
            .select_related("organisation")
            .prefetch_related(
                Prefetch(
                    "quotes",
                    queryset=public_quotes.select_related("article"),
                    to_attr="public_quotes",
                )
            )
        )


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    role = models.CharField(
        "role or title",
        max_length=200,
        blank=True,
        help_text="Current role, e.g. ISO Secretary-General.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    photo = models.FileField(
        upload_to="people/", blank=True, validators=[FileExtensionValidator(IMAGE_EXTENSIONS)]
    )
    photo_alt = models.CharField(
        "photo alt text",
        max_length=250,
        blank=True,
        help_text="What the photo shows. Required with a photo.",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(photo="") | ~Q(photo_alt=""),
                name="quotes_person_photo_has_alt_text",
                violation_error_message="A photo needs alt text.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quotes:person", kwargs={"slug": self.slug})

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})


class QuoteQuerySet(models.QuerySet):
    def public(self):
        """Quotes on their own, or from an article the public can already read."""
        return self.filter(Q(article__isnull=True) | Q(article__in=Article.objects.published()))

    def featured(self):
        return self.filter(featured=True)

    def search(self, query):
        """Ranked full-text search on PostgreSQL; a plain substring match elsewhere."""
        if connection.vendor == "postgresql":
            vector = SearchVector("text", weight="A", config="english") + SearchVector(
                "person__name", weight="B", config="english"
            )
            search_query = SearchQuery(query, search_type="websearch", config="english")
            return (
                self.annotate(search=vector, rank=SearchRank(vector, search_query))
                .filter(search=search_query)
                .order_by("-rank", "order", "pk")
            )
        return self.filter(Q(text__icontains=query) | Q(person__name__icontains=query))


class Quote(models.Model):
    text = models.TextField(help_text="The words exactly as spoken, without quotation marks.")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quotes")
    speaker_role = models.CharField(
        "speaker's role when quoted",
        max_length=200,
        blank=True,
        help_text="Left blank, the person's current role is filled in.",
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The article the quote appeared in.",
    )
    featured = models.BooleanField(default=False, help_text="Shown on the home page.")
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["featured", "order"], name="quotes_quote_featured_idx")]

    def __str__(self):
        return f"{self.person}: “{self.text[:60]}”"

    def get_absolute_url(self):
        return f"{self.person.get_absolute_url()}#quote-{self.pk}"

    def clean(self):
        if not self.speaker_role and self.person_id:
            self.speaker_role = self.person.role
