from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    """Everything residents see of the plan. The label stays ``reports`` (the app's first name),
    so existing tables (``reports_*``) and migration records need nothing (decision 0012)."""

    name = "sasaeai.publication"
    label = "reports"
    verbose_name = _("公表（進み具合のページと推進状況報告書）")
