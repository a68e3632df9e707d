"""Numeric casts of the ``cast_value`` procedure: a scalar map, a rounding mode, an
out-of-range rule, in numpy.

Each element is converted as zarr-extensions' ``cast_value`` spec says, computed the way
its reference implementation (``cast-value-rs`` 0.5, which zarr-python calls) computes it,
so the results are the same bits:

1. the first scalar-map entry whose key equals the value (any NaN for a NaN key) gives the
   result;
2. float -> integer: NaN and infinities fail; the value is rounded to an integer (in the
   source type) by the rounding mode; a result outside the target's range fails, or is
   clamped to its minimum or maximum, or wrapped modulo ``2**bits`` (two's complement);
3. integer -> integer: out of range fails, is clamped, or keeps the low bits (wrap);
4. float -> float and integer -> float: rounded to the target's precision by the rounding
   mode (once; except that nearest-even from an integer to ``float16`` rounds through
   ``float32``, as the reference does); a finite value whose rounded magnitude exceeds the
   target's finite range fails, or becomes an infinity with ``out_of_range="clamp"``. NaN
   stays NaN (quiet, its payload's top bits kept), signed zeros keep their sign.

Example:
    >>> import numpy as np
    >>> cast_values(np.array([1.5, 2.5, 300.0]), np.dtype("uint8"), "nearest-even", "clamp").tolist()
    [2, 2, 255]
    >>> cast_values(np.array([200, -200]), np.dtype("int8"), "nearest-even", "wrap").tolist()
    [-56, 56]
    >>> cast_values(np.array([np.nan, 1.7]), np.dtype("int16"), "towards-zero", None,
    ...             [(np.float64("nan"), np.int16(-1))]).tolist()
    [-1, 1]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal, NoReturn

import numpy as np

from simplezarr.errors import CodecError

__all__ = ["NUMPY_NAMES", "ROUNDING_MODES", "CastFailed", "cast_values", "show_scalar"]

RoundingMode = Literal[
    "nearest-even", "towards-zero", "towards-positive", "towards-negative", "nearest-away"
]
OutOfRangeMode = Literal["clamp", "wrap"]

ROUNDING_MODES: Final = (
    "nearest-even",
    "towards-zero",
    "towards-positive",
    "towards-negative",
    "nearest-away",
)

#: The data types this module converts between (numpy names, which are also their Zarr v3
#: names); the spec lists more (int4, bfloat16, float8_*), which numpy itself lacks.
NUMPY_NAMES: Final = frozenset(
    ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
    + ["float16", "float32", "float64"]
)

_F16 = np.dtype("float16")
_F32 = np.dtype("float32")
_F64 = np.dtype("float64")


class CastFailed(CodecError):
    """A value has no result under the codec's configuration (NaN or an infinity to an
    integer type without a scalar-map entry, or a value out of range without
    ``out_of_range``). A ``ValueError``, as zarr-python's cast raises.

    Example:
        >>> issubclass(CastFailed, ValueError)
        True
    """


def cast_values(
    values: np.ndarray,
    target: np.dtype,
    rounding: str,
    out_of_range: str | None,
    scalar_map: Sequence[tuple[Any, Any]] = (),
) -> np.ndarray:
    """``values`` converted to ``target`` (same shape, C order, native byte order).

    ``scalar_map`` holds ``(source value, target value)`` pairs already of the two types;
    the first that matches an element decides it. Raise :class:`CastFailed` naming the
    first element (in C order) that has no result.

    Example:
        >>> cast_values(np.array([0.1], "f8"), np.dtype("f4"), "towards-zero", None).view("u4")
        array([1036831948], dtype=uint32)
    """
    src = np.asarray(values)
    src = np.ascontiguousarray(src.astype(src.dtype.newbyteorder("="), copy=False))
    target = np.dtype(target).newbyteorder("=")
    for dt in (src.dtype, target):
        if dt.name not in NUMPY_NAMES:
            raise CodecError(
                f"cast_value only converts integer and floating-point data types, not {dt}"
            )
    flat = src.reshape(-1)
    out = np.empty(flat.shape, dtype=target)
    todo: np.ndarray | None = None
    for key, value in scalar_map:
        hit = np.isnan(flat) if _is_nan(key) else flat == key
        if todo is not None:
            hit &= todo
        out[hit] = value
        todo = ~hit if todo is None else todo & ~hit
    rest = flat if todo is None else flat[todo]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is decided explicitly
        converted = _convert(rest, target, rounding, out_of_range)
    if todo is None:
        out = converted
    else:
        out[todo] = converted
    return out.reshape(src.shape)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _convert(x: np.ndarray, target: np.dtype, rounding: str, out_of_range: str | None) -> Any:
    if rounding not in ROUNDING_MODES:
        raise CodecError(f"cast_value: unknown rounding mode {rounding!r}; one of {ROUNDING_MODES}")
    if out_of_range not in (None, "clamp", "wrap"):
        raise CodecError(
            f"cast_value: unknown out_of_range {out_of_range!r}; 'clamp', 'wrap' or absent"
        )
    float_src = x.dtype.kind == "f"
    if target.kind in "iu":
        if float_src:
            return _float_to_int(x, target, rounding, out_of_range)
        return _int_to_int(x, target, out_of_range)
    # "wrap" has no meaning for a float target: out-of-range values fail, as without a mode
    # (the codec refuses it for its encoding target; decoding to a float source meets it)
    return _to_float(x, target, rounding, out_of_range)


# -- failures --------------------------------------------------------------------------


def _first(bad: np.ndarray) -> int:
    return int(np.flatnonzero(bad)[0])


def _fail_out_of_range(
    x: np.ndarray, bad: np.ndarray, target: np.dtype, float_target: bool
) -> NoReturn:
    value = x[_first(bad)]
    if float_target:
        fi = np.finfo(target)
        bounds, fix = (
            f"[{show_scalar(fi.min)}, {show_scalar(fi.max)}]",
            "out_of_range='clamp' (to infinity)",
        )
    else:
        ii = np.iinfo(target)
        bounds, fix = f"[{ii.min}, {ii.max}]", "out_of_range='clamp' or 'wrap'"
    raise CastFailed(
        f"cast_value: value {show_scalar(value)} is out of the range {bounds} of {target}; set "
        f"{fix} to convert it, or map it with scalar_map"
    )


def _fail_non_finite(x: np.ndarray, bad: np.ndarray, target: np.dtype) -> NoReturn:
    value = x[_first(bad)]
    raise CastFailed(
        f"cast_value: cannot cast {show_scalar(value)} to the integer type {target} without a "
        "scalar_map entry for it"
    )


def show_scalar(value: Any) -> str:
    """A scalar as an error message shows it (a numpy scalar as its Python value).

    Example:
        >>> show_scalar(np.float32(1.5))
        '1.5'
    """
    v = value.item() if isinstance(value, np.generic) else value
    return repr(v)


# -- float -> integer ------------------------------------------------------------------


def _round(x: np.ndarray, rounding: str) -> np.ndarray:
    """Round to an integer in the source type (float16 through float32, which is exact)."""
    w = x.astype(_F32) if x.dtype == _F16 else x
    if rounding == "nearest-even":
        r = np.rint(w)
    elif rounding == "towards-zero":
        r = np.trunc(w)
    elif rounding == "towards-positive":
        r = np.ceil(w)
    elif rounding == "towards-negative":
        r = np.floor(w)
    else:  # nearest-away: halves away from zero, exactly (the fraction is exact)
        t = np.trunc(w)
        r = np.where(np.abs(w - t) >= 0.5, t + np.sign(w), t)
    return r.astype(x.dtype, copy=False)


def _float_to_int(x: np.ndarray, target: np.dtype, rounding: str, oor: str | None) -> np.ndarray:
    info = np.iinfo(target)
    r = _round(x, rounding).astype(_F64, copy=False)  # exact: an integer of the source type
    # The exact bounds: the minimum is 0 or -2**(bits-1), maximum + 1 is 2**k.
    lo, hi_exclusive = float(info.min), float(int(info.max) + 1)
    finite = bool(np.isfinite(r).all())
    if finite and (r.size == 0 or (r.min() >= lo and r.max() < hi_exclusive)):
        return r.astype(target)  # the usual case: everything in range, no masks
    nonfinite = ~np.isfinite(r)
    below = (r < lo) & ~nonfinite
    above = (r >= hi_exclusive) & ~nonfinite
    outside = below | above
    if not finite:
        # the first element without a result decides the message, as the reference's
        if oor is None and outside.any() and _first(outside) < _first(nonfinite):
            _fail_out_of_range(x, outside, target, False)
        _fail_non_finite(x, nonfinite, target)
    if oor == "clamp":
        # a 64-bit maximum is no float64: clip to the float below 2**k, then set it
        wide = info.max > 2**53
        top = float(np.nextafter(hi_exclusive, 0.0)) if wide else float(info.max)
        out = np.clip(r, lo, top).astype(target)
        if wide:
            out[above] = info.max
        return out
    if oor == "wrap":
        out = np.where(outside, 0.0, r).astype(target)
        out[outside] = _wrap(r[outside]).astype(target)  # numpy keeps the low bits
        return out
    _fail_out_of_range(x, outside, target, False)


def _wrap(r: np.ndarray) -> np.ndarray:
    """Integral float64 values modulo 2**64, as uint64 (exact: values beyond 2**63 in
    magnitude are multiples of 2**11)."""
    small = (r >= -(2.0**63)) & (r < 2.0**63)
    out = np.empty(r.shape, dtype=np.uint64)
    out[small] = r[small].astype(np.int64).view(np.uint64)
    big = r[~small]
    rem = np.fmod(big, 2.0**64)
    out[~small] = np.where(rem < 0, rem + 2.0**64, rem).astype(np.uint64)
    return out


# -- integer -> integer ----------------------------------------------------------------


def _int_to_int(x: np.ndarray, target: np.dtype, oor: str | None) -> np.ndarray:
    s, t = np.iinfo(x.dtype), np.iinfo(target)
    lo = x.dtype.type(max(int(s.min), int(t.min)))
    hi = x.dtype.type(min(int(s.max), int(t.max)))
    if oor == "wrap":
        return x.astype(target)  # numpy keeps the low bits: modular, two's complement
    if oor == "clamp":
        return np.clip(x, lo, hi).astype(target)
    outside = (x < lo) | (x > hi)
    if outside.any():
        _fail_out_of_range(x, outside, target, False)
    return x.astype(target)


# -- to a float type -------------------------------------------------------------------


def _nearest(x: np.ndarray, target: np.dtype) -> np.ndarray:
    """Round to nearest-even as the reference converts (integers to float16 through
    float32), NaNs made as its conversions make them."""
    if x.dtype == target:
        return x.copy()
    if x.dtype.kind in "iu":
        if target == _F16:
            return x.astype(_F32).astype(_F16)
        return x.astype(target)
    result = x.astype(target)
    nan = np.isnan(x)
    if not nan.any():
        return result
    bits = x[nan].view(f"u{x.itemsize}").astype(np.uint64)
    # sign, payload (its top bits, or shifted up) and the quiet bit, in the target's format
    if x.dtype == _F64:
        sign, payload = bits >> 63, (bits & ((1 << 52) - 1))
        width = 52
    elif x.dtype == _F32:
        sign, payload = bits >> 31, (bits & ((1 << 23) - 1))
        width = 23
    else:
        sign, payload = bits >> 15, (bits & ((1 << 10) - 1))
        width = 10
    t_bits, t_width = {2: (16, 10), 4: (32, 23), 8: (64, 52)}[target.itemsize]
    if t_width < width:
        payload = payload >> np.uint64(width - t_width)
    else:
        payload = payload << np.uint64(t_width - width)
    exp_all = ((1 << (t_bits - 1 - t_width)) - 1) << t_width
    quiet = 1 << (t_width - 1)
    made = (sign << np.uint64(t_bits - 1)) | np.uint64(exp_all | quiet) | payload
    result.view(f"u{target.itemsize}")[nan] = made.astype(f"u{target.itemsize}")
    return result


def _to_float(x: np.ndarray, target: np.dtype, rounding: str, oor: str | None) -> np.ndarray:
    nearest = _nearest(x, target)
    result = nearest
    if x.dtype.kind in "iu":
        if rounding != "nearest-even":
            result = _int_directed(x, nearest, target, rounding)
        if target != _F16 or not np.isinf(result).any():
            return result  # only float16 can overflow an integer
        overflow = np.isinf(result)
    else:
        if rounding != "nearest-even":
            result = _float_directed(x.astype(_F64), nearest, rounding)
        if x.dtype.itemsize <= target.itemsize or not (
            np.isinf(result).any() or np.isinf(nearest).any()
        ):
            return result  # widening never overflows
        overflow = np.isfinite(x) & (np.isinf(result) | np.isinf(nearest))
        if overflow.any() and rounding != "nearest-even":
            fi = np.finfo(target)
            ulp = float(fi.max) - float(np.nextafter(fi.max, target.type(0)))
            beyond = np.abs(x.astype(_F64)) >= float(fi.max) + ulp
            overflow &= np.isinf(result) | beyond
    if overflow.any():
        if oor != "clamp":
            _fail_out_of_range(x, overflow, target, True)
        result = result.copy()
        negative = x[overflow] < 0
        result[overflow] = np.where(negative, -np.inf, np.inf).astype(target)
    return result


def _float_directed(val: np.ndarray, nearest: np.ndarray, rounding: str) -> np.ndarray:
    """Move inexact nearest-even results one step for the other rounding modes. Exact
    results and NaNs (every comparison false) stay as they are."""
    r64 = nearest.astype(_F64)
    up = np.nextafter(nearest, nearest.dtype.type(np.inf))
    down = np.nextafter(nearest, nearest.dtype.type(-np.inf))
    if rounding == "towards-zero":
        return np.where(np.abs(r64) > np.abs(val), np.where(val >= 0, down, up), nearest)
    if rounding == "towards-positive":
        return np.where(r64 < val, up, nearest)
    if rounding == "towards-negative":
        return np.where(r64 > val, down, nearest)
    # nearest-away: only a tie that nearest-even sent towards zero moves (an exact result
    # never: half the step below 0 rounds to -0.0, which would pass for a tie)
    cand = np.where(val > r64, up, down)
    tie = ((r64 + cand.astype(_F64)) / 2.0 == val) & (r64 != val)
    return np.where(tie & (np.abs(cand) > np.abs(nearest)), cand, nearest)


def _int_directed(
    x: np.ndarray, nearest: np.ndarray, target: np.dtype, rounding: str
) -> np.ndarray:
    """Integers rounded to the target's precision on their bits (one rounding, exact for
    64-bit integers too); where the nearest-even conversion is exact this gives it again."""
    negative = x < 0
    if x.dtype.kind == "i":
        unsigned = x.view(f"u{x.itemsize}")
        mag = np.where(negative, (~unsigned).astype(np.uint64) + np.uint64(1), unsigned)
        mag = mag.astype(np.uint64)
    else:
        mag = x.astype(np.uint64)
    digits = np.uint64(np.finfo(target).nmant + 1)
    one = np.uint64(1)
    # bit lengths: frexp of the (possibly rounded-up) float, corrected down when it rounded
    e = np.minimum(np.frexp(mag.astype(_F64))[1], 64).astype(np.uint64)
    e = np.where((e > 0) & ((mag >> np.maximum(e, one) - one) == 0), e - one, e)
    shift = np.where(e > digits, e - digits, np.uint64(0))
    unit = one << shift
    rem = mag & (unit - one)
    trunc = mag - rem
    if rounding == "towards-zero":
        up = np.zeros(mag.shape, bool)
    elif rounding == "towards-positive":
        up = ~negative & (rem != 0)
    elif rounding == "towards-negative":
        up = negative & (rem != 0)
    else:  # nearest-away
        up = (rem >= unit >> one) & (shift > 0)
    rounded = trunc.astype(_F64) + np.where(up, unit.astype(_F64), 0.0)
    rounded = np.where(negative, -rounded, rounded)
    fmax = float(np.finfo(target).max)
    return np.where(np.abs(rounded) > fmax, np.inf, rounded).astype(target)
