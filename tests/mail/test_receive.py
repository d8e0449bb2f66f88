"""What becomes of a received e-mail: a new request, a reply joining its request, a duplicate
kept once, machines' mail neither making requests nor being answered, attachments kept or
refused."""

from email.message import EmailMessage

import pytest
from django.core.exceptions import ValidationError

from callcenter.inputs import LONG_TEXT
from mail.models import Direction, Mail, MailAttachment, Mailbox
from mail.parsing import UnreadableMail
from mail.services import mail_receive, mailbox_save
from requests_app.models import Channel, Customer, CustomerRequest, RequestType, Status
from requests_app.services import request_save, request_searched_knowledge
from tests.factories import CustomerFactory
from tests.mail.helpers import PDF, message, reply_to

pytestmark = pytest.mark.django_db


def receive(mailbox, mail):
    return mail_receive(mailbox=mailbox, raw=bytes(mail))


def test_a_new_message_becomes_a_request_of_its_sender(mailbox):
    kept = receive(mailbox, message())
    request = kept.request
    assert request.channel == Channel.EMAIL
    assert request.request_type == RequestType.INFORMATION
    assert request.status == Status.OPEN
    assert request.agent.username == "mail"
    assert request.caller_email == "kari@example.no"
    assert request.caller_name == "Kari Nordmann"
    assert request.customer == Customer.objects.get(email="kari@example.no")
    assert request.description.startswith("Streetlight out on Main Street\n\nThe streetlight")
    assert kept.direction == Direction.IN
    assert kept.from_address == "kari@example.no"
    assert kept.to_addresses == "service@city.example"
    assert kept.sent_at is not None and kept.received_at is not None
    assert not kept.automatic


def test_a_known_sender_is_their_customer(mailbox):
    customer = CustomerFactory(email="kari@example.no")
    kept = receive(mailbox, message(sender="KARI@Example.NO"))
    assert kept.request.customer == customer
    assert Customer.objects.count() == 1


def test_the_mailbox_says_the_request_type(mailbox):
    mailbox = mailbox_save(
        mailbox=mailbox, values={"request_type": RequestType.COMMENT}, expected_version=1
    )
    request = receive(mailbox, message()).request
    assert request.request_type == RequestType.COMMENT
    assert request.status == Status.CLOSED  # a comment is logged and closed, as at the desk
    assert "Main Street" in request.comment


def test_a_mailbox_cannot_make_action_requests(mailbox):
    with pytest.raises(ValidationError) as error:
        mailbox_save(
            mailbox=mailbox, values={"request_type": RequestType.ACTION}, expected_version=1
        )
    assert "request_type" in error.value.message_dict


def test_a_reply_joins_the_request_of_the_message_it_answers(mailbox):
    first = message()
    request = receive(mailbox, first).request
    reply = receive(mailbox, reply_to(first, text="It is still dark."))
    assert reply.request == request
    assert reply.in_reply_to == first["Message-ID"].strip("<>")
    assert CustomerRequest.objects.count() == 1


def test_a_reply_to_our_acknowledgement_joins_the_request(mailbox):
    request = receive(mailbox, message()).request
    ours = Mail.objects.get(direction=Direction.OUT)
    answer = message(
        subject=f"Re: {ours.subject}",
        headers={"In-Reply-To": f"<{ours.message_id}>", "References": f"<{ours.message_id}>"},
    )
    # The subject carries the number too; the same request either way.
    assert receive(mailbox, answer).request == request
    assert CustomerRequest.objects.count() == 1


def test_a_reference_further_up_the_thread_joins_too(mailbox):
    first = message()
    request = receive(mailbox, first).request
    later = message(
        subject="Another thing",
        headers={"References": f"<unknown@elsewhere.example> {first['Message-ID']}"},
    )
    assert receive(mailbox, later).request == request


def test_a_reply_by_the_number_in_its_subject_joins_that_request(mailbox):
    request = receive(mailbox, message()).request
    by_number = message(
        sender="Ola <ola@example.no>", subject=f"About [{request.number}] once more"
    )
    assert receive(mailbox, by_number).request == request
    assert CustomerRequest.objects.count() == 1


def test_the_same_subject_alone_does_not_join(mailbox):
    first = receive(mailbox, message()).request
    again = receive(mailbox, message(subject="Re: Streetlight out on Main Street")).request
    assert again != first
    assert CustomerRequest.objects.count() == 2


def test_a_number_without_brackets_does_not_join(mailbox):
    first = receive(mailbox, message()).request
    other = receive(mailbox, message(subject=f"Is {first.number} done?")).request
    assert other != first


def test_the_same_message_twice_is_kept_once(mailbox):
    mail = message()
    first = receive(mailbox, mail)
    second = receive(mailbox, mail)
    assert second == first
    assert Mail.objects.filter(direction=Direction.IN).count() == 1
    assert CustomerRequest.objects.count() == 1


def test_a_message_without_message_id_is_kept_once_by_its_bytes(mailbox):
    mail = message()
    del mail["Message-ID"]
    first = receive(mailbox, mail)
    assert first.message_id.endswith("@no-message-id.invalid")
    assert receive(mailbox, mail) == first
    assert CustomerRequest.objects.count() == 1
    # Our acknowledgement answers no Message-ID the sender never gave.
    ours = Mail.objects.get(direction=Direction.OUT)
    assert ours.in_reply_to == "" and ours.references == ""


def test_message_ids_are_kept_without_angle_brackets(mailbox):
    kept = receive(mailbox, message(message_id="  <Abc.123@Example.no>  "))
    assert kept.message_id == "Abc.123@Example.no"


def finish(request, agent, status):
    """The agent answers and finishes the request (after the knowledge-base search
    information requests ask for)."""
    request_searched_knowledge(request)
    request_save(
        request=request,
        values={"status": status, "answer_given": "Reported to the utility."},
        expected_version=request.version,
        user=agent,
    )


def test_a_reply_reopens_a_resolved_request(mailbox, agent):
    first = message()
    request = receive(mailbox, first).request
    finish(request, agent, Status.RESOLVED)
    reply = receive(mailbox, reply_to(first, text="Still dark."))
    request.refresh_from_db()
    assert reply.request == request
    assert request.status == Status.OPEN
    change = request.changes.filter(field="status").latest("changed_at")
    assert change.reason == "The customer replied by e-mail."


def test_a_reply_to_a_closed_request_starts_a_new_one_that_names_it(mailbox, agent):
    first = message()
    closed = receive(mailbox, first).request
    finish(closed, agent, Status.CLOSED)
    reply = receive(mailbox, reply_to(first, text="Dark again."))
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
    assert reply.request != closed
    assert reply.request.description.startswith(f"A reply to {closed.number}, which is closed.")
    assert reply.request.customer == closed.customer


# Machines' mail ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated; owner-email=x@example.no"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"List-Id": "<news.example.no>"},
        {"Return-Path": "<>"},
    ],
)
def test_an_automatic_message_makes_no_request(mailbox, headers):
    assert receive(mailbox, message(headers=headers)) is None
    assert not Mail.objects.exists()
    assert not CustomerRequest.objects.exists()


def test_auto_submitted_no_is_a_person(mailbox):
    assert receive(mailbox, message(headers={"Auto-Submitted": "no"})).request is not None


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.example.no", "postmaster@example.no", "", "not an address"]
)
def test_mail_from_a_mail_system_or_nobody_makes_no_request(mailbox, sender):
    assert receive(mailbox, message(sender=sender)) is None
    assert not CustomerRequest.objects.exists()


def test_mail_from_our_own_address_is_ignored(mailbox):
    ours = message(sender="City service desk <Service@City.example>")
    assert receive(mailbox, ours) is None
    mailbox_save(values={"address": "fax@city.example", "name": "Fax"})
    assert receive(mailbox, message(sender="fax@city.example")) is None
    assert not Mail.objects.exists()


def test_an_out_of_office_answer_to_our_acknowledgement_is_kept_on_the_request(mailbox):
    request = receive(mailbox, message()).request
    ours = Mail.objects.get(direction=Direction.OUT)
    away = message(
        subject=f"Out of office: {ours.subject}",
        text="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied", "In-Reply-To": f"<{ours.message_id}>"},
    )
    kept = receive(mailbox, away)
    assert kept.request == request
    assert kept.automatic
    assert CustomerRequest.objects.count() == 1
    # Not answered: still the one acknowledgement.
    assert Mail.objects.filter(direction=Direction.OUT).count() == 1


def dsn(original_id: str, *, recipient: str = "kari@example.no") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.city.example>\r\n"
        "To: service@city.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce.1@mx.city.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        f"I'm sorry to have to inform you that your message to {recipient} failed.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.city.example\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "--B\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "From: service@city.example\r\n"
        f"To: {recipient}\r\n"
        f"Message-ID: <{original_id}>\r\n"
        "Subject: [CR-2026-999999] We received your message\r\n"
        "--B--\r\n"
    ).encode()


def test_a_bounce_of_our_acknowledgement_is_kept_on_its_request(mailbox):
    request = receive(mailbox, message()).request
    ours = Mail.objects.get(direction=Direction.OUT)
    kept = mail_receive(mailbox=mailbox, raw=dsn(ours.message_id))
    assert kept.automatic
    assert kept.request == request
    assert not kept.attachments.exists()
    # The quoted headers are noted, as any file not kept.
    assert [item["content_type"] for item in kept.refused_attachments] == ["text/rfc822-headers"]
    assert CustomerRequest.objects.count() == 1
    assert Mail.objects.filter(direction=Direction.OUT).count() == 1


def test_a_bounce_of_something_else_is_dropped(mailbox):
    assert mail_receive(mailbox=mailbox, raw=dsn("unknown@elsewhere.example")) is None
    assert not Mail.objects.exists()


# Fax, HTML, attachments ---------------------------------------------------------------------


def test_mail_from_a_fax_gateway_is_a_fax_request_with_its_document(mailbox):
    fax = message(
        sender="Fax Gateway <fax-gateway@telco.example>",
        subject="Fax from +49 30 1234567",
        text="You have received a fax of 1 page.",
    )
    fax.add_attachment(PDF, maintype="application", subtype="pdf", filename="fax-0001.pdf")
    kept = receive(mailbox, fax)
    assert kept.channel == Channel.FAX
    assert kept.request.channel == Channel.FAX
    # The gateway is nobody's address: no customer is made of it, no acknowledgement sent.
    assert kept.request.customer is None
    assert kept.request.caller_email == ""
    assert not Mail.objects.filter(direction=Direction.OUT).exists()
    attachment = kept.attachments.get()
    assert attachment.filename == "fax-0001.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.file.read() == PDF
    # Stored under a random name, not the sender's.
    assert "fax-0001" not in attachment.file.name
    assert attachment.file.name.startswith("mail/")


def test_a_fax_that_is_only_a_tiff_is_its_document(mailbox):
    fax = EmailMessage()
    fax["From"] = "fax-gateway@telco.example"
    fax["To"] = "service@city.example"
    fax["Subject"] = "Fax"
    fax["Message-ID"] = "<fax.2@telco.example>"
    fax.set_content(b"II*\x00" + b"\x00" * 64, maintype="image", subtype="tiff")
    kept = receive(mailbox, fax)
    assert kept.channel == Channel.FAX
    assert kept.attachments.get().content_type == "image/tiff"


def test_a_gateway_domain_line_makes_every_address_there_a_fax(mailbox):
    mailbox = mailbox_save(
        mailbox=mailbox, values={"fax_senders": "@faxes.example"}, expected_version=1
    )
    assert receive(mailbox, message(sender="4930123@faxes.example")).channel == Channel.FAX


def test_an_html_only_message_gets_its_text_from_the_html(mailbox):
    html = (
        "<html><head><style>p {color: red}</style><title>Hi</title></head><body>"
        "<p>The light is <b>out</b> &amp; dark.</p><script>alert('x')</script>"
        "<ul><li>Main Street 5</li><li>since Monday</li></ul></body></html>"
    )
    kept = receive(mailbox, message(text=None, html=html))
    assert kept.text == "The light is out & dark.\n\nMain Street 5\nsince Monday"
    assert kept.html == html.replace("\r\n", "\n") + "\n"
    assert "alert" not in kept.request.description


def test_the_text_part_is_kept_beside_the_html(mailbox):
    kept = receive(mailbox, message(text="Plain words.", html="<p>Rich words.</p>"))
    assert kept.text.strip() == "Plain words."
    assert "Rich words." in kept.html


def test_an_attachment_of_a_refused_type_is_noted_not_stored(mailbox):
    mail = message()
    mail.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="invoice.exe"
    )
    kept = receive(mailbox, mail)
    assert not MailAttachment.objects.exists()
    assert kept.refused_attachments == [
        {
            "filename": "invoice.exe",
            "content_type": "application/x-msdownload",
            "size": 4,
            "reason": "type",
        }
    ]


def test_a_file_that_is_not_what_its_type_says_is_refused(mailbox):
    mail = message()
    mail.add_attachment(b"MZ\x90\x00", maintype="application", subtype="pdf", filename="a.pdf")
    kept = receive(mailbox, mail)
    assert not MailAttachment.objects.exists()
    assert kept.refused_attachments[0]["reason"] == "content"


def test_a_pdf_sent_as_any_bytes_is_kept_as_a_pdf(mailbox):
    mail = message()
    mail.add_attachment(PDF, maintype="application", subtype="octet-stream", filename="scan.PDF")
    assert receive(mailbox, message_with := mail).attachments.get().content_type == (
        "application/pdf"
    )
    assert message_with is mail


def test_an_attachment_over_the_size_limit_is_noted_not_stored(mailbox, settings):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 100
    mail = message()
    mail.add_attachment(
        PDF + b"\x00" * 100, maintype="application", subtype="pdf", filename="big.pdf"
    )
    mail.add_attachment(PDF[:90], maintype="application", subtype="pdf", filename="small.pdf")
    kept = receive(mailbox, mail)
    assert [item.filename for item in kept.attachments.all()] == ["small.pdf"]
    assert [(item["filename"], item["reason"]) for item in kept.refused_attachments] == [
        ("big.pdf", "size")
    ]


def test_attachments_over_the_limit_per_message_are_noted_not_stored(mailbox, settings):
    settings.MAIL_MESSAGE_ATTACHMENTS_MAX_BYTES = len(PDF) * 2
    mail = message()
    for name in ("one.pdf", "two.pdf", "three.pdf"):
        mail.add_attachment(PDF, maintype="application", subtype="pdf", filename=name)
    kept = receive(mailbox, mail)
    assert [item.filename for item in kept.attachments.all()] == ["one.pdf", "two.pdf"]
    assert [(item["filename"], item["reason"]) for item in kept.refused_attachments] == [
        ("three.pdf", "total")
    ]


def test_a_file_name_is_never_a_path(mailbox):
    mail = message()
    mail.add_attachment(
        PDF, maintype="application", subtype="pdf", filename="../../etc/pass\x07wd.pdf"
    )
    attachment = receive(mailbox, mail).attachments.get()
    assert attachment.filename == "pass_wd.pdf"


# Texts ----------------------------------------------------------------------------------------


def test_a_long_text_is_cut_in_the_description_and_says_so(mailbox):
    text = "word " * (LONG_TEXT // 4)
    kept = receive(mailbox, message(text=text))
    description = kept.request.description
    assert len(description) <= LONG_TEXT
    assert description.endswith(
        f"[Cut here: the description holds {LONG_TEXT} characters; the whole message is in its "
        "e-mail below.]"
    )
    assert kept.text.strip() == text.strip()


def test_a_sender_several_customers_share_is_left_for_the_agent(mailbox):
    CustomerFactory(email="kari@example.no", name="Kari Nordmann")
    CustomerFactory(email="kari@example.no", name="Kari Nordmann (work)")
    request = receive(mailbox, message()).request
    assert request.customer is None
    assert request.caller_email == ""
    assert "kari@example.no, which more than one customer has" in request.description
    assert receive(mailbox, message()).request.pk != request.pk  # each saved, neither lost


def test_the_note_about_a_shared_address_survives_a_long_text(mailbox):
    CustomerFactory(email="kari@example.no")
    CustomerFactory(email="kari@example.no")
    request = receive(mailbox, message(text="word " * LONG_TEXT)).request
    assert len(request.description) <= LONG_TEXT
    assert request.description.startswith("The sender wrote from kari@example.no")


def test_a_mailbox_made_around_the_check_makes_information_requests(db):
    # Written directly, as a data import might: the service would refuse it.
    mailbox = Mailbox.objects.create(
        address="works@city.example", name="Works", request_type=RequestType.ACTION
    )
    assert receive(mailbox, message()).request.request_type == RequestType.INFORMATION


def test_control_characters_are_not_kept(mailbox):
    kept = receive(mailbox, message(subject="Hello\x00 there", text="a\x00b\x07c"))
    assert kept.subject == "Hello there"
    assert kept.text.strip() == "abc"


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"\r\n\r\njust a body"])
def test_bytes_that_are_no_email_are_refused(mailbox, raw):
    with pytest.raises(UnreadableMail):
        mail_receive(mailbox=mailbox, raw=raw)


@pytest.mark.parametrize(
    ("date", "kept_as"),
    [
        ("Mon, 30 Nov 2026 10:00:00 -0000", "2026-11-30 10:00:00+00:00"),
        ("Mon, 30 Nov 2026 11:00:00 +0100", "2026-11-30 10:00:00+00:00"),
        ("Fri, 31 Dec 9999 23:59:59 -1400", None),
        ("yesterday", None),
    ],
)
def test_the_senders_date_is_kept_when_it_can_be_meant(mailbox, date, kept_as):
    mail = message()
    mail.replace_header("Date", date)
    kept = receive(mailbox, mail)
    kept.refresh_from_db()
    assert (str(kept.sent_at) if kept.sent_at else None) == kept_as


MALFORMED = [
    b"From: =?utf-8?q?bad?= <kari@example.no>\r\nSubject: =?x-unknown?b?AAAA?=\r\n"
    b"Message-ID: <<<>>>\r\n\r\nbody",
    b"From: \xff\xfe <kari@example.no>\r\nSubject: \xe9t\xe9\r\n"
    b"Content-Type: text/plain; charset=bogus\r\n\r\n\xe9\xe9\x00",
    b'From: kari@example.no\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\n--X\r\n'
    b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b'!!!notbase64\r\n--X\r\nContent-Type: application/pdf; name="a.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n",
    b"From: kari@example.no\r\nContent-Type: multipart/mixed\r\n\r\nno boundary",
    b"From: kari@example.no\r\nIn-Reply-To: no brackets\r\nReferences: <a@b> junk <c@d>\r\n"
    b'To: ,,,@@@, "x" <>\r\n\r\nhi',
    b"From: kari@example.no\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.no\r\n\r\nx",
    b"From: kari@example.no\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_a_malformed_message_is_still_taken_in(mailbox, raw):
    kept = mail_receive(mailbox=mailbox, raw=raw)
    assert kept.request is not None
    assert kept.from_address == "kari@example.no"
