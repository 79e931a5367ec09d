"""The `expdp` backend is spoken of as the `oracle` one: the same dump, the same drill."""

from texts.backends.oracle import WORDS

__all__ = ["WORDS"]
