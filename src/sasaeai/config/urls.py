"""URL wiring. Public pages are listed in tests/test_url_access.py; everything else needs login."""

from django.contrib import admin
from django.urls import include, path

from sasaeai.config.api import api
from sasaeai.core import converters  # noqa: F401  (registers <lgcode:…>)
from sasaeai.publication import public_urls as publication

urlpatterns = [
    path("", include("sasaeai.web.urls")),
    path("accounts/", include("sasaeai.accounts.urls")),
    path("staff/plainlang/", include("sasaeai.plainlang.urls")),
    path("staff/plans/", include("sasaeai.plans.urls")),
    path("staff/reports/", include("sasaeai.publication.urls")),
    path("staff/directory/", include("sasaeai.directory.urls")),
    path("m/<lgcode:code>/plan/", include(publication.plan_pages)),
    path("m/<lgcode:code>/reports/", include(publication.report_pages)),
    path("m/<lgcode:code>/directory/", include("sasaeai.directory.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = "sasaeai.web.views.public.error_400"
handler403 = "sasaeai.web.views.public.error_403"
handler404 = "sasaeai.web.views.public.error_404"
handler500 = "sasaeai.web.views.public.error_500"
