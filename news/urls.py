from django.urls import path

from . import feeds, views

app_name = "news"

urlpatterns = [
    path("news/", views.ArticleListView.as_view(), name="list"),
    path("news/feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("news/feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("news/topics/", views.TopicListView.as_view(), name="topics"),
    path("news/topics/<slug:slug>/", views.TopicArticleListView.as_view(), name="topic"),
    path("news/topics/<slug:slug>/feed/", feeds.TopicArticlesFeed(), name="topic-feed"),
    path(
        "news/topics/<slug:slug>/feed/atom/",
        feeds.TopicArticlesAtomFeed(),
        name="topic-feed-atom",
    ),
    path("news/embargo/<str:token>/", views.embargo, name="embargo"),
    path("news/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
]
