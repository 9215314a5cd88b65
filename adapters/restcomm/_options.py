"""Restcomm-only settings: options for a new call, and live-call changes the neutral API has no
words for (Mute, MoveConnectedCallLeg). Neither widens the neutral model."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from telephony.toolkit import ValidationError, check_method, check_url

__all__ = ["STATUS_CALLBACK_EVENTS", "RestcommCallUpdate", "RestcommOptions"]

STATUS_CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")


def _check_text(value: str | None, field: str) -> None:
    if value is not None and (not isinstance(value, str) or not value or len(value) > 1024):
        raise ValidationError("must be a non-empty string of at most 1024 characters", field=field)


def _check_flag(value: bool | None, field: str) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError("must be True, False or None", field=field)


@attrs.frozen(kw_only=True)
class RestcommOptions:
    """Restcomm-only settings for ``NewCall(options=...)``.

    ``username``/``password`` are the SIP credentials Restcomm presents when it dials a SIP URI
    that asks for authentication (the password is never shown in a repr).
    ``status_callback_events`` picks among ``initiated``, ``ringing``, ``answered`` and
    ``completed`` (sent as ``StatusCallbackEvent``). Note that Restcomm-Connect's servers send
    all four progress events whatever this says; the option is passed on as documented.
    """

    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    status_callback_events: Sequence[str] | None = None

    def check(self) -> None:
        """Raise ValidationError naming the field at fault."""
        _check_text(self.username, "username")
        _check_text(self.password, "password")
        if (self.username is None) != (self.password is None):
            raise ValidationError(
                "SIP authentication takes username and password together",
                field="password" if self.password is None else "username",
            )
        events = self.status_callback_events
        if events is None:
            return
        if isinstance(events, str) or not isinstance(events, Sequence) or not events:
            raise ValidationError(
                "must be a non-empty list of event names", field="status_callback_events"
            )
        for event in events:
            if event not in STATUS_CALLBACK_EVENTS:
                raise ValidationError(
                    f"takes {', '.join(STATUS_CALLBACK_EVENTS)}; got {event!r}",
                    field="status_callback_events",
                )

    def status_callback_event(self) -> str | None:
        """The ``StatusCallbackEvent`` form value: names once each, in the order given."""
        if self.status_callback_events is None:
            return None
        return ",".join(dict.fromkeys(self.status_callback_events))


@attrs.frozen(kw_only=True)
class RestcommCallUpdate:
    """A Restcomm-only change to a live call (``POST .../Calls/{CallSid}``), for
    ``telephony.adapters.restcomm.modify_call`` (vendor-only: other providers have no such
    operation).

    ``url``/``method`` redirect the call, as ``client.redirect`` does. ``mute`` mutes (True) or
    unmutes (False) it. ``move_connected_call_leg`` asks Restcomm to move the leg connected to
    this call along with it on a redirect. Beware a server side effect: any change sent without
    ``mute=True`` unmutes a muted call, so keep ``mute=True`` on every change to a muted call.
    """

    url: str | None = None
    method: str | None = None
    fallback_url: str | None = None
    fallback_method: str | None = None
    status_callback_url: str | None = None
    status_callback_method: str | None = None
    mute: bool | None = None
    move_connected_call_leg: bool | None = None

    def check(self) -> None:
        """Raise ValidationError naming the field at fault."""
        if attrs.astuple(self) == attrs.astuple(RestcommCallUpdate()):
            raise ValidationError("says nothing to change", field="update")
        check_url(self.url, "url")
        check_url(self.fallback_url, "fallback_url")
        check_url(self.status_callback_url, "status_callback_url")
        check_method(self.method, "method")
        check_method(self.fallback_method, "fallback_method")
        check_method(self.status_callback_method, "status_callback_method")
        _check_flag(self.mute, "mute")
        _check_flag(self.move_connected_call_leg, "move_connected_call_leg")
        if self.method is not None and self.url is None:
            raise ValidationError("needs url", field="method")
