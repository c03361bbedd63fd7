"""Turn the framework's uploaded files into the attachment inputs services take."""

from __future__ import annotations

from fastapi import UploadFile

from ledgerdesk.tickets.attachments import AttachmentIn


def read_uploads(files: list[UploadFile]) -> list[AttachmentIn]:
    """Read uploads (already parsed and spooled by the framework) in the worker thread, so
    routes stay synchronous and never block the event loop with database calls. Forms send
    an empty part when no file was chosen; it is skipped."""
    items = []
    for upload in files:
        data = upload.file.read()
        if not upload.filename and not data:
            continue
        items.append(
            AttachmentIn(
                filename=upload.filename or "file",
                content_type=upload.content_type or "",
                data=data,
            )
        )
    return items
