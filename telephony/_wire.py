"""What every adapter's cattrs converter shares: vendor field names by a rename rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

__all__ = ["register_renames"]


def register_renames(
    converter: cattrs.Converter,
    wire_name: Callable[[attrs.Attribute[Any]], str],
    *,
    forbid_extra_keys: bool,
) -> None:
    """Make every attrs class on ``converter`` use ``wire_name(attribute)`` on the wire,
    leave None defaults out of requests, and (if asked) refuse keys it does not know."""

    def renames(cls: Any) -> dict[str, Any]:
        return {a.name: override(rename=wire_name(a)) for a in attrs.fields(cls)}

    def unstructure_factory(cls: Any) -> Any:
        return make_dict_unstructure_fn(
            cls, converter, _cattrs_omit_if_default=True, **renames(cls)
        )

    def structure_factory(cls: Any) -> Any:
        return make_dict_structure_fn(
            cls, converter, _cattrs_forbid_extra_keys=forbid_extra_keys, **renames(cls)
        )

    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    converter.register_structure_hook_factory(attrs.has, structure_factory)
