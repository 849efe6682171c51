from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sasaeai.web"
    label = "web"
    verbose_name = "画面"
