from django.db import models


class OrganisationManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Organisation(models.Model):
    """A standards body (ITU, ISO, IEC) or a body they form together (WSC)."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, unique=True, help_text="E.g. ITU, ISO, IEC.")
    slug = models.SlugField(unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)

    objects = OrganisationManager()

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def natural_key(self):
        return (self.slug,)
