"""Send a written report by e-mail: the HTML as the message body, the .xlsx attached.

One message goes to every recipient (``multipart/mixed``: a short plain-text
alternative, the report's HTML, and the workbook with its own file name and the
.xlsx MIME type), over SMTP with the standard library only:

- the mail server is ``HOST:PORT``; port 465 is TLS from the first byte, any
  other port must offer STARTTLS, except a loopback host (127.0.0.0/8, ::1,
  ``localhost``), where the message never leaves the computer;
- a server that offers no encryption is refused before the sign-in and before
  anything is sent;
- the sign-in comes from ``SHEETKIT_SMTP_USER`` / ``SHEETKIT_SMTP_PASSWORD``
  (:func:`smtp_credentials`); neither value is ever printed, logged or put in
  an error message;
- every recipient must be accepted before the message is handed over, so a
  typo in one address sends nothing rather than a part;
- every failure is one :class:`~sheetkit.errors.MailError` a manager can act
  on; addresses are checked up front (:class:`~sheetkit.errors.UsageError`);
- the log names the server and the number of recipients, never an address.

>>> requires_tls("smtp.example.com"), requires_tls("127.0.0.1"), requires_tls("localhost")
(True, False, False)
>>> str(parse_smtp("[::1]:1025"))
'[::1]:1025'
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import quopri
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final

from sheetkit.errors import MailError, UsageError
from sheetkit.report.content import report_labels

__all__ = [
    "SMTP_PASSWORD_ENV",
    "SMTP_USER_ENV",
    "XLSX_MIME_TYPE",
    "SmtpCredentials",
    "SmtpServer",
    "check_address",
    "check_mail",
    "parse_smtp",
    "requires_tls",
    "send_report",
    "smtp_credentials",
]

SMTP_USER_ENV: Final = "SHEETKIT_SMTP_USER"
SMTP_PASSWORD_ENV: Final = "SHEETKIT_SMTP_PASSWORD"  # noqa: S105 - the name of the variable, not a password
XLSX_MIME_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The port of SMTP over TLS from the first byte (RFC 8314); every other port uses STARTTLS.
IMPLICIT_TLS_PORT: Final = 465
#: 7-bit transfer encodings only, so the message passes servers without 8BITMIME unchanged; the parts keep
#: the files' own line ends (``\n``) and only the message on the wire uses CRLF (:data:`WIRE`).
POLICY: Final = default_policy.clone(cte_type="7bit")
WIRE: Final = POLICY.clone(linesep="\r\n")

log = logging.getLogger(__name__)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_ADDR_SPEC = re.compile(
    rf"[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+)*@{_LABEL}(?:\.{_LABEL})*"
)
_NAMED = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]+)>")
#: The part of an address before the @, wherever a server's reply quotes one.
_LOCAL_PART = re.compile(r"[^\s<>@\"'():;,]+@")


@dataclass(frozen=True)
class SmtpServer:
    """A mail server's host and port, as given in ``HOST:PORT``."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SmtpCredentials:
    """The SMTP sign-in. Its repr shows neither value, so it cannot leak into a log or a traceback."""

    user: str = field(repr=False)
    password: str = field(repr=False)


def parse_smtp(value: str) -> SmtpServer:
    """Read ``HOST:PORT`` (an IPv6 address in brackets: ``[::1]:25``); raise UsageError if it is not one."""
    text = value.strip()
    host, colon, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        valid_host = _is_ip(host) and ":" in host
    else:
        valid_host = ":" not in host and (_is_ip(host) or _HOST_NAME.fullmatch(host) is not None)
    if not (colon and valid_host and port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise UsageError(
            f"{value!r} is not a mail server as HOST:PORT, like smtp.example.com:587 "
            "(587 for STARTTLS, 465 for TLS, [::1]:25 for an IPv6 address)"
        )
    return SmtpServer(host.rstrip(".").lower(), int(port))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def requires_tls(host: str) -> bool:
    """Whether mail to ``host`` must be encrypted: always, except to this computer (127.0.0.0/8, ::1, localhost).

    The decision is made on the name as given, never on what it resolves to.
    """
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return False
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_loopback


def smtp_credentials(environ: Mapping[str, str] | None = None) -> SmtpCredentials | None:
    """The SMTP sign-in from ``SHEETKIT_SMTP_USER`` and ``SHEETKIT_SMTP_PASSWORD``; None when neither is set."""
    env = os.environ if environ is None else environ
    user, password = env.get(SMTP_USER_ENV, ""), env.get(SMTP_PASSWORD_ENV, "")
    if not user and not password:
        return None
    if not user or not password:
        have, lack = (SMTP_USER_ENV, SMTP_PASSWORD_ENV) if user else (SMTP_PASSWORD_ENV, SMTP_USER_ENV)
        raise UsageError(f"{have} is set but {lack} is not: set both to sign in to the mail server, or neither")
    return SmtpCredentials(user, password)


def check_address(value: str) -> Address:
    """An e-mail address, bare (``anna@example.com``) or named (``Anna Rossi <anna@example.com>``).

    Raise UsageError for anything else, including more than one address in one
    string and line breaks (header injection).
    """
    text = value.strip()
    named = _NAMED.fullmatch(text)
    name, addr = (named["name"].strip().strip('"').strip(), named["addr"].strip()) if named else ("", text)
    if any(c in text for c in "\r\n\0") or _ADDR_SPEC.fullmatch(addr) is None or '"' in name:
        raise UsageError(f"{value!r} is not an e-mail address like manager@example.com")
    return Address(display_name=name, addr_spec=addr)


def send_report(
    *,
    html: Path | str,
    xlsx: Path | str,
    to: Sequence[str],
    smtp: str,
    subject: str | None = None,
    sender: str | None = None,
    credentials: SmtpCredentials | None = None,
    text: str | None = None,
    timeout: float = 30.0,
    loopback_tls: bool = False,
) -> dict[str, Any]:
    """Send the report files as one e-mail; return what was sent (server, recipient count, size, encryption).

    ``html`` becomes the body, ``xlsx`` the attachment. ``subject`` defaults to
    the HTML's ``<title>`` (the report's localized title and week); ``sender``
    to the SMTP user when that is an address; ``text``, the plain-text
    alternative, to the HTML's title and period with a pointer to the
    attachment. ``credentials`` usually come from :func:`smtp_credentials`.
    ``loopback_tls=True`` demands encryption from a loopback server too.
    Raises :class:`~sheetkit.errors.UsageError` for a bad argument and
    :class:`~sheetkit.errors.MailError` when the server cannot take the message;
    in both cases nothing was sent.
    """
    server, recipients, from_ = _mail_options(to, smtp, sender, credentials)
    if not timeout > 0:
        raise UsageError(f"timeout must be a positive number of seconds, not {timeout!r}")
    message = _message(Path(html), Path(xlsx), recipients, from_, subject=subject, text=text)
    data = message.as_bytes(policy=WIRE)
    tls = requires_tls(server.host) or loopback_tls
    secrets = [] if credentials is None else [credentials.user, credentials.password]
    try:
        with _open(server, timeout=timeout, tls=tls) as connection:
            encryption = "tls" if server.port == IMPLICIT_TLS_PORT else ("starttls" if tls else "none")
            if credentials is not None:
                _sign_in(connection, server, credentials)
            _hand_over(connection, server, from_.addr_spec, [r.addr_spec for r in recipients], data, secrets=secrets)
    except MailError:
        raise
    except (smtplib.SMTPException, OSError) as exc:  # SMTPException and ssl.SSLError are OSErrors
        raise _explain(exc, server, timeout=timeout, secrets=secrets) from None
    log.info("sent weekly report to %d recipients via %s", len(recipients), server)
    return {
        "server": str(server),
        "recipients": len(recipients),
        "encryption": encryption,
        "bytes": len(data),
        "subject": str(message["Subject"]),
    }


def check_mail(
    *, to: Sequence[str], smtp: str, sender: str | None = None, credentials: SmtpCredentials | None = None
) -> None:
    """Raise UsageError now, before any report is written, for what :func:`send_report` would refuse.

    Checks the addresses, ``HOST:PORT`` and that there is a sender; it does not contact the server.
    """
    _mail_options(to, smtp, sender, credentials)


def _mail_options(
    to: Sequence[str], smtp: str, sender: str | None, credentials: SmtpCredentials | None
) -> tuple[SmtpServer, list[Address], Address]:
    return parse_smtp(smtp), _recipients(to), _sender(sender, credentials)


def _recipients(to: Sequence[str]) -> list[Address]:
    if isinstance(to, str):  # one address given where a list is expected: still one recipient, not letters
        to = [to]
    unique: dict[str, Address] = {}
    for value in to:
        address = check_address(value)
        unique.setdefault(address.addr_spec.lower(), address)
    if not unique:
        raise UsageError("no recipient: give at least one e-mail address to send the report to")
    return list(unique.values())


def _sender(sender: str | None, credentials: SmtpCredentials | None) -> Address:
    if sender is not None:
        return check_address(sender)
    if credentials is not None and _ADDR_SPEC.fullmatch(credentials.user.strip()):
        return check_address(credentials.user)
    raise UsageError(
        f"no sender address: give one (sheetkit report --mail-from ADDRESS), "
        f"or set {SMTP_USER_ENV} to an e-mail address"
    )


# ------------------------------------------------------------------ the message


class _Outline(HTMLParser):
    """The report's ``<title>`` and first subtitle paragraph, for the subject and the plain-text part."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.subtitle = ""
        #: The report's language (``<html lang>``), for the plain-text part.
        self.lang: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.lang is None:
            self.lang = dict(attrs).get("lang")
        if tag == "title" and not self.title:
            self._in = "title"
        elif tag == "p" and not self.subtitle and ("class", "sub") in attrs:
            self._in = "subtitle"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "p"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "subtitle":
            self.subtitle += data


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; write the report before sending it") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _message(
    html: Path, xlsx: Path, to: list[Address], sender: Address, *, subject: str | None, text: str | None
) -> EmailMessage:
    try:
        body = _read(html).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{html}: not a UTF-8 HTML file such as sheetkit report --html writes") from None
    outline = _Outline()
    outline.feed(body)
    title = " ".join(outline.title.split())
    subject = " ".join((subject if subject is not None else title).split())  # one line: no header injection
    if not subject:
        raise UsageError(f"no subject: {html} has no <title>; give the subject")
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.domain)
    plain = _plain_text(title or subject, outline.subtitle, xlsx.name, lang=outline.lang)
    message.set_content(text if text is not None else plain)
    message.add_alternative(body, subtype="html", cte=_transfer_encoding(body))
    maintype, subtype = XLSX_MIME_TYPE.split("/")
    message.add_attachment(_read(xlsx), maintype=maintype, subtype=subtype, filename=xlsx.name)
    return message


def _plain_text(title: str, subtitle: str, attachment: str, *, lang: str | None = None) -> str:
    """The plain-text part, in the report's language: the title, the period, where the report is."""
    words = report_labels(lang).report
    heading = [line for line in (title, " ".join(subtitle.split())) if line]
    return "\n".join(
        [*heading, "", words["mail_plain_html"], words["mail_plain_attachment"].format(attachment=attachment), ""]
    )


def _transfer_encoding(body: str) -> str:
    """The shorter of quoted-printable and base64 for this body (HTML full of ``=`` is longer in QP)."""
    raw = body.encode("utf-8")
    return "quoted-printable" if len(quopri.encodestring(raw)) <= len(base64.encodebytes(raw)) else "base64"


# ------------------------------------------------------------------ the conversation


def _open(server: SmtpServer, *, timeout: float, tls: bool) -> smtplib.SMTP:
    """A connection greeted and, where required, encrypted; refuse a server without encryption."""
    context = ssl.create_default_context()
    if server.port == IMPLICIT_TLS_PORT:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        connection.ehlo_or_helo_if_needed()
        if tls and server.port != IMPLICIT_TLS_PORT:
            if not connection.has_extn("starttls"):
                raise MailError(
                    "the server offers no encryption (STARTTLS), so the sign-in and the report would cross the "
                    "network readable by anyone on the way; nothing was sent. Use the provider's submission port: "
                    "587 (STARTTLS) or 465 (TLS)",
                    server=str(server),
                )
            log.debug("starting TLS with %s", server)
            connection.starttls(context=context)
            connection.ehlo()
    except BaseException:
        connection.close()
        raise
    return connection


def _sign_in(connection: smtplib.SMTP, server: SmtpServer, credentials: SmtpCredentials) -> None:
    if not connection.has_extn("auth"):
        raise MailError(
            f"the server offers no sign-in (AUTH) on this connection; unset {SMTP_USER_ENV} and "
            f"{SMTP_PASSWORD_ENV} if it relays without one, or use the provider's submission port (587 or 465)",
            server=str(server),
        )
    try:
        connection.login(credentials.user, credentials.password)
    except UnicodeEncodeError:  # smtplib encodes the sign-in as ASCII
        raise MailError(
            f"{SMTP_USER_ENV} or {SMTP_PASSWORD_ENV} has characters other than ASCII, which SMTP sign-in cannot "
            "carry; use an app password made of ASCII letters and digits",
            server=str(server),
        ) from None
    log.debug("signed in to %s", server)


def _hand_over(
    connection: smtplib.SMTP, server: SmtpServer, sender: str, to: list[str], data: bytes, *, secrets: list[str]
) -> None:
    """MAIL, every RCPT, then DATA only if every recipient was accepted (otherwise RSET: nothing is sent)."""
    declared = connection.esmtp_features.get("size", "") if connection.has_extn("size") else ""
    limit = int(declared) if declared.isascii() and declared.isdigit() else 0  # "SIZE" alone: no limit given
    if limit and len(data) > limit:
        raise MailError(
            f"the message is {_size(len(data))} and the server takes at most {_size(limit)}; "
            "nothing was sent. Ask for a higher limit or send the report without the workbook",
            server=str(server),
        )
    code, reply = connection.mail(sender, [f"SIZE={len(data)}"] if limit else [])
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: list[str] = []
    for position, address in enumerate(to, start=1):
        code, reply = connection.rcpt(address)
        if code not in (250, 251):
            domain = address.rpartition("@")[2]
            refused.append(f"recipient {position} (…@{domain}): {code} {_reply(reply, secrets)}")
    if refused:
        _reset(connection)
        raise MailError(
            f"{len(refused)} of {len(to)} recipients refused, so nothing was sent: {'; '.join(refused)}. "
            "Check those addresses",
            server=str(server),
        )
    try:
        code, reply = connection.data(data)
    except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionError):
        raise MailError(
            "the connection broke while the message was being handed over, so it may or may not have arrived; "
            "check the inbox before sending it again",
            server=str(server),
        ) from None
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    log.debug("the server took %d bytes", len(data))


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1_000_000 else f"{max(1, round(count / 1e3))} KB"


def _reset(connection: smtplib.SMTP) -> None:
    try:
        connection.rset()
    except (smtplib.SMTPException, OSError):  # the transaction dies with the connection anyway
        log.debug("RSET failed; closing the connection")


def _reply(reply: bytes | str, secrets: list[str]) -> str:
    """A server's reply on one line, with no sign-in value and no address's local part."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[hidden]")
    text = _LOCAL_PART.sub("…@", " ".join(text.split()))
    return text if len(text) <= 200 else text[:199] + "…"


def _explain(exc: BaseException, server: SmtpServer, *, timeout: float, secrets: list[str]) -> MailError:
    """One message a manager can act on, for anything smtplib, ssl or the network raised."""
    if isinstance(exc, smtplib.SMTPResponseException):
        answer = f"{exc.smtp_code} {_reply(exc.smtp_error, secrets)}"
        reason = {
            smtplib.SMTPAuthenticationError: f"the user name or password was refused ({answer}); check "
            f"{SMTP_USER_ENV} and {SMTP_PASSWORD_ENV} (many providers want an app password here)",
            smtplib.SMTPSenderRefused: f"the sender address was refused ({answer}); send from an address "
            "this account may use (--mail-from)",
            smtplib.SMTPDataError: f"the message was refused ({answer})",
            smtplib.SMTPConnectError: f"the server turned the connection away ({answer}); try again later",
        }.get(type(exc), f"the server answered {answer}")
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        reason = "the server closed the connection; check the port (465 is TLS from the start, 587 and 25 use STARTTLS)"
    elif isinstance(exc, smtplib.SMTPException):
        reason = _reply(str(exc), secrets)
    elif isinstance(exc, ssl.SSLCertVerificationError):
        reason = (
            f"its TLS certificate is not valid for this name ({exc.verify_message}); check the host name, "
            "or point SSL_CERT_FILE at your company's certificate authority"
        )
    elif isinstance(exc, ssl.SSLError):
        reason = f"the TLS handshake failed ({exc.reason or exc}); 465 is TLS from the start, 587 and 25 use STARTTLS"
    elif isinstance(exc, socket.gaierror):
        reason = "no such host; check the name and the network connection"
    elif isinstance(exc, ConnectionRefusedError):
        reason = (
            "connection refused: no mail server listens there; check the host and port (587 for STARTTLS, "
            "465 for TLS) and that the server is running"
        )
    elif isinstance(exc, TimeoutError):
        reason = f"no answer within {timeout:g} s; check the host, the port and the firewall"
    else:
        reason = f"cannot be reached ({exc.strerror if isinstance(exc, OSError) and exc.strerror else exc})"
    return MailError(f"{reason}; nothing was sent", server=str(server))
