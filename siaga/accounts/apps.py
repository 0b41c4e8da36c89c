from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "siaga.accounts"
    verbose_name = "Accounts"
