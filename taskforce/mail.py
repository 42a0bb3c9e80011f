"""
SMTP with a deadline for the whole conversation, not for each read.

Django's SMTP backend gives every socket operation EMAIL_TIMEOUT seconds, so a
server that accepts the connection and then sends a byte every few seconds
never times out. Here each conversation (opening the connection, sending one
batch of messages, closing) must end within EMAIL_TIMEOUT: every read and write
waits only for what is left of it, and past it the connection is dropped with
TimeoutError. EMAIL_URL=smtp://... selects this backend (settings).
"""

import functools
import smtplib
import time
from contextlib import contextmanager

from django.core.mail.backends import smtp


class DeadlineEmailBackend(smtp.EmailBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = None  # time.monotonic() by which the current conversation must end

    @contextmanager
    def conversation(self):
        """One deadline for everything inside; an enclosing conversation's, if there is one."""
        if self.deadline is not None or self.timeout is None:
            yield
            return
        self.deadline = time.monotonic() + self.timeout
        try:
            yield
        finally:
            self.deadline = None

    @property
    def connection_class(self):
        smtp_class = DeadlineSMTPSSL if self.use_ssl else DeadlineSMTP
        return functools.partial(smtp_class, deadline=lambda: self.deadline)

    def open(self):
        with self.conversation():
            return super().open()

    def close(self):
        with self.conversation():
            super().close()

    def send_messages(self, email_messages):
        with self.conversation():
            return super().send_messages(email_messages)

    def _close_connection(self, connection):
        try:
            super()._close_connection(connection)
        except OSError:
            connection.close()  # Timed out or reset while saying goodbye: nothing is lost.


class DeadlineMixin:
    def __init__(self, *args, deadline, **kwargs):
        self.deadline = deadline
        super().__init__(*args, **kwargs)

    def remaining(self):
        deadline = self.deadline()
        if deadline is None:
            return self.timeout if isinstance(self.timeout, (int, float)) else None
        left = deadline - time.monotonic()
        if left <= 0:
            self.close()  # what is left of the conversation is dropped with it
            raise TimeoutError("The mail server did not finish within EMAIL_TIMEOUT")
        return left

    def _get_socket(self, host, port, timeout):
        left = self.remaining()
        if isinstance(timeout, (int, float)) and left is not None:
            left = min(left, timeout)
        return super()._get_socket(host, port, left)

    def send(self, s):
        if self.sock is not None:
            self.sock.settimeout(self.remaining())
        return super().send(s)

    def getreply(self):
        if self.file is None and self.sock is not None:
            self.file = DeadlineReader(self.sock, self.remaining)
        return super().getreply()


class DeadlineReader:
    """What smtplib reads replies from: lines, each read waiting only for the time left."""

    def __init__(self, sock, remaining):
        self.sock = sock
        self.remaining = remaining
        self.buffer = b""

    def readline(self, limit=-1):
        while b"\n" not in self.buffer and (limit < 0 or len(self.buffer) < limit):
            self.sock.settimeout(self.remaining())
            try:
                chunk = self.sock.recv(8192)
            except TimeoutError as error:
                raise TimeoutError("The mail server did not finish within EMAIL_TIMEOUT") from error
            if not chunk:
                break
            self.buffer += chunk
        end = self.buffer.find(b"\n") + 1 or len(self.buffer)
        if limit >= 0:
            end = min(end, limit)
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        return line

    def close(self):
        self.buffer = b""


class DeadlineSMTP(DeadlineMixin, smtplib.SMTP):
    pass


class DeadlineSMTPSSL(DeadlineMixin, smtplib.SMTP_SSL):
    pass
