from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and care links"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import auth

        # Every failed log-in, at any door, counts toward its account's bound; every full
        # sign-in lets its address through that bound (accounts/auth.py).
        user_login_failed.connect(auth.on_log_in_failed, dispatch_uid="accounts.auth.failed")
        user_logged_in.connect(auth.on_logged_in, dispatch_uid="accounts.auth.logged_in")
