"""Delivering digests: through an SMTP server, or as ``.eml`` files in a folder.

The server is ``KOERS_SMTP_URL``: ``smtp://host:587`` (STARTTLS, required — except to a
server on this machine, ``localhost``/``127.0.0.1``, where it is used when offered) or
``smtps://host:465`` (TLS from the start). The user name and password come from the URL or,
better, from ``KOERS_SMTP_USER`` and ``KOERS_SMTP_PASSWORD`` (kept with the other secrets).
Nothing is sent half: a message the server refuses stops the run with the reason.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kpilogic.errors import KoersError

SMTP_URL_ENV = "KOERS_SMTP_URL"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_TIMEOUT = 30.0


class MailError(KoersError):
    """A digest cannot be delivered: no server set, a bad address, the server said no."""

    key = "error.mail.failed"


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: host, port, TLS mode and the credentials (if any)."""

    host: str
    port: int
    tls: str  # "starttls" or "ssl"
    user: str | None = None
    password: str | None = None

    @property
    def loopback(self) -> bool:
        return self.host in _LOOPBACK


def smtp_server(url: str | None = None, env: Mapping[str, str] | None = None) -> SmtpServer:
    """The server of ``url`` (default ``$KOERS_SMTP_URL``).

    Raises:
        MailError: ``error.mail.no_server`` or ``error.mail.bad_url``.
    """
    env = os.environ if env is None else env
    url = url or env.get(SMTP_URL_ENV)
    if not url:
        raise MailError("error.mail.no_server", env=SMTP_URL_ENV)
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError("error.mail.bad_url")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError as exc:
        raise MailError("error.mail.bad_url") from exc
    user = unquote(parts.username) if parts.username else env.get("KOERS_SMTP_USER")
    password = unquote(parts.password) if parts.password else env.get("KOERS_SMTP_PASSWORD")
    tls = "ssl" if parts.scheme == "smtps" else "starttls"
    return SmtpServer(parts.hostname, port, tls, user or None, password or None)


def send(messages: Iterable[EmailMessage], server: SmtpServer) -> int:
    """Send ``messages`` over one connection; returns how many were sent.

    Raises:
        MailError: the server cannot be reached, refuses TLS, the login or a recipient.
    """
    context = ssl.create_default_context()
    sent = 0
    try:
        if server.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=_TIMEOUT, context=context
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=_TIMEOUT)
        with smtp:
            smtp.ehlo()
            if server.tls == "starttls":
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                elif not server.loopback:
                    raise MailError("error.mail.no_tls", host=server.host)
            if server.user:
                smtp.login(server.user, server.password or "")
            for message in messages:
                smtp.send_message(message)
                sent += 1
    except MailError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        detail = str(exc).replace(server.password, "***") if server.password else str(exc)
        raise MailError("error.mail.failed", host=server.host, detail=detail) from exc
    return sent


def write_eml(messages: Iterable[tuple[str, EmailMessage]], folder: Path) -> list[Path]:
    """Write each (file stem, message) as ``folder/<stem>.eml``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, message in messages:
        path = folder / f"{stem}.eml"
        path.write_bytes(message.as_bytes())
        paths.append(path)
    return paths
