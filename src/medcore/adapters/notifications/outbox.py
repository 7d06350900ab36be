"""The default notifier: messages written into a directory (emails as .eml, SMS as JSON),
once per notification id, atomically. Nothing leaves the machine until an SMTP server or an
SMS provider is configured."""

from __future__ import annotations

import asyncio
import json
import os
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from medcore.domain.notifications.ports import Channel, Notification


class OutboxNotifier:
    def __init__(self, directory: Path, sender: str) -> None:
        self._directory = directory
        self._sender = sender

    async def deliver(self, notification: Notification) -> bool:
        return await asyncio.to_thread(self._write, notification)

    def _payload(self, notification: Notification) -> tuple[str, bytes]:
        if notification.channel is Channel.EMAIL:
            mail = EmailMessage()
            mail["From"] = self._sender
            mail["To"] = notification.to
            mail["Subject"] = notification.subject
            mail["Date"] = formatdate(localtime=False)
            mail["Message-ID"] = f"<{notification.id}@medcore.local>"
            mail["X-Medcore-Kind"] = notification.kind
            mail.set_content(notification.text)
            return f"{notification.id}.eml", bytes(mail)
        body = {"id": str(notification.id), "to": notification.to, "text": notification.text, "kind": notification.kind}
        return f"{notification.id}.sms.json", json.dumps(body).encode()

    def _write(self, notification: Notification) -> bool:
        self._directory.mkdir(parents=True, exist_ok=True)
        name, payload = self._payload(notification)
        final = self._directory / name
        if final.exists():
            return False
        temporary = self._directory / f".{name}.{os.getpid()}.tmp"
        temporary.write_bytes(payload)
        temporary.chmod(0o600)
        try:
            os.link(temporary, final)  # fails if another delivery of the same id got there first
        except FileExistsError:
            return False
        finally:
            temporary.unlink(missing_ok=True)
        return True
