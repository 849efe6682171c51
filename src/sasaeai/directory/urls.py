"""Staff directory pages (editing, stale entries, booklets): mounted at /staff/directory/."""

from django.urls import URLPattern, URLResolver

from sasaeai.directory import views_staff

app_name = "directory"

urlpatterns: list[URLPattern | URLResolver] = [*views_staff.urlpatterns]
