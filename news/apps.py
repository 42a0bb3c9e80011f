from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("News")

    def ready(self):
        import reversion

        from taskforce.cache import register_time_boundary
        from taskforce.images import track_image_files
        from taskforce.search import SEARCH_VECTORS

        from .models import Article, ArticleDraft, Topic

        register_time_boundary(Article.objects.next_publication)
        # Every save in a revision (the admin, publishing draft changes) keeps a version.
        # The search vector is the database's own, rebuilt from the text.
        reversion.register(Article, exclude=list(SEARCH_VECTORS))
        reversion.register(Topic)
        track_image_files(Article, "image")
        track_image_files(ArticleDraft, "image")
