"""Bandwidth as the rest of telephony sees it: its settings and their environment variables,
which ones are secret, the two ways to authenticate, what recordings scrub, its capabilities.
The registry, the command line and the testing kit derive everything from this."""

from __future__ import annotations

from telephony.toolkit import (
    Capabilities,
    Credentials,
    PathSegment,
    ProviderInfo,
    Recording,
    Setting,
)

__all__ = ["BANDWIDTH", "DEFAULT_BASE_URL", "DEFAULT_TOKEN_URL", "MAX_PAGE_SIZE"]

DEFAULT_BASE_URL = "https://voice.bandwidth.com/api/v2"
DEFAULT_TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token"  # noqa: S105 - a URL
MAX_PAGE_SIZE = 10000

BANDWIDTH = ProviderInfo(
    name="bandwidth",
    adapter="telephony.adapters.bandwidth._adapter:BandwidthAdapter",
    summary="Bandwidth Voice API v2",
    settings=(
        Setting(name="account_id", help="account id", placeholder="ACCOUNT_ID"),
        Setting(name="username", help="API user (Basic auth)", placeholder="USERNAME"),
        Setting(name="password", help="API password", secret=True, placeholder="PASSWORD"),
        Setting(
            name="client_id",
            help="OAuth2 client id (instead of a user)",
            placeholder="CLIENT_ID",
        ),
        Setting(
            name="client_secret",
            help="OAuth2 client secret",
            secret=True,
            placeholder="CLIENT_SECRET",
        ),
        Setting(
            name="application_id",
            help="voice application for created calls",
            placeholder="APPLICATION_ID",
        ),
        Setting(
            name="base_url",
            help="API root",
            default=DEFAULT_BASE_URL,
            placeholder=DEFAULT_BASE_URL,
            url=True,
        ),
        Setting(
            name="token_url",
            help="OAuth2 token URL",
            default=DEFAULT_TOKEN_URL,
            placeholder=DEFAULT_TOKEN_URL,
            url=True,
        ),
    ),
    required=("account_id",),
    credentials=(
        Credentials(name="basic", settings=("username", "password")),
        Credentials(
            name="oauth2", settings=("client_id", "client_secret"), optional=("token_url",)
        ),
    ),
    recording=Recording(
        path_segments=(PathSegment(before="/accounts/", after="/calls", placeholder="ACCOUNT_ID"),),
        json_fields={
            "accountId": "ACCOUNT_ID",
            "applicationId": "APPLICATION_ID",
            # answer/fallback URL credentials of a created call
            "password": "REDACTED",
            "fallbackPassword": "REDACTED",
        },
    ),
    callbacks="telephony.adapters.bandwidth._callbacks:BandwidthCallbacks",
    capabilities=Capabilities(
        replace_bxml=True, server_side_status_filter=False, max_page_size=MAX_PAGE_SIZE
    ),
)
