from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "quotes"

    def ready(self):
        import reversion

        from taskforce.images import track_image_files
        from taskforce.search import SEARCH_VECTORS

        from .models import Person, Quote

        reversion.register(Person)
        reversion.register(Quote, exclude=list(SEARCH_VECTORS))
        track_image_files(Person, "photo")
