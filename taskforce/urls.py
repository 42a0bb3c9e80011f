from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from events.sitemaps import EventSitemap
from news.sitemaps import ArticleSitemap, TopicSitemap
from quotes.sitemaps import PersonSitemap

from . import views
from .sitemaps import PageSitemap

sitemaps = {
    "pages": PageSitemap,
    "events": EventSitemap,
    "news": ArticleSitemap,
    "topics": TopicSitemap,
    "people": PersonSitemap,
}

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("admin/", admin.site.urls),
    path("", include("news.urls")),
    path("", include("quotes.urls")),
    path("", include("events.urls")),
]
