"""Public report downloads and the Atom feed, no login: mounted at /m/<code>/reports/."""

from django.urls import URLPattern, URLResolver

app_name = "reports_public"

urlpatterns: list[URLPattern | URLResolver] = []
