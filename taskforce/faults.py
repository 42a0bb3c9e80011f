"""
Neighbours that misbehave on purpose, on this machine's loopback only: the
tests and `make soak` put them between the site and its mail server or database.

- TCPProxy: forwards a local port to a server, and can stall (accept and
  forward nothing, as a hung server does) or cut (drop every connection and
  refuse new ones, as a server that went away).
- SMTPSink: a real SMTP server (aiosmtpd) that keeps every message it accepts.
- SilentServer / DrippingServer: accept a connection, then say nothing, or a
  byte every `interval` seconds.
"""

import contextlib
import socket
import struct
import threading
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset(sock):
    """Close with a reset, as a server that went away does, not a polite FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Listener:
    """Accepts connections on 127.0.0.1:port in a thread and hands each to handle()."""

    def __init__(self, port=0):
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.closed:
            try:
                client = self.listener.accept()[0]
            except OSError:
                return
            self.sockets.append(client)
            threading.Thread(target=self.handle, args=(client,), daemon=True).start()

    def handle(self, client):
        raise NotImplementedError

    def close(self):
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SilentServer(_Listener):
    """Accepts and never answers: a mail server that hangs after the TCP handshake."""

    def handle(self, client):
        while not self.closed:
            time.sleep(0.1)


class DrippingServer(_Listener):
    """Sends a long greeting one byte every `interval` seconds, so no single read times out."""

    def __init__(self, port=0, interval=0.2, greeting=b"220-slowly\r\n" * 1000 + b"220 ready\r\n"):
        self.interval = interval
        self.greeting = greeting
        super().__init__(port)

    def handle(self, client):
        for byte in self.greeting:
            if self.closed:
                return
            try:
                client.sendall(bytes([byte]))
            except OSError:
                return
            time.sleep(self.interval)


class TCPProxy(_Listener):
    """127.0.0.1:port forwarding to target; stall() and cut() misbehave, restore() heals."""

    OPEN, STALLED, CUT = "open", "stalled", "cut"

    def __init__(self, target_host, target_port, port=0):
        self.target = (target_host, target_port)
        self.mode = self.OPEN
        self.changed = threading.Condition()
        self.pairs = []
        super().__init__(port)

    def handle(self, client):
        if self.mode == self.CUT:
            _reset(client)
            return
        self._wait_while_stalled()
        if self.mode == self.CUT:
            _reset(client)
            return
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)
            return
        server.settimeout(None)
        pair = (client, server)
        self.pairs.append(pair)
        for source, sink in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(source, sink, pair), daemon=True).start()

    def _wait_while_stalled(self):
        with self.changed:
            while self.mode == self.STALLED and not self.closed:
                self.changed.wait(0.5)

    def _pump(self, source, sink, pair):
        try:
            while True:
                data = source.recv(65536)
                if not data or self.mode == self.CUT or self.closed:
                    break
                sink.sendall(data)
        except OSError:
            pass
        self._drop(pair)

    def _drop(self, pair):
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            _reset(sock)
        if pair in self.pairs:
            self.pairs.remove(pair)

    def _set(self, mode):
        with self.changed:
            self.mode = mode
            self.changed.notify_all()

    def stall(self):
        """New connections are accepted, but nothing goes through them (a server that hangs).

        Connections already open carry on, so no exchange is cut off halfway (an SMTP
        server holding back its "250 accepted" after taking a message would make its
        sender send it again)."""
        self._set(self.STALLED)

    def cut(self):
        """Every connection is reset and new ones are reset at once."""
        self._set(self.CUT)
        for pair in list(self.pairs):
            self._drop(pair)

    def restore(self):
        self._set(self.OPEN)

    def close(self):
        self.cut()
        super().close()


class SMTPSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts (aiosmtpd)."""

    def __init__(self, port=0, delay=0.0):
        from aiosmtpd.controller import Controller

        self.delay = delay  # seconds to take over each message, as a busy server does
        self.messages = []
        self.lock = threading.Lock()
        self.port = port or free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def recipients(self):
        with self.lock:
            return [rcpt for envelope in self.messages for rcpt in envelope.rcpt_tos]

    def close(self):
        self.controller.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
