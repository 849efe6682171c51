"""Public report list and downloads, no login: mounted at /m/<code>/reports/."""

from sasaeai.reports.public_views import urlpatterns

app_name = "reports_public"

__all__ = ["app_name", "urlpatterns"]
