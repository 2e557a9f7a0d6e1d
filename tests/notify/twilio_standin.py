"""A local stand-in of Twilio's REST endpoints (Messaging and Verify) for the SMS tests.

It checks HTTP Basic auth and the form body the real ``twilio`` client sends, records every
request, and answers with Twilio-shaped JSON: a success, or the error a test asked for.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "stand-in-auth-token"
VERIFY_SID = "VA" + "1" * 32

_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC\w{32})/Messages\.json$")
_VERIFICATIONS = re.compile(r"^/v2/Services/(VA\w{32})/Verifications$")
_CHECKS = re.compile(r"^/v2/Services/(VA\w{32})/VerificationCheck$")


@dataclass
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]
    authorised: bool
    headers: dict[str, str]


@dataclass
class TwilioStandIn:
    base_url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    # To-number -> (HTTP status, Twilio error code) for numbers that should fail.
    failures: dict[str, tuple[int, int]] = field(default_factory=dict)
    # The code the Verify API "sent", per number.
    verify_codes: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: int, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def make_handler(state: TwilioStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            authorised = self.headers.get("Authorization") == expected
            state.requests.append(RecordedRequest("POST", self.path, form, authorised, dict(self.headers)))
            if not authorised:
                self._reply(401, _error(401, 20003, "Authenticate"))
                return
            if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                self._reply(400, _error(400, 20001, "Bad content type"))
                return
            to = form.get("To", "")
            if to in state.failures:
                status, code = state.failures[to]
                self._reply(status, _error(status, code, f"Stand-in error {code} for {to}"))
                return
            if match := _MESSAGES.match(self.path):
                if match.group(1) != ACCOUNT_SID or not form.get("Body") or not form.get("From"):
                    self._reply(400, _error(400, 21604, "A 'Body' and 'From' are required."))
                    return
                self._reply(
                    201,
                    {
                        "sid": "SM" + "a" * 32,
                        "account_sid": ACCOUNT_SID,
                        "to": to,
                        "from": form["From"],
                        "body": form["Body"],
                        "status": "queued",
                        "num_segments": "1",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/SM{'a' * 32}.json",
                    },
                )
                return
            if _VERIFICATIONS.match(self.path):
                state.verify_codes[to] = "424242"
                self._reply(
                    201,
                    {
                        "sid": "VE" + "b" * 32,
                        "service_sid": VERIFY_SID,
                        "account_sid": ACCOUNT_SID,
                        "to": to,
                        "channel": form.get("Channel"),
                        "status": "pending",
                        "valid": False,
                    },
                )
                return
            if _CHECKS.match(self.path):
                if to not in state.verify_codes:
                    self._reply(404, _error(404, 20404, "The requested resource was not found"))
                    return
                approved = form.get("Code") == state.verify_codes[to]
                if approved:
                    del state.verify_codes[to]
                self._reply(
                    200,
                    {
                        "sid": "VE" + "b" * 32,
                        "service_sid": VERIFY_SID,
                        "to": to,
                        "channel": "sms",
                        "status": "approved" if approved else "pending",
                        "valid": approved,
                    },
                )
                return
            self._reply(404, _error(404, 20404, "The requested resource was not found"))

    return Handler


class RunningStandIn:
    def __init__(self) -> None:
        self.state = TwilioStandIn()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        host, port = self.server.server_address[:2]
        self.state.base_url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TwilioStandIn:
        self.thread.start()
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
