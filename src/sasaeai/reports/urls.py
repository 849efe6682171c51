"""Staff report pages (build, gate, publish, 用語解説): mounted at /staff/reports/."""

from sasaeai.reports.views import urlpatterns

app_name = "reports"

__all__ = ["app_name", "urlpatterns"]
