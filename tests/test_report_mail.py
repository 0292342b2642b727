"""The weekly report by e-mail: a real report, sent to a real SMTP server (aiosmtpd) on this machine.

The server runs on 127.0.0.1 (loopback: no TLS needed) and, for the TLS rules,
on this machine's own network address, which is not loopback, so the real
decision is exercised: refused without STARTTLS, refused with an untrusted
certificate, accepted with a trusted one.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import ipaddress
import logging
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

import sheetkit as sk
from sheetkit.errors import MailError, UsageError
from sheetkit.report.mail import (
    XLSX_MIME_TYPE,
    SmtpCredentials,
    check_mail,
    parse_smtp,
    requires_tls,
    send_report,
    smtp_credentials,
)

AS_OF = dt.date(2026, 11, 22)
USER = "reports@salon.example.com"
PASSWORD = "correct-horse-7-battery"  # noqa: S105 - a test server's password
WRONG = "wrong-horse-8-battery"


# ------------------------------------------------------------------ the report and the server


@dataclass
class Report:
    html: Path
    xlsx: Path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """A real weekly report of a small demo salon (.xlsx and .html)."""
    folder = tmp_path_factory.mktemp("mail")
    book = folder / "salon.xlsx"
    sk.write_demo(book, clients=30, as_of=AS_OF)
    sk.weekly_report(book, as_of=AS_OF, out=folder / "weekly.xlsx", html=folder / "weekly.html")
    return Report(html=folder / "weekly.html", xlsx=folder / "weekly.xlsx")


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives and can refuse recipients and sign-ins."""

    refuse: set[str] = field(default_factory=set)
    transactions: int = 0  # MAIL commands: a transaction was started
    sign_ins: list[tuple[str, str]] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    echo: bool = False  # a careless server that quotes the sign-in back in its refusal

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.transactions += 1
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        self.sign_ins.append((login, password))
        if (login, password) == (USER, PASSWORD):
            return AuthResult(success=True)
        reply = f"535 5.7.8 bad password {password!r} for {login}" if self.echo else None
        return AuthResult(success=False, handled=False, message=reply)

    def message(self) -> EmailMessage:
        (envelope,) = self.envelopes
        assert isinstance(envelope.content, bytes)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    inbox: Inbox
    host: str
    port: int

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start SMTP servers for a test: ``serve(host="127.0.0.1", **aiosmtpd_options) -> Server``."""
    controllers: list[Controller] = []

    def start(host: str = "127.0.0.1", inbox: Inbox | None = None, **options: Any) -> Server:
        inbox = inbox or Inbox()
        port = _free_port(host)
        options.setdefault("auth_require_tls", False)  # loopback: the sign-in needs no TLS
        controller = Controller(inbox, hostname=host, port=port, authenticator=inbox.authenticate, **options)
        controller.start()
        controllers.append(controller)
        return Server(inbox, host, port)

    yield start
    for controller in controllers:
        controller.stop()


def _interface_address() -> str:
    """This machine's own IPv4 address on a network interface (not loopback), or skip."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a UDP connect only picks the route: nothing is sent
        except OSError:
            pytest.skip("no network interface besides loopback")
        address: str = probe.getsockname()[0]
    if ipaddress.ip_address(address).is_loopback:
        pytest.skip("no network interface besides loopback")
    return address


def _certificate(folder: Path, ip: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``ip`` (it is its own authority), and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheetkit test mail server")])
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert, key_file = folder / "server.pem", folder / "server.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, key_file


def _sheetkit_log(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("sheetkit"))


# ------------------------------------------------------------------ the report arrives


@pytest.mark.parametrize(
    "subject",
    [
        "Báo cáo tuần 2026-W47 — Salon Hoa Sen, Hà Nội",
        "周报 2026-W47 · 上海静安店",
        "Rapporto settimanale 2026-W47 – Bellezza & Benessere, Città di Castello",
    ],
    ids=["vi", "zh-CN", "it"],
)
def test_the_report_arrives_with_its_html_body_and_its_workbook_attached(
    report: Report, serve: Any, subject: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve()
    to = ["manager@salon.example.com", "Chiara Bianchi <owner@salon.example.com>"]
    with caplog.at_level(logging.DEBUG):
        sent = send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=to,
            smtp=server.address,
            subject=subject,
            sender="Salon reports <reports@salon.example.com>",
        )

    (envelope,) = server.inbox.envelopes
    assert envelope.mail_from == "reports@salon.example.com"
    assert envelope.rcpt_tos == ["manager@salon.example.com", "owner@salon.example.com"]
    message = server.inbox.message()
    assert message["Subject"] == subject
    assert message["To"].addresses[1].display_name == "Chiara Bianchi"
    assert message["Subject"].isascii() is False
    assert message.as_bytes().isascii()

    html_text = report.html.read_text(encoding="utf-8")
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    # Text travels in SMTP's canonical form (CRLF line ends) and a MIME text part always ends a line.
    assert "\r" not in html_text
    assert html_part.get_content().replace("\r\n", "\n") in (html_text, html_text + "\n")
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    assert "weekly.xlsx" in plain.get_content()

    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == XLSX_MIME_TYPE
    assert attachment.get_filename() == "weekly.xlsx"
    data = attachment.get_content()
    assert data == report.xlsx.read_bytes()
    assert "Summary" in openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames

    assert sent == {
        "server": server.address,
        "recipients": 2,
        "encryption": "none",
        "bytes": len(envelope.content),
        "subject": subject,
    }
    log = _sheetkit_log(caplog)
    assert f"sent weekly report to 2 recipients via {server.address}" in log
    assert "@" not in log  # counts, never addresses


def test_the_subject_is_the_reports_title_unless_given(report: Report, serve: Any) -> None:
    server = serve()
    sent = send_report(html=report.html, xlsx=report.xlsx, to=["manager@example.com"], smtp=server.address, sender=USER)
    message = server.inbox.message()
    assert message["Subject"] == sent["subject"]
    assert f"<title>{sent['subject']}</title>" in report.html.read_text(encoding="utf-8")
    assert "2026-W47" in sent["subject"]


# ------------------------------------------------------------------ credentials


def test_the_plain_text_part_is_in_the_reports_language(serve: Any, tmp_path: Path) -> None:
    book = tmp_path / "salone.xlsx"
    sk.write_demo(book, clients=12, locale="it", as_of=AS_OF)
    sk.weekly_report(book, as_of=AS_OF, out=tmp_path / "settimana.xlsx", html=tmp_path / "settimana.html")
    server = serve()
    send_report(
        html=tmp_path / "settimana.html",
        xlsx=tmp_path / "settimana.xlsx",
        to=["manager@salon.example.com"],
        smtp=server.address,
        sender="reports@salon.example.com",
    )
    plain = server.inbox.message().get_body(preferencelist=("plain",))
    assert plain is not None
    text = plain.get_content()
    assert "resoconto settimanale in HTML" in text
    assert "cartella di lavoro allegata settimana.xlsx" in text
    assert "This is the weekly report" not in text


def test_credentials_come_from_the_environment_and_never_show_in_a_repr() -> None:
    credentials = smtp_credentials({"SHEETKIT_SMTP_USER": USER, "SHEETKIT_SMTP_PASSWORD": PASSWORD})
    assert credentials == SmtpCredentials(USER, PASSWORD)
    assert PASSWORD not in repr(credentials)
    assert USER not in repr(credentials)
    assert smtp_credentials({}) is None
    with pytest.raises(UsageError, match="SHEETKIT_SMTP_USER is set but SHEETKIT_SMTP_PASSWORD is not") as error:
        smtp_credentials({"SHEETKIT_SMTP_USER": USER})
    assert USER not in str(error.value)
    with pytest.raises(UsageError, match="SHEETKIT_SMTP_PASSWORD is set but SHEETKIT_SMTP_USER is not") as error:
        smtp_credentials({"SHEETKIT_SMTP_PASSWORD": PASSWORD})
    assert PASSWORD not in str(error.value)


def test_a_loopback_server_takes_the_sign_in_and_nothing_logs_it(
    report: Report, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve()
    with caplog.at_level(logging.DEBUG):
        sent = send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=["manager@example.com"],
            smtp=server.address,
            credentials=SmtpCredentials(USER, PASSWORD),
        )
    assert server.inbox.sign_ins == [(USER, PASSWORD)]
    assert server.inbox.message()["From"] == USER  # the sender defaults to the user when it is an address
    assert sent["recipients"] == 1
    assert PASSWORD not in caplog.text  # the server's own debug log included
    log = _sheetkit_log(caplog)
    assert "signed in" in log
    assert USER not in log


def test_a_refused_password_is_one_error_that_names_neither_user_nor_password(
    report: Report, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # A careless server that echoes the sign-in in its refusal: sheetkit still shows neither.
    server = serve(inbox=Inbox(echo=True))
    with caplog.at_level(logging.DEBUG), pytest.raises(MailError) as error:
        send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=["manager@example.com"],
            smtp=server.address,
            sender=USER,
            credentials=SmtpCredentials(USER, WRONG),
        )
    assert set(server.inbox.sign_ins) == {(USER, WRONG)}  # smtplib tries each mechanism the server offers
    message = str(error.value)
    assert "bad password '[hidden]' for [hidden]" in message
    assert message.startswith(f"mail server {server.address}: the user name or password was refused (535")
    assert "SHEETKIT_SMTP_USER" in message
    assert "SHEETKIT_SMTP_PASSWORD" in message
    assert "\n" not in message
    assert WRONG not in message
    assert USER not in message
    assert "reports@" not in message
    assert WRONG not in _sheetkit_log(caplog)
    assert USER not in _sheetkit_log(caplog)
    assert server.inbox.transactions == 0
    assert server.inbox.envelopes == []


# ------------------------------------------------------------------ encryption


@pytest.mark.parametrize(
    ("host", "required"),
    [
        ("smtp.example.com", True),
        ("SMTP.Example.com.", True),
        ("192.0.2.25", True),
        ("2001:db8::25", True),
        ("localhost.example.com", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("[::1]", False),
        ("::ffff:127.0.0.1", False),
        ("localhost", False),
        ("LocalHost.", False),
    ],
)
def test_tls_is_required_except_to_a_loopback_host(host: str, required: bool) -> None:
    assert requires_tls(host) is required


def test_a_network_server_without_starttls_is_refused_before_sign_in(report: Report, serve: Any) -> None:
    server = serve(host=_interface_address())
    assert requires_tls(server.host)
    with pytest.raises(MailError, match=r"offers no encryption \(STARTTLS\).*nothing was sent") as error:
        send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=["manager@example.com"],
            smtp=server.address,
            credentials=SmtpCredentials(USER, PASSWORD),
        )
    assert str(error.value).startswith(f"mail server {server.address}: ")
    assert server.inbox.sign_ins == []
    assert server.inbox.transactions == 0
    assert server.inbox.envelopes == []


def test_encryption_can_be_demanded_from_a_loopback_server_too(report: Report, serve: Any) -> None:
    server = serve()
    with pytest.raises(MailError, match=r"offers no encryption"):
        send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=["manager@example.com"],
            smtp=server.address,
            sender=USER,
            loopback_tls=True,
        )
    assert server.inbox.transactions == 0


def _tls_server(serve: Any, tmp_path: Path) -> tuple[Server, Path]:
    host = _interface_address()
    cert, key = _certificate(tmp_path, host)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    # Like a provider's port 587: nothing but EHLO and STARTTLS before encryption, no sign-in without it.
    server = serve(host=host, tls_context=context, require_starttls=True, auth_require_tls=True)
    return server, cert


def test_an_untrusted_certificate_is_refused_before_sign_in(report: Report, serve: Any, tmp_path: Path) -> None:
    server, _ = _tls_server(serve, tmp_path)
    with pytest.raises(MailError, match="TLS certificate is not valid") as error:
        send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=["manager@example.com"],
            smtp=server.address,
            credentials=SmtpCredentials(USER, PASSWORD),
        )
    assert "SSL_CERT_FILE" in str(error.value)
    assert server.inbox.sign_ins == []
    assert server.inbox.envelopes == []


def test_starttls_with_a_trusted_certificate_signs_in_and_delivers(
    report: Report, serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = _tls_server(serve, tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # how a company's own certificate authority is trusted
    sent = send_report(
        html=report.html,
        xlsx=report.xlsx,
        to=["manager@example.com"],
        smtp=server.address,
        credentials=SmtpCredentials(USER, PASSWORD),
    )
    assert sent["encryption"] == "starttls"
    assert server.inbox.sign_ins == [(USER, PASSWORD)]
    assert server.inbox.message().get_body(preferencelist=("html",)) is not None


# ------------------------------------------------------------------ failures


def test_a_closed_port_is_one_line_a_manager_can_act_on(report: Report) -> None:
    port = _free_port("127.0.0.1")
    with pytest.raises(MailError) as error:
        send_report(
            html=report.html, xlsx=report.xlsx, to=["manager@example.com"], smtp=f"127.0.0.1:{port}", sender=USER
        )
    message = str(error.value)
    assert message.startswith(f"mail server 127.0.0.1:{port}: connection refused")
    assert "587 for STARTTLS" in message
    assert "\n" not in message
    assert isinstance(error.value, sk.SheetkitError)


def test_one_refused_recipient_sends_nothing_and_names_no_address(report: Report, serve: Any) -> None:
    server = serve(inbox=Inbox(refuse={"typo@salon.example.com"}))
    with pytest.raises(MailError) as error:
        send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=["manager@salon.example.com", "typo@salon.example.com"],
            smtp=server.address,
            sender=USER,
        )
    message = str(error.value)
    assert "1 of 2 recipients refused, so nothing was sent: recipient 2 (…@salon.example.com): 550" in message
    assert "typo" not in message
    assert "manager@" not in message
    assert server.inbox.envelopes == []


def test_a_message_over_the_servers_size_limit_is_not_sent(report: Report, serve: Any) -> None:
    server = serve(data_size_limit=2_000)
    with pytest.raises(MailError, match=r"the message is \d+ KB and the server takes at most 2 KB; nothing was sent"):
        send_report(html=report.html, xlsx=report.xlsx, to=["manager@example.com"], smtp=server.address, sender=USER)
    assert server.inbox.transactions == 0


@pytest.mark.parametrize(
    "address",
    [
        "manager",
        "manager@",
        "@example.com",
        "a@b@example.com",
        "manager@example.com, owner@example.com",
        "manager@example.com\r\nBcc: everyone@example.com",
        "quản.lý@salon.vn",
        "",
    ],
)
def test_a_bad_address_is_a_usage_error(report: Report, address: str) -> None:
    with pytest.raises(UsageError, match=r"is not an e-mail address like manager@example\.com"):
        send_report(html=report.html, xlsx=report.xlsx, to=[address], smtp="127.0.0.1:1", sender=USER)


@pytest.mark.parametrize(
    "smtp",
    ["smtp.example.com", "smtp.example.com:", "smtp.example.com:0", "smtp.example.com:70000", "::1:25", "a b:25"],
)
def test_a_bad_server_is_a_usage_error(report: Report, smtp: str) -> None:
    with pytest.raises(UsageError, match=r"is not a mail server as HOST:PORT, like smtp\.example\.com:587"):
        send_report(html=report.html, xlsx=report.xlsx, to=["manager@example.com"], smtp=smtp, sender=USER)


def test_servers_parse_with_their_port() -> None:
    assert (parse_smtp("SMTP.example.com:587").host, parse_smtp("SMTP.example.com:587").port) == (
        "smtp.example.com",
        587,
    )
    assert str(parse_smtp("[2001:db8::25]:465")) == "[2001:db8::25]:465"


def test_without_a_sender_or_a_recipient_nothing_is_tried(report: Report) -> None:
    with pytest.raises(UsageError, match="no sender address"):
        send_report(
            html=report.html,
            xlsx=report.xlsx,
            to=["manager@example.com"],
            smtp="127.0.0.1:1",
            credentials=SmtpCredentials("apikey", PASSWORD),  # a user name that is not an address
        )
    with pytest.raises(UsageError, match="no recipient"):
        send_report(html=report.html, xlsx=report.xlsx, to=[], smtp="127.0.0.1:1", sender=USER)
    with pytest.raises(UsageError, match="no such file; write the report before sending it"):
        send_report(html=report.html, xlsx=report.xlsx.with_name("x.xlsx"), to=[USER], smtp="127.0.0.1:1", sender=USER)


def test_the_options_can_be_checked_before_the_report_is_written() -> None:
    check_mail(to=["manager@example.com"], smtp="smtp.example.com:587", sender=USER)  # no server is contacted
    with pytest.raises(UsageError, match="not an e-mail address"):
        check_mail(to=["manager@example.com", "owner"], smtp="smtp.example.com:587", sender=USER)
    with pytest.raises(UsageError, match="HOST:PORT"):
        check_mail(to=["manager@example.com"], smtp="smtp.example.com", sender=USER)
    with pytest.raises(UsageError, match="no sender address"):
        check_mail(to=["manager@example.com"], smtp="smtp.example.com:587")
