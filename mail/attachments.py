"""Which files that came with an e-mail are kept: documents of the kinds a call center reads
(PDF, images, plain text, office documents; fax gateways send PDF or TIFF), each and all of one
message within the size limits (settings). A refused file is noted on the e-mail, never stored.
"""

import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mail.parsing import Part

OCTET_STREAM = "application/octet-stream"
ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# Each kept content type, with the bytes its files start with (None: any text).
ALLOWED: dict[str, tuple[bytes, ...] | None] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "image/webp": (b"RIFF",),
    "text/plain": None,
    "text/csv": None,
    "application/msword": OLE,
    "application/vnd.ms-excel": OLE,
    "application/vnd.ms-powerpoint": OLE,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ZIP,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ZIP,
    "application/vnd.oasis.opendocument.text": ZIP,
    "application/vnd.oasis.opendocument.spreadsheet": ZIP,
    "application/vnd.oasis.opendocument.presentation": ZIP,
}


class Refusal:
    """Why a file was not kept (the reason stored on the e-mail, and what people read)."""

    TYPE = "type"
    CONTENT = "content"
    SIZE = "size"
    TOTAL = "total"
    LABELS = {
        TYPE: _("not a kind of file we keep"),
        CONTENT: _("its content is not what its type says"),
        SIZE: _("larger than one attachment may be"),
        TOTAL: _("the message's attachments together are too large"),
    }


@dataclass(frozen=True)
class Checked:
    filename: str
    content_type: str
    payload: bytes


def checked_parts(parts: list[Part]) -> tuple[list[Checked], list[dict]]:
    """The files to keep, and a note of each refused one ({filename, content_type, size,
    reason}), in the message's order; the per-message limit refuses the files that no longer
    fit, not all of them."""
    kept: list[Checked] = []
    refused: list[dict] = []
    total = 0
    for index, part in enumerate(parts, start=1):
        filename = clean_filename(part.filename, index)
        content_type = effective_type(part.content_type, filename)
        size = len(part.payload)
        reason = _refusal(content_type, part.payload)
        if not reason and total + size > settings.MAIL_MESSAGE_ATTACHMENTS_MAX_BYTES:
            reason = Refusal.TOTAL
        if reason:
            refused.append(
                {"filename": filename, "content_type": content_type, "size": size, "reason": reason}
            )
            continue
        total += size
        kept.append(Checked(filename, content_type, part.payload))
    return kept, refused


def _refusal(content_type: str, payload: bytes) -> str:
    if content_type not in ALLOWED:
        return Refusal.TYPE
    if len(payload) > settings.MAIL_ATTACHMENT_MAX_BYTES:
        return Refusal.SIZE
    signatures = ALLOWED[content_type]
    if signatures is not None and not payload.startswith(signatures):
        return Refusal.CONTENT
    return ""


def effective_type(declared: str, filename: str) -> str:
    """The declared type; for the "any bytes" many mail programs send documents as, the type
    the file name's extension stands for."""
    declared = declared.lower()
    if declared != OCTET_STREAM:
        return declared
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    return guessed or OCTET_STREAM


UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
FILENAME_LENGTH = 200


def clean_filename(filename: str, index: int) -> str:
    """The sender's file name as a download's name: no folders, control characters or
    characters file systems refuse, not hidden, not too long; "attachment-2" when there was
    none."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSAFE_IN_NAMES.sub("_", name).strip(" .")
    if not name:
        return f"attachment-{index}"
    if len(name) > FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = name[: FILENAME_LENGTH - len(keep) - 1] + ("." + keep if keep else "")
    return name
