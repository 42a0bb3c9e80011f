from django.urls import path

from taskforce.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret detail")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
