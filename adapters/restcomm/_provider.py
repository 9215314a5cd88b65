"""Restcomm as the rest of telephony sees it: its settings and their environment variables,
which ones are secret, what recordings scrub, its capabilities. The registry, the command
line and the testing kit derive everything from this."""

from __future__ import annotations

from telephony.toolkit import (
    Capabilities,
    Credentials,
    PathSegment,
    ProviderInfo,
    Recording,
    Setting,
)

__all__ = ["MAX_PAGE_SIZE", "RESTCOMM"]

# The server has no maximum; answers stay far below the XML size limit even at this size.
MAX_PAGE_SIZE = 1000

RESTCOMM = ProviderInfo(
    name="restcomm",
    adapter="telephony.adapters.restcomm._adapter:RestcommAdapter",
    summary="Restcomm-Connect (Twilio-style API)",
    settings=(
        Setting(
            name="base_url",
            help="server's Restcomm root, e.g. https://host/restcomm",
            placeholder="https://restcomm.example/restcomm",
            url=True,
        ),
        Setting(name="account_sid", help="Account SID (AC...)", placeholder="ACCOUNT_SID"),
        Setting(name="auth_token", help="auth token", secret=True, placeholder="AUTH_TOKEN"),
    ),
    required=("base_url",),
    credentials=(Credentials(name="basic", settings=("account_sid", "auth_token")),),
    recording=Recording(
        path_segments=(
            PathSegment(before="/Accounts/", after="/Calls", placeholder="ACCOUNT_SID"),
        ),
        form_fields={"Password": "REDACTED", "AuthToken": "REDACTED"},
        xml_fields={"AccountSid": "ACCOUNT_SID", "AuthToken": "REDACTED", "Password": "REDACTED"},
    ),
    callbacks="telephony.adapters.restcomm._callbacks:RestcommCallbacks",
    capabilities=Capabilities(
        replace_bxml=False, server_side_status_filter=False, max_page_size=MAX_PAGE_SIZE
    ),
)
