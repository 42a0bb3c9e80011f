from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .languages import Translated, TranslatedQuerySet, in_each_language


class OrganisationQuerySet(TranslatedQuerySet):
    def founding(self):
        """The standards bodies that formed the Task Force."""
        return self.filter(founded_the_task_force=True)


class OrganisationManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Organisation(Translated, models.Model):
    """A standards body (ITU, ISO, IEC) or a body they form together (WSC)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=30, unique=True, help_text=_("E.g. ITU, ISO, IEC.")
    )
    slug = models.SlugField(_("slug"), unique=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the body is, in a sentence or two: the first thing its page says."),
    )
    founded_the_task_force = models.BooleanField(
        _("founded the Task Force"),
        default=False,
        help_text=_(
            "One of the bodies that formed the Task Force: named as such to search "
            "engines on the home and about pages."
        ),
    )

    objects = OrganisationManager()

    # Only pages that load the organisation's row show these (taskforce/cache.py).
    page_cache_shown_fields = (*in_each_language("description"), "website")

    translation_key_field = "name"

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        # By the English abbreviation in every language: a French one may be blank.
        ordering = ["short_name_en"]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return reverse("organisation", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    def structured_data(self, *, absolute_url):
        """schema.org Organization; its own website is its url, its page here its @id."""
        data = {
            "@type": "Organization",
            "@id": absolute_url(self.get_absolute_url()),
            "name": self.name,
            "alternateName": self.short_name,
            "url": self.website or absolute_url(self.get_absolute_url()),
        }
        if self.description:
            data["description"] = self.description
        return data
