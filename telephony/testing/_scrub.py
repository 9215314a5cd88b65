"""Scrubbing recorded HTTP traffic so a cassette made against a real account can be committed.

Three kinds of rewriting, applied to every request and response the recorder keeps (and to
live requests on replay, so they match what was stored):

- structural: what every recording scrubs (the ``Authorization`` / cookie headers, dropped;
  OAuth2 tokens and client secrets in JSON, forms and queries) and what each provider's
  description (``ProviderInfo.recording``) adds: account ids in request paths
  (``/accounts/{id}/calls``), id and password fields in JSON, form and XML bodies, custom
  credential headers;
- learned: every value found by a structural rule (and every credential handed to
  ``learn``) is replaced wherever else it appears: in URLs, ``Link`` / ``Location`` headers,
  ``callUrl`` / ``Uri`` fields, error texts;
- rebased: a live server's base URL (``http://127.0.0.1:PORT/...`` of a sandbox) becomes a
  fixed placeholder base URL, so replays match whatever port the recording used.

Nothing here knows vcrpy's classes: it works on URL strings, header mappings and bodies.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from telephony._provider import ProviderInfo

__all__ = [
    "ACCESS_TOKEN",
    "CREDENTIAL_HEADERS",
    "REDACTED",
    "USERNAME",
    "Rules",
    "Scrubber",
    "default_rules",
]

REDACTED = "REDACTED"
ACCESS_TOKEN = "ACCESS_TOKEN"  # noqa: S105 - the placeholder, not a token
USERNAME = "USERNAME"

# Dropped from requests and responses alike, whatever the provider.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
# Volatile answer headers: dropping them keeps re-recordings comparable.
_VOLATILE_HEADERS = frozenset({"date", "connection", "keep-alive"})
# A value shorter than this is never replaced wherever it appears: "1" or "ab" would garble
# unrelated text. (Structural rules still rewrite such values where they stand.)
MIN_LEARNED_LENGTH = 4

# What every recording scrubs: OAuth2 (RFC 6749) tokens and client credentials.
_JSON_FIELDS = {
    "access_token": ACCESS_TOKEN,
    "refresh_token": REDACTED,
    "id_token": REDACTED,
    "client_secret": REDACTED,
}
_FORM_FIELDS = {
    "client_secret": REDACTED,
    "client_assertion": REDACTED,
    "refresh_token": REDACTED,
    "password": REDACTED,
}
_QUERY_FIELDS = {"access_token": ACCESS_TOKEN, "token": REDACTED, "password": REDACTED}
# A body that looks like a form although no Content-Type says so.
_FORM = re.compile(r"[\w.%~-]+=[^&=]*(?:&[\w.%~-]+=[^&=]*)*")


def _json_pattern(keys: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r'"(' + "|".join(map(re.escape, keys)) + r')"(\s*:\s*)"((?:[^"\\]|\\.)*)"')


def _xml_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    names = list(names)
    if not names:
        return None
    return re.compile(r"<(" + "|".join(map(re.escape, names)) + r")>([^<]*)</\1>")


@attrs.frozen
class Rules:
    """The structural rules of a recording: what every recording scrubs plus what the
    providers' descriptions add (``rules_for``)."""

    headers: frozenset[str]
    path: tuple[tuple[re.Pattern[str], str], ...]
    json_fields: Mapping[str, str]
    form_fields: Mapping[str, str]
    xml_fields: Mapping[str, str]
    query_fields: Mapping[str, str]
    json_pattern: re.Pattern[str]
    xml_pattern: re.Pattern[str] | None

    @classmethod
    def for_providers(cls, infos: Iterable[ProviderInfo]) -> Rules:
        headers = set(CREDENTIAL_HEADERS)
        path: list[tuple[re.Pattern[str], str]] = []
        json_fields, form_fields = dict(_JSON_FIELDS), dict(_FORM_FIELDS)
        xml_fields: dict[str, str] = {}
        query_fields = dict(_QUERY_FIELDS)
        for info in infos:
            recording = info.recording
            headers.update(name.lower() for name in recording.headers)
            path.extend(
                (segment.pattern(), segment.placeholder) for segment in recording.path_segments
            )
            json_fields.update(recording.json_fields)
            form_fields.update(recording.form_fields)
            xml_fields.update(recording.xml_fields)
            query_fields.update(recording.query_fields)
        return cls(
            headers=frozenset(headers),
            path=tuple(path),
            json_fields=json_fields,
            form_fields=form_fields,
            xml_fields=xml_fields,
            query_fields=query_fields,
            json_pattern=_json_pattern(json_fields),
            xml_pattern=_xml_pattern(xml_fields),
        )


def default_rules() -> Rules:
    """The rules for every installed provider (``telephony.providers()``)."""
    from telephony._registry import describe_all

    return Rules.for_providers(describe_all().values())


def _bounded(value: str) -> re.Pattern[str]:
    # Not inside a longer id: "123" must not hit "91234".
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Scrubber:
    """Rewrites traffic for storage. One per cassette session: it remembers the values it
    learned, so a secret seen once is replaced everywhere afterwards."""

    def __init__(
        self,
        *,
        rebase: Mapping[str, str] | None = None,
        replace: Mapping[str, str] | None = None,
        rules: Rules | None = None,
    ) -> None:
        self.rules = rules if rules is not None else default_rules()
        self._bases: dict[str, str] = {}
        self._values: dict[str, str] = {}
        self._value_patterns: list[tuple[re.Pattern[str], str]] = []
        for live, placeholder in (rebase or {}).items():
            self.rebase(live, placeholder)
        for value, replacement in (replace or {}).items():
            self.learn(value, replacement)

    def __repr__(self) -> str:
        # Never show learned values: they are the secrets.
        return f"Scrubber(bases={len(self._bases)}, learned={len(self._values)})"

    # -- configuration -----------------------------------------------------------------------

    def rebase(self, live: str, placeholder: str) -> None:
        """Store URLs under ``live`` (a base URL, e.g. ``http://127.0.0.1:4321/restcomm``)
        as under ``placeholder``; the bare origin is mapped too."""
        live, placeholder = live.rstrip("/"), placeholder.rstrip("/")
        if not live or live == placeholder:
            return
        self._bases[live] = placeholder
        if urlsplit(live).path not in ("", "/"):
            self._bases.setdefault(_origin(live), _origin(placeholder))

    def learn(self, value: object, replacement: str) -> None:
        """Replace ``value`` by ``replacement`` wherever it appears from now on."""
        if not isinstance(value, str) or value == replacement:
            return
        if len(value) < MIN_LEARNED_LENGTH or value in self._values:
            return
        self._values[value] = replacement
        # Longest first, so a value containing another is replaced whole.
        self._value_patterns = [
            (_bounded(known), self._values[known])
            for known in sorted(self._values, key=len, reverse=True)
        ]

    # -- text --------------------------------------------------------------------------------

    def text(self, text: str) -> str:
        """Rebase URLs and replace every learned value in ``text``."""
        for live in sorted(self._bases, key=len, reverse=True):
            text = re.sub(rf"{re.escape(live)}(?![0-9])", self._bases[live], text)
        for pattern, replacement in self._value_patterns:
            text = pattern.sub(replacement, text)
        return text

    def url(self, url: str) -> str:
        """A request URL for storage: account ids in the path and credential query values
        replaced, no user info, base rebased."""
        for live in sorted(self._bases, key=len, reverse=True):
            if url == live or url.startswith((live + "/", live + "?")):
                url = self._bases[live] + url[len(live) :]
                break
        parts = urlsplit(url)
        path = parts.path
        for pattern, placeholder in self.rules.path:
            for found in pattern.finditer(path):
                self.learn(found.group(2), placeholder)
            path = pattern.sub(rf"\g<1>{placeholder}", path)
        query = self._fields(parts.query, self.rules.query_fields) if parts.query else ""
        netloc = parts.netloc.rpartition("@")[2]
        return self.text(urlunsplit((parts.scheme, netloc, path, query, parts.fragment)))

    # -- headers -----------------------------------------------------------------------------

    def learn_authorization(self, value: str) -> None:
        """Learn the credentials in an ``Authorization`` header before it is dropped."""
        scheme, _, credentials = value.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                self.learn(credentials, REDACTED)
                return
            user, _, password = decoded.partition(":")
            self.learn(password, REDACTED)
            self.learn(user, USERNAME)  # no-op when the user is an account id already learned
            self.learn(credentials, REDACTED)
        elif credentials:
            self.learn(credentials, ACCESS_TOKEN if scheme.lower() == "bearer" else REDACTED)

    def header_value(self, name: str, value: str) -> str | None:
        """The stored value of a header, or None to drop it."""
        lower = name.lower()
        if lower in self.rules.headers:
            if lower in ("authorization", "proxy-authorization"):
                self.learn_authorization(value)
            elif lower not in ("cookie", "set-cookie"):
                self.learn(value.strip(), REDACTED)  # a provider's credential header
            return None
        return self.text(value)

    def response_headers(self, headers: Mapping[str, list[str]]) -> dict[str, list[str]]:
        kept: dict[str, list[str]] = {}
        for name, values in headers.items():
            if name.lower() in _VOLATILE_HEADERS:
                continue
            stored = [v for v in (self.header_value(name, value) for value in values) if v]
            if stored:
                kept[name] = stored
        return kept

    # -- bodies ------------------------------------------------------------------------------

    def body(self, body: bytes | None, content_type: str) -> bytes | None:
        """A body for storage. A body that is not UTF-8 text is kept as is: there is no
        text to scrub in it."""
        if not body:
            return body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return self.body_text(text, content_type).encode("utf-8")

    def body_text(self, text: str, content_type: str) -> str:
        kind = content_type.split(";")[0].strip().lower()
        if "json" in kind or text.lstrip().startswith(("{", "[")):
            text = self.rules.json_pattern.sub(self._json_field, text)
        if kind == "application/x-www-form-urlencoded" or (not kind and _FORM.fullmatch(text)):
            text = self._fields(text, self.rules.form_fields)
        xml = self.rules.xml_pattern
        if xml is not None and ("xml" in kind or text.lstrip().startswith("<")):
            text = xml.sub(self._xml_field, text)
        return self.text(text)

    def _json_field(self, found: re.Match[str]) -> str:
        key, colon, raw = found.group(1), found.group(2), found.group(3)
        try:
            value = json.loads(f'"{raw}"')
        except ValueError:
            value = raw
        placeholder = self.rules.json_fields[key]
        if value in ("", "*****"):  # empty or already masked by the vendor
            return found.group(0)
        self.learn(value, placeholder)
        return f'"{key}"{colon}"{placeholder}"'

    def _xml_field(self, found: re.Match[str]) -> str:
        name, value = found.group(1), found.group(2)
        if not value.strip():
            return found.group(0)
        placeholder = self.rules.xml_fields[name]
        self.learn(value.strip(), placeholder)
        return f"<{name}>{placeholder}</{name}>"

    def _fields(self, text: str, secret_fields: Mapping[str, str]) -> str:
        """Scrub ``key=value&...`` text (a form body, a query) field by field, on decoded
        values; re-encoded only when something changed, so what a client sent stays as
        sent."""
        pairs = parse_qsl(text, keep_blank_values=True)
        for key, value in pairs:
            if key in secret_fields and value:
                self.learn(value, secret_fields[key])
        scrubbed = [
            (key, secret_fields[key] if key in secret_fields and value else self.text(value))
            for key, value in pairs
        ]
        return text if scrubbed == pairs else urlencode(scrubbed)

    # -- whole interactions (vcrpy's shapes, duck-typed) -------------------------------------

    def request_parts(
        self,
        *,
        url: str,
        headers: Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> tuple[str, list[tuple[str, str]], bytes | None]:
        """Scrub one request: the URL first (account ids are learned from the path), then
        the Authorization header (a Basic user that is the account id stays the account
        placeholder), then the body."""
        header_list = list(headers)
        url = self.url(url)
        for name, value in header_list:
            if name.lower() in ("authorization", "proxy-authorization"):
                self.learn_authorization(value)
        url = self.text(url)
        content_type = next((v for n, v in header_list if n.lower() == "content-type"), "")
        body = self.body(body, content_type)
        stored = [
            (name, scrubbed)
            for name, value in header_list
            if name.lower() not in ("host", "content-length")  # derived from URL and body
            and (scrubbed := self.header_value(name, value)) is not None
        ]
        return url, stored, body
