"""Public directory search and detail pages, no login: mounted at /m/<code>/directory/."""

from django.urls import URLPattern, URLResolver, path

from sasaeai.directory.views import public

app_name = "directory_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public.search_page, name="search"),
    path("services/<uuid:service_id>/", public.service_page, name="service"),
]
