"""Staff URLs of the plans app, mounted at /staff/plans/. Each view module owns its patterns."""

from sasaeai.plans.views import cycle, department_workbook, tree, workbook

app_name = "plans"

urlpatterns = [
    *tree.urlpatterns,
    *cycle.urlpatterns,
    *workbook.urlpatterns,
    *department_workbook.urlpatterns,
]
