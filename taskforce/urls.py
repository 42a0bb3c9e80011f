from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.i18n import set_language

from events.sitemaps import EventSitemap
from news.sitemaps import ArticleSitemap, TopicSitemap
from quotes.sitemaps import PersonSitemap

from . import views
from .cache import page_cache_query_params
from .languages import same_in_every_language
from .sitemaps import OrganisationSitemap, PageSitemap

handler500 = "taskforce.outages.server_error"

sitemaps = {
    "pages": PageSitemap,
    "events": EventSitemap,
    "news": ArticleSitemap,
    "topics": TopicSitemap,
    "people": PersonSitemap,
    "organisations": OrganisationSitemap,
}

urlpatterns = [
    # The same in every language: never marked with, or varying on, the visitor's.
    path("robots.txt", same_in_every_language(views.RobotsView.as_view()), name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # An index of sections, each a page of at most SITEMAP_PAGE_SIZE addresses (?p=2, ...).
    path(
        "sitemap.xml",
        same_in_every_language(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        same_in_every_language(page_cache_query_params("p")(sitemap_views.sitemap)),
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    # The admin's language switch: a cookie that only /admin/ reads (LANGUAGE_COOKIE_PATH).
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# Public pages, in each language under its prefix: /en/news/, /fr/news/. An address
# without one (an old link) is redirected to the visitor's language by LocaleMiddleware.
urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisations"),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation",
    ),
    path("", include("news.urls")),
    path("", include("quotes.urls")),
    path("", include("events.urls")),
    path("", include("search.urls")),
)

if settings.MEDIA_URL.startswith("/"):  # media on this host's disk, not in object storage
    urlpatterns.append(path(f"{settings.MEDIA_URL[1:]}<path:path>", views.media, name="media"))
