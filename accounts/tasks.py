"""Thin Celery tasks of accounts: the password-reset e-mail, sent by a worker.

The request that asks for a reset only enqueues this, whatever the address: an answer that
waited for a mail server when the account exists, and not otherwise, would tell a stranger
which addresses have accounts.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from accounts import services


@shared_task(
    name="accounts.password_reset_mail",
    ignore_result=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=30,
    max_retries=5,
)
def password_reset_mail(email: str) -> bool:
    """E-mail a reset link to the account of ``email``, if there is one; a mail server that is
    down is tried again, for about half an hour."""
    return services.password_reset_mail(email=email)
