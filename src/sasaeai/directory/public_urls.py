"""Public directory search and detail pages, no login: mounted at /m/<code>/directory/."""

from django.urls import URLPattern, URLResolver, path

from sasaeai.directory import views_public

app_name = "directory_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_public.search_page, name="search"),
    path("services/<uuid:service_id>/", views_public.service_page, name="service"),
]
