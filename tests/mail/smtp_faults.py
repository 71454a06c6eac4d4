"""A small real SMTP server for delivery tests, on 127.0.0.1 and a free port. It refuses chosen
recipients at RCPT with the code and text given, drops the connection after the DATA of a chosen
recipient's message (without answering it) a given number of times, can stop listening after a
drop, and records what it accepted and on which connection."""

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    connection: int
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class FaultySMTPServer:
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)  # address -> (code, text) at RCPT
    drop_after_data: dict[str, int] = field(default_factory=dict)  # address -> how many times to drop
    stop_after_drop: bool = False  # after a drop, stop listening: the server is gone
    received: list[Received] = field(default_factory=list)
    dropped: list[tuple[int, str]] = field(default_factory=list)  # (connection, recipient)
    connections: int = 0

    def __post_init__(self):
        self.refuse = {address.lower(): reply for address, reply in self.refuse.items()}
        self.drop_after_data = {address.lower(): times for address, times in self.drop_after_data.items()}
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.smtp = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._stopped = False

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> "FaultySMTPServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        with self.lock:
            if self._stopped:
                return
            self._stopped = True
        self._server.shutdown()
        self._server.server_close()

    def accepted_for(self, address: str) -> list[Received]:
        return [r for r in self.received if address.lower() in (a.lower() for a in r.rcpt_tos)]


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    smtp: FaultySMTPServer


def _address(command: str) -> str:
    return command.partition(":")[2].strip().split(" ")[0].strip("<>")


class _Handler(socketserver.StreamRequestHandler):
    timeout = 20

    def _reply(self, *lines: str) -> None:
        self.wfile.write(b"".join(line.encode() + b"\r\n" for line in lines))
        self.wfile.flush()

    def _read_data(self) -> bytes | None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)

    def handle(self) -> None:
        smtp: FaultySMTPServer = self.server.smtp
        with smtp.lock:
            smtp.connections += 1
            number = smtp.connections
        self._reply("220 faults.test ESMTP ready")
        mail_from, rcpt_tos = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb == "EHLO":
                self._reply("250-faults.test", "250-8BITMIME", "250 SIZE 10000000")
            elif verb == "HELO" or verb == "NOOP":
                self._reply("250 OK")
            elif verb == "MAIL":
                mail_from, rcpt_tos = _address(command), []
                self._reply("250 2.1.0 OK")
            elif verb == "RCPT":
                address = _address(command)
                if address.lower() in smtp.refuse:
                    code, text = smtp.refuse[address.lower()]
                    self._reply(f"{code} {text}")
                else:
                    rcpt_tos.append(address)
                    self._reply("250 2.1.5 OK")
            elif verb == "DATA":
                if not rcpt_tos:
                    self._reply("503 5.5.1 no valid recipients")
                    continue
                self._reply("354 end data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                if data is None:
                    return
                with smtp.lock:
                    drop = next((a for a in rcpt_tos if smtp.drop_after_data.get(a.lower(), 0) > 0), None)
                    if drop:
                        smtp.drop_after_data[drop.lower()] -= 1
                        smtp.dropped.append((number, drop))
                    else:
                        smtp.received.append(Received(number, mail_from, list(rcpt_tos), data))
                if drop:
                    if smtp.stop_after_drop:
                        smtp.stop()  # no longer listening before this connection closes
                    return  # the connection closes without an answer to DATA
                self._reply("250 2.0.0 queued")
                mail_from, rcpt_tos = "", []
            elif verb == "RSET":
                mail_from, rcpt_tos = "", []
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 5.5.2 command not implemented")
