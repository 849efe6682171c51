"""Staff directory pages (editing, stale entries, booklets, imports): mounted at /staff/directory/."""

from django.urls import URLPattern, URLResolver, path

from sasaeai.directory.views import staff

app_name = "directory"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff.entry_list, name="list"),
    path("services/new/", staff.service_new, name="service_new"),
    path("services/<str:service_id>/", staff.service_edit, name="service_edit"),
    path("services/<str:service_id>/confirm/", staff.service_confirm, name="service_confirm"),
    path("services/<str:service_id>/status/", staff.service_status, name="service_status"),
    path("services/<str:service_id>/delete/", staff.service_delete, name="service_delete"),
    path("services/<str:service_id>/history/", staff.service_history, name="service_history"),
    path(
        "organizations/<str:organization_id>/",
        staff.organization_edit,
        name="organization_edit",
    ),
    path("stale/", staff.stale_list, name="stale"),
    path("booklet/", staff.booklet_download, name="booklet"),
    path("import/", staff.import_upload, name="import"),
    path("import/<str:job_id>/", staff.import_job, name="import_job"),
    path("import/<str:job_id>/progress/", staff.import_job_progress, name="import_job_progress"),
    path("import/<str:job_id>/apply/", staff.import_job_apply, name="import_job_apply"),
]
