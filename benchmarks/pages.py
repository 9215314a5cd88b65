"""Pre-rendered vendor pages for the listing benchmarks.

Every contestant reads the same bytes: Bandwidth ``callState`` JSON arrays (a
``Link: <...>; rel="next"`` header while more remain, at most 10,000 calls per query) and
Restcomm ``<RestcommResponse>`` XML pages (``Page``/``PageSize``). Records are deterministic
for a seed and look like real ones: every documented field, a realistic mix of states,
causes, directions and null times.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

__all__ = [
    "ACCOUNT_ID",
    "ACCOUNT_SID",
    "BANDWIDTH_LISTING_CAP",
    "BANDWIDTH_PATH",
    "RESTCOMM_PATH",
    "bandwidth_bodies",
    "bandwidth_records",
    "restcomm_pages",
]

ACCOUNT_ID = "9900000"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
BANDWIDTH_PATH = f"/api/v2/accounts/{ACCOUNT_ID}/calls"
RESTCOMM_PATH = f"/restcomm/2012-04-24/Accounts/{ACCOUNT_SID}/Calls"
# Bandwidth answers at most this many calls per query; a longer listing asks again from a
# later minStartTime.
BANDWIDTH_LISTING_CAP = 10000

_EPOCH = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
# Bandwidth disconnect causes, weighted roughly like a real account's traffic.
_CAUSES = (
    ("hangup", 70),
    ("busy", 6),
    ("timeout", 8),
    ("cancel", 6),
    ("rejected", 4),
    ("callback-error", 2),
    ("invalid-bxml", 1),
    ("application-error", 1),
    ("error", 2),
)
_RESTCOMM_STATUS = (
    ("completed", 70),
    ("BUSY", 6),
    ("NO_ANSWER", 8),
    ("canceled", 6),
    ("FAILED", 4),
    ("IN_PROGRESS", 3),
    ("ringing", 2),
    ("QUEUED", 1),
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    choice: str = rng.choices(values, weights)[0]
    return choice


def _iso_ms(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _number(rng: random.Random) -> str:
    return f"+1{rng.randint(201, 989)}{rng.randint(2000000, 9999999)}"


def bandwidth_records(count: int, *, seed: int) -> list[dict[str, object]]:
    """``count`` callState objects, oldest first, as Bandwidth's list answer carries them."""
    rng = random.Random(seed)
    records: list[dict[str, object]] = []
    for index in range(count):
        enqueued = _EPOCH + timedelta(seconds=index * 3.7, milliseconds=rng.randint(0, 999))
        start = enqueued + timedelta(milliseconds=rng.randint(20, 900))
        cause = _pick(rng, _CAUSES)
        answered = cause in ("hangup", "callback-error", "invalid-bxml", "application-error")
        answer = start + timedelta(seconds=rng.uniform(2, 25)) if answered else None
        if answer is not None:
            end = answer + timedelta(seconds=rng.expovariate(1 / 120))
        else:
            end = start + timedelta(seconds=rng.uniform(1, 30))
        inbound = rng.random() < 0.45
        transfer = not inbound and index > 0 and rng.random() < 0.08
        failed = cause in ("callback-error", "invalid-bxml", "application-error", "error")
        call_id = f"c-{rng.getrandbits(64):016x}-{rng.getrandbits(64):016x}"
        records.append(
            {
                "applicationId": "04e88489-df02-4e34-a0ee-27a91849555f",
                "accountId": ACCOUNT_ID,
                "callId": call_id,
                "parentCallId": f"c-{index - 1:032x}" if transfer else None,
                "to": _number(rng),
                "from": _number(rng),
                "direction": "inbound" if inbound else "outbound",
                "state": "disconnected",
                "stirShaken": {"verstat": "TN-Validation-Passed", "attestationIndicator": "A"}
                if inbound
                else None,
                "identity": None,
                "enqueuedTime": None if inbound else _iso_ms(enqueued),
                "startTime": _iso_ms(start),
                "answerTime": _iso_ms(answer) if answer is not None else None,
                "endTime": _iso_ms(end),
                "disconnectCause": cause,
                "errorMessage": "Call failed" if failed else None,
                "errorId": f"err-{index}" if failed else None,
                "lastUpdate": _iso_ms(end + timedelta(milliseconds=40)),
            }
        )
    return records


def bandwidth_bodies(records: list[dict[str, object]], *, page_size: int) -> list[bytes]:
    """One query's answer, page by page (``[]`` when nothing matched)."""
    return [
        json.dumps(records[start : start + page_size], separators=(",", ":")).encode()
        for start in range(0, len(records), page_size)
    ] or [b"[]"]


def _rfc2822(moment: datetime) -> str:
    # Restcomm's DateCreated style: unpadded day, the server's offset (UTC here).
    return f"{moment:%a}, {moment.day} {moment:%b %Y %H:%M:%S} +0000"


def _restcomm_call(rng: random.Random, index: int) -> str:
    sid = f"ID{rng.getrandbits(128):032x}-CA{rng.getrandbits(128):032x}"
    created = _EPOCH + timedelta(seconds=index * 3.7)
    status = _pick(rng, _RESTCOMM_STATUS)
    start = created + timedelta(seconds=1)
    talk = rng.randint(3, 400) if status in ("completed", "IN_PROGRESS") else 0
    ended = status not in ("IN_PROGRESS", "ringing", "QUEUED")
    end = start + timedelta(seconds=talk + rng.randint(2, 20)) if ended else None
    direction = rng.choice(("inbound", "outbound-api", "outbound-dial", "Client-To-Client"))
    uri = f"/2012-04-24/Accounts/{ACCOUNT_SID}/Calls/{sid}"
    fields = (
        ("Sid", sid),
        ("InstanceId", "ID" + "1f2d67b716b34162954fbfc7d7d50b89"),
        ("DateCreated", _rfc2822(created)),
        ("DateUpdated", _rfc2822(end or start)),
        ("ParentCallSid", ""),
        ("AccountSid", ACCOUNT_SID),
        ("To", _number(rng)),
        ("From", _number(rng)),
        ("PhoneNumberSid", "PN" + "0" * 32),
        ("Status", status),
        ("StartTime", _iso_ms(start)),
        ("EndTime", _iso_ms(end) if end else ""),
        ("Duration", str(talk)),
        ("Price", "0.00"),
        ("PriceUnit", "USD"),
        ("Direction", direction),
        ("AnsweredBy", ""),
        ("ApiVersion", "2012-04-24"),
        ("ForwardedFrom", ""),
        ("CallerName", "Unknown"),
        ("Uri", uri),
    )
    parts = ["<Call>"]
    for name, value in fields:
        parts.append(f"<{name}>{escape(value)}</{name}>" if value else f"<{name}/>")
    parts.append(
        f"<SubresourceUris><Notifications>{uri}/Notifications</Notifications>"
        f"<Recordings>{uri}/Recordings</Recordings></SubresourceUris><Ring_duration/></Call>"
    )
    return "".join(parts)


def restcomm_pages(count: int, *, page_size: int, seed: int) -> list[bytes]:
    """The list answers for ``Page=0, 1, ...``; a page past the end is the server's 400."""
    rng = random.Random(seed)
    calls = [_restcomm_call(rng, index) for index in range(count)]
    pages: list[bytes] = []
    total_pages = max(1, -(-count // page_size))
    for number in range(total_pages):
        chunk = calls[number * page_size : (number + 1) * page_size]
        # The attributes are what a real server writes (numpages floored, links without
        # filters); clients must not trust them, and neither contestant reads them.
        attributes = (
            f'page="{number}" numpages="{count // page_size}" pagesize="{page_size}" '
            f'total="{count // page_size}" start="{number * page_size}" '
            f'end="{number * page_size + len(chunk) - 1}" uri="{RESTCOMM_PATH}" '
            f'nextpageuri="{RESTCOMM_PATH}?Page={number + 1}&amp;PageSize={page_size}"'
        )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<RestcommResponse><Calls {attributes}>'
            + "".join(chunk)
            + "</Calls></RestcommResponse>"
        )
        pages.append(body.encode())
    return pages
