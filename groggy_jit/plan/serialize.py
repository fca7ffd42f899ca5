"""Versioned JSON and binary forms of a ``ExecutionPlan``, and the binary envelope.

The JSON document is defined in ``plan_format`` and read back, fully checked, by
``plan_loader``; this module adds the binary form around it.  Nothing is
unpickled or evaluated; any malformed input raises ``PlanFormatError``.

The binary form is ``MAGIC``, a big-endian ``u16`` serialization version and
``u32`` payload length, the payload (the canonical JSON, zlib-compressed), and
a ``u32`` CRC-32 of everything before it.

Examples
--------
>>> import groggy_jit as gj
>>> from groggy_jit.plan.serialize import plan_from_bytes, plan_to_bytes
>>> plan = gj.pagerank.plan
>>> plan_from_bytes(plan_to_bytes(plan)).plan_hash == plan.plan_hash
True
"""

from __future__ import annotations

import struct
import zlib

from .plan import ExecutionPlan
from .plan_format import SERIALIZATION_VERSION, check_version, constants_table, format_error, plan_to_json
from .plan_loader import plan_from_json

__all__ = ["SERIALIZATION_VERSION", "MAGIC", "plan_to_json", "plan_from_json", "plan_to_bytes",
           "plan_from_bytes", "constants_table"]

MAGIC = b"GJPLAN"

_HEADER = struct.Struct(">6sHI")          # magic, serialization version, payload length
_TRAILER = struct.Struct(">I")            # CRC-32 of header + payload
_MAX_JSON_BYTES = 256 * 2**20             # a decompressed payload larger than this is refused


def plan_to_bytes(plan: ExecutionPlan) -> bytes:
    """The plan in the compact binary form (compressed canonical JSON with a CRC-32)."""
    payload = zlib.compress(plan_to_json(plan).encode("utf-8"), 9)
    head = _HEADER.pack(MAGIC, SERIALIZATION_VERSION, len(payload)) + payload
    return head + _TRAILER.pack(zlib.crc32(head))


def plan_from_bytes(data: bytes) -> ExecutionPlan:
    """Load a plan written by :func:`plan_to_bytes`; corrupted input raises PlanFormatError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise format_error(f"expected bytes, got {type(data).__name__}",
                     "pass the bytes plan_to_bytes returned (open files in binary mode)")
    data = bytes(data)
    if len(data) < len(MAGIC) or not data.startswith(MAGIC):
        hint = (" (it looks like JSON: use plan_from_json)" if data.lstrip()[:1] in (b"{", b"[")
                else "")
        raise format_error(f"the data does not start with {MAGIC!r}, so it is not a binary "
                     f"groggy-jit plan{hint}", "check that the right file was given")
    if len(data) < _HEADER.size + _TRAILER.size:
        raise format_error(f"the data is truncated ({len(data)} bytes, the header alone needs "
                     f"{_HEADER.size + _TRAILER.size})")
    _, version, length = _HEADER.unpack_from(data)
    check_version(version)
    expected = _HEADER.size + length + _TRAILER.size
    if len(data) < expected:
        raise format_error(f"the data is truncated: {len(data)} bytes, the header announces {expected}")
    if len(data) > expected:
        raise format_error(f"{len(data) - expected} unexpected byte(s) after the end of the plan")
    (stored,) = _TRAILER.unpack_from(data, expected - _TRAILER.size)
    actual = zlib.crc32(data[:expected - _TRAILER.size])
    if stored != actual:
        raise format_error(f"checksum mismatch (stored {stored:08x}, computed {actual:08x}): the data "
                     "is corrupted")
    text = _inflate(data[_HEADER.size:_HEADER.size + length])
    plan = plan_from_json(text)
    return plan


def _inflate(payload: bytes) -> str:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(payload, _MAX_JSON_BYTES)
    except zlib.error as e:
        raise format_error(f"the compressed payload cannot be decompressed ({e})") from None
    if inflater.unconsumed_tail:
        raise format_error(f"the payload decompresses to more than {_MAX_JSON_BYTES} bytes",
                     "plans are far smaller; the data is corrupted or not a plan")
    if not inflater.eof or inflater.unused_data:
        raise format_error("the compressed payload is incomplete or has trailing data")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise format_error(f"the payload is not UTF-8 text ({e})") from None
