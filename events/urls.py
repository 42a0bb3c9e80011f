from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.UpcomingEventListView.as_view(), name="upcoming"),
    path("events/past/", views.PastEventListView.as_view(), name="past"),
    path("events/calendar.ics", views.UpcomingCalendarView.as_view(), name="calendar"),
    path("events/manage/<str:token>/", views.ManageRegistrationView.as_view(), name="manage"),
    path(
        "events/manage/<str:token>/cancel/",
        views.CancelRegistrationView.as_view(),
        name="cancel",
    ),
    path("events/manage/<str:token>/erase/", views.EraseRegistrationView.as_view(), name="erase"),
    path("events/manage/<str:token>/data.json", views.RegistrationDataView.as_view(), name="data"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("events/<slug:slug>/register/", views.RegisterView.as_view(), name="register"),
    path(
        "events/<slug:slug>/registered/<str:result>/",
        views.RegistrationResultView.as_view(),
        name="result",
    ),
    path(
        "events/<slug:slug>/calendar.ics", views.EventCalendarView.as_view(), name="event_calendar"
    ),
]
