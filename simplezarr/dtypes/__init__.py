"""Zarr data types: v3 names and v2 type strings <-> numpy, and fill value JSON encodings.

A :class:`DataType` is a frozen value. ``numpy`` is the in-memory dtype in native byte order,
the one zarr-python 3.1.6 gives for such an array: ``StringDType()`` for ``string`` and
``object`` for ``variable_length_bytes``. Byte order is a property of the *stored* data, not
of the type: v3 keeps it in the ``bytes`` codec, v2 in the type string, so :func:`parse_v2_dtype`
returns it next to the type and :meth:`DataType.to_json` takes it as an argument.

Fill values (Zarr v3 core spec and zarr-python): integers as JSON integers, booleans as
``true``/``false``, floats as numbers, ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` or a hex bit
pattern such as ``"0x7fc00000"`` (read bit-exactly), complex numbers as ``[re, im]``, ``r<N>``
raw bits as a list of byte values, datetimes as an int64 count (NaT = -2**63), fixed-size bytes
and structured values as base64, strings as strings. A wrong value raises InvalidMetadata.

Modules, one concept each:

- :mod:`.base`: the :class:`DataType` base class and shared fill-value helpers
- :mod:`.numeric`: ``bool``, integers, floats, complex, ``r<N>`` raw bits
- :mod:`.time`: ``numpy.datetime64`` / ``numpy.timedelta64``
- :mod:`.text`: fixed-length UTF-32 and bytes, variable-length strings and bytes, v2 objects
- :mod:`.structured`: ``structured`` records
- :mod:`.registry`: v3 names, numpy dtypes and v2 type strings -> :class:`DataType`

Example:
    >>> dt = parse_v3_dtype("float32")
    >>> dt.numpy, dt.item_size
    (dtype('float32'), 4)
    >>> dt.fill_value_from_json("0x7fc00000", 3)
    np.float32(nan)
    >>> parse_v2_dtype(">i2")
    (IntType(name='int16'), 'big')
    >>> from_numpy("U10").to_json(3)
    {'name': 'fixed_length_utf32', 'configuration': {'length_bytes': 40}}
"""

from simplezarr.dtypes.base import DataType, Endian
from simplezarr.dtypes.numeric import (
    BoolType,
    ComplexType,
    FloatType,
    IntType,
    RawBitsType,
)
from simplezarr.dtypes.registry import (
    from_numpy,
    from_numpy_with_endian,
    parse_v2_dtype,
    parse_v3_dtype,
    register_data_type,
)
from simplezarr.dtypes.structured import StructuredType
from simplezarr.dtypes.text import (
    OBJECT_CODEC_IDS,
    FixedUTF32Type,
    NullTerminatedBytesType,
    ObjectType,
    RawBytesType,
    VlenBytesType,
    VlenStringType,
)
from simplezarr.dtypes.time import TimeType

__all__ = [
    "OBJECT_CODEC_IDS",
    "BoolType",
    "ComplexType",
    "DataType",
    "Endian",
    "FixedUTF32Type",
    "FloatType",
    "IntType",
    "NullTerminatedBytesType",
    "ObjectType",
    "RawBitsType",
    "RawBytesType",
    "StructuredType",
    "TimeType",
    "VlenBytesType",
    "VlenStringType",
    "from_numpy",
    "from_numpy_with_endian",
    "parse_v2_dtype",
    "parse_v3_dtype",
    "register_data_type",
]
