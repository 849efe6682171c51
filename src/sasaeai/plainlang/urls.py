from django.urls import path

from sasaeai.plainlang import views

app_name = "plainlang"

urlpatterns = [
    path("", views.index, name="index"),
    path("check/", views.check, name="check"),
    path("glossary/new/", views.glossary_create, name="glossary_create"),
    path("glossary/<int:object_id>/edit/", views.glossary_edit, name="glossary_edit"),
    path("glossary/<int:object_id>/delete/", views.glossary_delete, name="glossary_delete"),
    path("expressions/new/", views.expression_create, name="expression_create"),
    path("expressions/<int:object_id>/edit/", views.expression_edit, name="expression_edit"),
    path("expressions/<int:object_id>/delete/", views.expression_delete, name="expression_delete"),
    path("allowlist/new/", views.allowlist_create, name="allowlist_create"),
    path("allowlist/<int:object_id>/edit/", views.allowlist_edit, name="allowlist_edit"),
    path("allowlist/<int:object_id>/delete/", views.allowlist_delete, name="allowlist_delete"),
    path("settings/", views.settings_edit, name="settings"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("export/<str:fmt>/", views.export, name="export"),
]
