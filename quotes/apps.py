from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = _("Quotes")

    def ready(self):
        import reversion

        from taskforce.images import track_image_files
        from taskforce.search import SEARCH_VECTORS

        from .models import Person, Quote

        reversion.register(Person)
        reversion.register(Quote, exclude=list(SEARCH_VECTORS))
        track_image_files(Person, "photo")
