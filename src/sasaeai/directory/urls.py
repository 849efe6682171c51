"""Staff directory pages (editing, stale entries): mounted at /staff/directory/."""

from django.urls import URLPattern, URLResolver

app_name = "directory"

urlpatterns: list[URLPattern | URLResolver] = []
