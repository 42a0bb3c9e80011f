from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"

    def ready(self):
        from taskforce.cache import register_time_boundary

        from .models import Article

        register_time_boundary(Article.objects.next_publication)
