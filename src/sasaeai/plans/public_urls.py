"""Public plan progress pages, no login: mounted at /m/<code>/plan/."""

from django.urls import URLPattern, URLResolver

app_name = "plans_public"

urlpatterns: list[URLPattern | URLResolver] = []
