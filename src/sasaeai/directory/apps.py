from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "sasaeai.directory"
    label = "directory"
    verbose_name = _("地域資源情報")
