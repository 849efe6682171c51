"""Staff pages of the plain-language checker (settings, import and export, the check page):
mounted at /staff/plainlang/. The checker has no public page."""

from django.urls import path

from sasaeai.plainlang.views import staff

app_name = "plainlang"

urlpatterns = [
    path("", staff.index, name="index"),
    path("check/", staff.check, name="check"),
    path("glossary/new/", staff.glossary_create, name="glossary_create"),
    path("glossary/<int:object_id>/edit/", staff.glossary_edit, name="glossary_edit"),
    path("glossary/<int:object_id>/delete/", staff.glossary_delete, name="glossary_delete"),
    path("expressions/new/", staff.expression_create, name="expression_create"),
    path("expressions/<int:object_id>/edit/", staff.expression_edit, name="expression_edit"),
    path("expressions/<int:object_id>/delete/", staff.expression_delete, name="expression_delete"),
    path("allowlist/new/", staff.allowlist_create, name="allowlist_create"),
    path("allowlist/<int:object_id>/edit/", staff.allowlist_edit, name="allowlist_edit"),
    path("allowlist/<int:object_id>/delete/", staff.allowlist_delete, name="allowlist_delete"),
    path("settings/", staff.settings_edit, name="settings"),
    path("import/", staff.import_upload, name="import_upload"),
    path("import/confirm/", staff.import_confirm, name="import_confirm"),
    path("export/<str:fmt>/", staff.export, name="export"),
]
