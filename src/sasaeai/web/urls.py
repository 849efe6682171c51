from django.urls import path

from sasaeai.core import converters  # noqa: F401  (registers <lgcode:…>)
from sasaeai.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("m/<lgcode:code>/", views.municipality_home, name="municipality"),
    path("staff/", views.dashboard, name="dashboard"),
    path("staff/organisation/", views.organisation, name="organisation"),
    path("staff/organisation/<slug:code>/rename/", views.unit_rename, name="unit_rename"),
    path("staff/audit/", views.audit_log, name="audit_log"),
]
