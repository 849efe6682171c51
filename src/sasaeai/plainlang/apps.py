from django.apps import AppConfig


class PlainlangConfig(AppConfig):
    name = "sasaeai.plainlang"
    label = "plainlang"
    verbose_name = "わかりやすさチェック"
