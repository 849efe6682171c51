"""Staff report pages (build, 公表前の確認, publish, 用語解説): mounted at /staff/reports/.

The namespace stays ``reports`` (the app's label), so ``{% url 'reports:…' %}`` works everywhere.
"""

from django.urls import path

from sasaeai.publication.views import staff

app_name = "reports"

urlpatterns = [
    path("", staff.index, name="index"),
    path("cycles/<int:cycle_id>/", staff.cycle_page, name="cycle"),
    path("cycles/<int:cycle_id>/builds/", staff.build_start, name="build_start"),
    path("cycles/<int:cycle_id>/gate/", staff.gate, name="gate"),
    path("cycles/<int:cycle_id>/publish/", staff.publish, name="publish"),
    path("cycles/<int:cycle_id>/unpublish/", staff.unpublish, name="unpublish"),
    path("builds/<int:build_id>/", staff.build_progress, name="build_progress"),
    path("builds/<int:build_id>/download/", staff.build_download, name="build_download"),
    path("terms/", staff.term_list, name="term_list"),
    path("terms/new/", staff.term_create, name="term_create"),
    path("terms/<int:term_id>/edit/", staff.term_edit, name="term_edit"),
    path("terms/<int:term_id>/delete/", staff.term_delete, name="term_delete"),
]
