"""Staff report pages (build, gate, publish): mounted at /staff/reports/."""

from django.urls import URLPattern, URLResolver

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = []
