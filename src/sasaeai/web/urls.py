from django.urls import path

from sasaeai.core import converters  # noqa: F401  (registers <lgcode:…>)
from sasaeai.web.views import public, staff

app_name = "web"

urlpatterns = [
    path("", public.home, name="home"),
    path("m/<lgcode:code>/", public.municipality_home, name="municipality"),
    path("staff/", staff.dashboard, name="dashboard"),
    path("staff/organisation/", staff.organisation, name="organisation"),
    path("staff/organisation/<slug:code>/rename/", staff.unit_rename, name="unit_rename"),
    path("staff/audit/", staff.audit_log, name="audit_log"),
]
