"""Public directory search and detail pages, no login: mounted at /m/<code>/directory/."""

from django.urls import URLPattern, URLResolver

app_name = "directory_public"

urlpatterns: list[URLPattern | URLResolver] = []
