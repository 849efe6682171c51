from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlainlangConfig(AppConfig):
    name = "sasaeai.plainlang"
    label = "plainlang"
    verbose_name = _("わかりやすさチェック")
