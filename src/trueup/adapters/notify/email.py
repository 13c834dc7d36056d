"""Alert digests by e-mail (SMTP, STARTTLS or SMTPS when configured); failures become TransientError."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from trueup.domain.errors import TransientError


class SmtpNotifier:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        *,
        security: str = "starttls",  # "starttls", "ssl" or "none" (a relay on the same host)
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender, self._recipients = host, port, sender, list(recipients)
        self._security, self._username, self._password, self._timeout = security, username, password, timeout

    def _connect(self) -> smtplib.SMTP:
        if self._security == "ssl":
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=ssl.create_default_context())
        connection = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        if self._security == "starttls":
            connection.starttls(context=ssl.create_default_context())
        return connection

    def send(self, subject: str, lines: Sequence[str]) -> None:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = subject, self._sender, ", ".join(self._recipients)
        message.set_content("\n".join(lines) + "\n")
        try:
            with self._connect() as connection:
                if self._username and self._password:
                    connection.login(self._username, self._password)
                connection.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            # The error names the server, never the password or the message's content.
            raise TransientError(
                f"cannot send alert e-mail via {self._host}:{self._port}: {type(error).__name__}"
            ) from error
