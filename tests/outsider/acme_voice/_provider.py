"""Acme Voice as telephony sees it: everything the registry, the command line and the testing
kit need to know, and nothing more. Its entry point::

    [project.entry-points."telephony.adapters"]
    acme = "tests.outsider.acme_voice._provider:ACME"
"""

from __future__ import annotations

from telephony.toolkit import (
    Capabilities,
    Credentials,
    PathSegment,
    ProviderInfo,
    Recording,
    Setting,
)

__all__ = ["ACME", "API_KEY_HEADER", "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "https://api.acme-voice.example/v1"
API_KEY_HEADER = "X-Acme-Key"

ACME = ProviderInfo(
    name="acme",
    adapter="tests.outsider.acme_voice._adapter:AcmeAdapter",
    summary="Acme Voice (a third-party adapter)",
    settings=(
        Setting(name="tenant_id", help="tenant id", placeholder="TENANT_ID"),
        Setting(name="api_key", help="API key", secret=True, placeholder="API_KEY"),
        Setting(
            name="base_url",
            help="API root",
            default=DEFAULT_BASE_URL,
            placeholder="https://acme.example/v1",
            url=True,
        ),
    ),
    required=("tenant_id",),
    credentials=(Credentials(name="key", settings=("api_key",)),),
    recording=Recording(
        headers=(API_KEY_HEADER,),
        json_fields={"tenantId": "TENANT_ID", "signingKey": "REDACTED"},
        path_segments=(PathSegment(before="/tenants/", after="/calls", placeholder="TENANT_ID"),),
    ),
    capabilities=Capabilities(max_page_size=100),
)
