from django.urls import path

from . import views

app_name = "quotes"

urlpatterns = [
    path("quotes/", views.QuoteListView.as_view(), name="list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
]
