"""Restcomm-Connect "Calls" (API 2012-04-24), as its server really behaves.

Served under ``/restcomm/2012-04-24/Accounts/{AccountSid}/Calls``. Form posts in, XML out
(no ``.json`` variant), 200 on create with the ``Call`` element under an odd root, empty or
plain-text error bodies keyed on the status (406 unknown call, 410 ended call, 500 for a
malformed SID), mixed-case statuses, two date formats in one record, and Page/PageSize paging
with the server's defects: ``numpages`` = floor(total / pagesize), ``total`` written from the
page count, ``"null"`` links, page URIs without the filters, 400 past the end; newest first
unless ``SortBy`` asks otherwise.

Times as the server's ``Call`` actor writes them: ``StartTime`` at creation, moved to the
answer time on answer; ``EndTime`` and ``Duration`` (= end - start, whole seconds) when the leg
completes, so a canceled call's ``Duration`` is its ring time, and busy, no-answer and failed
legs have neither. Every leg the server places is ``outbound-api``, ``<Dial>`` legs included
(they carry a ``ParentCallSid``).

This module takes the requests (dispatch, credentials, create, get, modify); a call record
and the error bodies are written by ``_restcomm_wire.py`` and the listing is
``_restcomm_listing.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from telephony.sandbox._calls import (
    ANSWERED,
    CANCELED,
    ENDED,
    OUTBOUND,
    QUEUED,
    RINGING,
    TALKING,
    CallRecord,
    plan_for,
)
from telephony.sandbox._clock import SandboxClock
from telephony.sandbox._exchange import Reply, Request, basic_credentials, first
from telephony.sandbox._ledger import Ledger
from telephony.sandbox._restcomm_listing import RestcommListing
from telephony.sandbox._restcomm_wire import API_VERSION, SID, XML_TYPE, RestcommWriter, text_reply
from telephony.sandbox._times import millis

__all__ = ["API_ROOT", "DEFAULT_RING_TIMEOUT", "RestcommApi"]

API_ROOT = f"/restcomm/{API_VERSION}"
DEFAULT_RING_TIMEOUT = 60.0

_PATH = re.compile(API_ROOT + r"/Accounts/([^/]+)/Calls(?:/([^/]+))?")
# The SIP user part the server stores for ``client:NAME`` and ``sip:user@host``.
_USER_PART = re.compile(r"(?:client:|sips?:)([^@;]+)(?:@.*)?", re.DOTALL)


class RestcommApi:
    # Set by the Sandbox: called with each created call (its callbacks are then delivered).
    on_create: Callable[[CallRecord], None] | None = None

    def __init__(
        self,
        *,
        clock: SandboxClock,
        ledger: Ledger,
        account_sid: str,
        auth_token: str,
        email: str,
        instance_id: str,
        utc_offset_minutes: int = 0,
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._email = email
        self.instance_id = instance_id
        self.offset = utc_offset_minutes
        self.writer = RestcommWriter(account_sid=account_sid, utc_offset_minutes=utc_offset_minutes)
        self.listing = RestcommListing(
            clock=clock, ledger=ledger, writer=self.writer, utc_offset_minutes=utc_offset_minutes
        )

    def _one(self, record: CallRecord, now: float) -> Reply:
        body = (
            "<RestcommResponse>\n" + self.writer.call_xml(record, now, "  ") + "</RestcommResponse>"
        )
        return Reply(200, body.encode(), [XML_TYPE])

    # -- dispatch --------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        credentials = basic_credentials(request.header("authorization"))
        if credentials is None:
            return False
        user, password = credentials
        return user in (self.account_sid, self._email) and password == self.auth_token

    def handle(self, request: Request) -> Reply:
        if not self._authorized(request):
            return Reply(401, b"", [("WWW-Authenticate", 'Basic realm="Restcomm realm"')])
        match = _PATH.fullmatch(request.path)
        if match is None:
            return Reply(404)
        account, sid = match.groups()
        if account != self.account_sid:
            return Reply(403)
        method = request.method
        if sid is None:
            if method == "GET":
                return self.listing.list_calls(request)
            if method == "POST":
                return self.create_call(request)
        elif method == "GET":
            return self.get_call(sid)
        elif method == "POST":
            return self.modify_call(request, sid)
        return Reply(405, b"", [("Allow", "GET, POST, OPTIONS, HEAD")])

    def _form(self, request: Request) -> list[tuple[str, str]] | Reply:
        if request.body and request.media_type() != "application/x-www-form-urlencoded":
            return Reply(415)
        text = request.body.decode("utf-8", "replace")
        return parse_qsl(text, keep_blank_values=True)

    # -- operations ------------------------------------------------------------------------

    @staticmethod
    def _bad_sid(sid: str) -> Reply:
        # new Sid(...) throws and no exception mapper handles it.
        return text_reply(500, f"java.lang.IllegalArgumentException: Invalid Sid {sid}")

    def get_call(self, sid: str) -> Reply:
        if not SID.fullmatch(sid):
            return self._bad_sid(sid)
        record = self.ledger.find(sid)
        if record is None:
            return Reply(404)
        return self._one(record, self.clock.now())

    def create_call(self, request: Request) -> Reply:
        form = self._form(request)
        if isinstance(form, Reply):
            return form
        values = {name: first(form, name) for name in ("From", "To", "Url", "Timeout")}
        for name in ("From", "To", "Url"):
            if values[name] is None:
                return text_reply(400, f"{name} can not be null.")
        ring_timeout = DEFAULT_RING_TIMEOUT
        timeout_text = values["Timeout"]
        if timeout_text is not None:
            if not re.fullmatch(r"[+-]?[0-9]{1,9}", timeout_text):
                return text_reply(500, f'For input string: "{timeout_text}"')
            ring_timeout = float(int(timeout_text))
        to = (values["To"] or "").strip()
        user = _USER_PART.fullmatch(to)
        stored_to = user.group(1) if user else to  # the server keeps the SIP user part
        from_ = (values["From"] or "").strip()
        now = millis(self.clock.now())
        start, answer, end, outcome = plan_for(to, created=now, ring_timeout=ring_timeout)

        status_callback = first(form, "StatusCallback")
        callback_method = (first(form, "StatusCallbackMethod") or "POST").strip().upper()

        def make(position: int, sid: str) -> CallRecord:
            record = CallRecord(
                seq=position,
                id=sid,
                direction=OUTBOUND,
                from_=from_,
                to=stored_to,
                created=now,
                start=start,
                answer=answer,
                end=end,
                outcome=outcome,
                cause="",
                instance=self.instance_id,
                ring_timeout=ring_timeout,
            )
            if status_callback:
                record.extra["status_callback"] = (status_callback, callback_method)
            return record

        record = self.ledger.add(make)
        if self.on_create is not None:
            self.on_create(record)
        # xstream names the root after the record's Java class: clients must look for Call.
        root = "org.restcomm.connect.dao.entities.CallDetailRecord"
        body = f"<{root}>\n{self.writer.call_xml(record, now, '  ')}</{root}>"
        return Reply(200, body.encode(), [XML_TYPE])

    def modify_call(self, request: Request, sid: str) -> Reply:
        form = self._form(request)
        if isinstance(form, Reply):
            return form
        if not SID.fullmatch(sid):
            return self._bad_sid(sid)
        record = self.ledger.find(sid)
        if record is None:
            return Reply(406)
        url = first(form, "Url")
        status = first(form, "Status")
        with self.ledger.lock:
            now = millis(self.clock.now())
            phase = record.phase(now)
            if phase == ENDED:
                return text_reply(410, "Call is already completed.")
            if url is not None and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url):
                return text_reply(500, f"no protocol: {url}")
            before = self._one(record, now)  # the answer shows the call before the change
            wanted = (status or "").lower()
            if wanted == "completed" and phase == TALKING:
                record.end, record.outcome = now, ANSWERED
            elif wanted in ("completed", "canceled") and phase in (QUEUED, RINGING):
                # Completed hangs up in any live state; canceled only a call not answered
                # (on an answered call it answers 200 and does nothing).
                if phase == QUEUED:
                    record.start = None
                record.answer, record.end, record.outcome = None, now, CANCELED
            elif url is not None and phase == TALKING:
                record.updated.append(now)
        return before
