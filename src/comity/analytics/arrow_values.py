"""Arrow scalars made without pyarrow's conversion of Python objects.

Given a Python number or text (``pc.equal(column, 2010)``, ``pa.scalar(...)``, ``pa.array``),
pyarrow first checks whether it is a pandas value, which imports pandas: 0.2 s of a command
line call that otherwise never needs it. A scalar built here from its bytes does not.
"""

from __future__ import annotations

import struct
from typing import Any

__all__ = ["scalar"]

_FORMATS = {"int8": "<b", "int16": "<h", "int32": "<i", "int64": "<q", "double": "<d"}


def scalar(value: int | float | str, arrow_type: Any) -> Any:
    """``value`` as an Arrow scalar of ``arrow_type`` (integers, float64, string or large_string).

    Raises:
        TypeError: For another type.
    """
    import pyarrow as pa

    name = str(arrow_type)
    if name in _FORMATS:
        data = pa.py_buffer(struct.pack(_FORMATS[name], value))
        return pa.Array.from_buffers(arrow_type, 1, [None, data])[0]
    if name in ("string", "large_string"):
        encoded = str(value).encode()
        layout = "<qq" if name == "large_string" else "<ii"
        offsets = pa.py_buffer(struct.pack(layout, 0, len(encoded)))
        return pa.Array.from_buffers(arrow_type, 1, [None, offsets, pa.py_buffer(encoded)])[0]
    raise TypeError(f"no scalar of {name} is made here")
