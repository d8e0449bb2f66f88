"""Who may do what with e-mail: the one place views and templates ask."""

from requests_app.access import can_take_requests


def can_read_mail(user) -> bool:
    """A request's and a customer's e-mails and their attachments: whoever may open requests
    and customers (requests_app's rule; the conversation is part of the request)."""
    return can_take_requests(user)


def can_reply(user) -> bool:
    """Write to the customer from a request's page: whoever may edit requests (requests_app's
    rule, as for the request form itself)."""
    return can_take_requests(user)


def can_open_attachment(user, attachment) -> bool:
    """An attachment, for those who may read its request's e-mail (one not joined to a request
    is nobody's to open yet)."""
    return can_read_mail(user) and attachment.mail.request_id is not None


def can_keep_mailboxes(user) -> bool:
    """List, add and change the mailboxes customers write to (administrators)."""
    return user.has_perm("mail.change_mailbox")
