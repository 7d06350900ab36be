"""An email sender that writes .eml files into a directory (the default: nothing leaves
the machine until an SMTP server is configured)."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import uuid6

from medcore.domain.identity.ports import OutgoingEmail


class OutboxEmailSender:
    def __init__(self, directory: Path, sender: str) -> None:
        self._directory = directory
        self._sender = sender

    async def send(self, message: OutgoingEmail) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: OutgoingEmail) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain="medcore.local")
        mail.set_content(message.text)
        name = f"{uuid6.uuid7()}.eml"
        temporary = self._directory / f".{name}.tmp"
        temporary.write_bytes(bytes(mail))
        temporary.chmod(0o600)
        temporary.rename(self._directory / name)  # readers never see half a message
