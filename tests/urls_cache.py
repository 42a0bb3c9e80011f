from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from taskforce.urls import urlpatterns as site_urlpatterns


def form_with_token(request):
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


urlpatterns = [path("form/", form_with_token), *site_urlpatterns]


def greeting(request):
    """Reads ?name= without declaring it in page_cache_query_params."""
    return HttpResponse(f"Hello {request.GET.get('name', '')}")


urlpatterns.insert(0, path("greeting/", greeting))
