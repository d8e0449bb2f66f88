import socket

import pytest
from aiosmtpd.controller import Controller

from mail.services import mailbox_save
from tests.mail.helpers import Sink


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    """Attachments in a folder of the test's own."""
    settings.MAIL_ATTACHMENTS_DIR = tmp_path / "mail"
    return settings.MAIL_ATTACHMENTS_DIR


@pytest.fixture
def mailbox(db):
    return mailbox_save(
        values={
            "address": "service@city.example",
            "name": "City service desk",
            "language": "en",
            "fax_senders": "fax-gateway@telco.example\n",
        }
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on a free loopback port that keeps what it receives; the application
    sends to it with Django's SMTP backend."""
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()
