"""Staff URLs of the plans app, mounted at /staff/plans/. Each view module owns its patterns."""

from sasaeai.plans.views import (
    cycles,
    department_workbook,
    evaluations,
    reviews,
    tree,
    workbook,
)

app_name = "plans"

urlpatterns = [
    *tree.urlpatterns,
    *cycles.urlpatterns,
    *reviews.urlpatterns,
    *evaluations.urlpatterns,
    *workbook.urlpatterns,
    *department_workbook.urlpatterns,
]
