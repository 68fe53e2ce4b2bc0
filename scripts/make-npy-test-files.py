#!/usr/bin/env python3
"""Write the .npy test files under test/io/data/ with NumPy, and their expectations.

Run from the repository root:  python3 scripts/make-npy-test-files.py
Deterministic: the same NumPy version writes the same bytes. The outputs are committed so the tests
need no Python. `expectations.json` lists every file with either
  {"shape", "dtype", "values"}   (values flattened in C order, as float64), or
  {"code", "message"}            (the DecomposeError code and a substring of its message).
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "io", "data")
MAGIC = b"\x93NUMPY"


def save(name, arr, version=None):
    with open(os.path.join(OUT, name), "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


def raw(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def hand_header(header, version=(1, 0)):
    """Preamble + a hand-written header string, padded to 64 bytes as numpy pads."""
    text = header.encode("latin1" if version < (3, 0) else "utf8")
    size = 2 if version == (1, 0) else 4
    hlen = len(text) + 1
    pad = 64 - ((8 + size + hlen) % 64)
    hlen += pad
    prefix = MAGIC + bytes(version) + hlen.to_bytes(size, "little")
    return prefix + text + b" " * pad + b"\n"


def values(arr):
    return [float(v) for v in np.asarray(arr, dtype=np.float64).ravel(order="C")]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240531)
    expect = {}

    def ok(name, arr, **kw):
        save(name, arr, **kw)
        expect[name] = {"shape": list(arr.shape), "dtype": arr.dtype.name, "values": values(arr)}

    def bad(name, code, message):
        expect[name] = {"code": code, "message": message}

    base = rng.standard_normal((2, 3, 4, 5))  # asymmetric so a wrong axis order shows
    # --- valid: every dtype and byte order, C and Fortran order, header versions 1.0, 2.0, 3.0
    for dt in ("f2", "f4", "f8"):
        for order in ("<", ">"):
            arr = base.astype(order + dt)
            end = "le" if order == "<" else "be"
            ok(f"{np.dtype(dt).name}_{end}.npy", arr)
            ok(f"{np.dtype(dt).name}_{end}_fortran.npy", np.asfortranarray(arr))
    ok("float64_v2.npy", base, version=(2, 0))
    ok("float32_be_fortran_v2.npy", np.asfortranarray(base.astype(">f4")), version=(2, 0))
    ok("float64_v3.npy", base, version=(3, 0))
    ok("float16_v3_fortran.npy", np.asfortranarray(base.astype("<f2")), version=(3, 0))
    ok("float64_1d.npy", np.array([1.5, -0.0, 2.0**-1074, 1e308]))
    ok("float64_0d.npy", np.array(3.25))
    ok("float64_3d.npy", base[0].copy())
    ok("float64_zero_axis.npy", np.zeros((2, 0, 3, 3)))
    ok("float64_fortran_3x1x2.npy", np.asfortranarray(np.arange(6.0).reshape(3, 1, 2)))
    # float16 edge values: max, min normal, subnormals, signed zero
    ok("float16_edges.npy", np.array([65504, 2.0**-14, 2.0**-24, 2.0**-24 * 1023, -0.0, 1 / 3], "<f2"))
    # a Python-2-era header: `L` suffixes, no space after colons, no trailing comma
    arr = np.arange(6.0).reshape(2, 3)
    raw("python2_header.npy", hand_header("{'descr':'<f8','fortran_order':False,'shape':(2L,3L)}") + arr.tobytes())
    expect["python2_header.npy"] = {"shape": [2, 3], "dtype": "float64", "values": values(arr)}
    # keys in another order, double quotes, extra whitespace, native byte order
    raw(
        "odd_header.npy",
        hand_header('{ "shape" : ( 2 , 3 , ) ,\t"fortran_order" : True , "descr" : "=f4" , }')
        + np.asfortranarray(arr.astype("<f4")).tobytes(order="F"),
    )
    expect["odd_header.npy"] = {"shape": [2, 3], "dtype": "float32", "values": values(arr)}

    # --- hostile
    good = open(os.path.join(OUT, "float64_le.npy"), "rb").read()
    raw("truncated.npy", good[:-8])
    bad("truncated.npy", "E_NPY_LENGTH", "data is 952 bytes, header needs 960")
    raw("trailing.npy", good + b"\0\0\0\0")
    bad("trailing.npy", "E_NPY_LENGTH", "data is 964 bytes, header needs 960")
    raw("header_only.npy", good[:128])
    bad("header_only.npy", "E_NPY_LENGTH", "data is 0 bytes, header needs 960")
    raw("header_cut.npy", good[:40])
    bad("header_cut.npy", "E_NPY_HEADER", "header says 118 bytes, file has only 30")
    raw("bad_magic.npy", b"PK\x03\x04 this is a zip, not an npy file")
    bad("bad_magic.npy", "E_NOT_NPY", "not a .npy file")
    raw("empty.npy", b"")
    bad("empty.npy", "E_NOT_NPY", "not a .npy file")
    raw("version_4.npy", MAGIC + bytes([4, 0]) + good[8:])
    bad("version_4.npy", "E_NPY_HEADER", "unsupported .npy format version 4.0")
    raw("not_a_dict.npy", hand_header("[1, 2, 3]") + b"")
    bad("not_a_dict.npy", "E_NPY_HEADER", "header is not a dict")
    raw("garbage_header.npy", hand_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), ") + arr.tobytes())
    bad("garbage_header.npy", "E_NPY_HEADER", "header is not a Python dict literal")
    raw("missing_key.npy", hand_header("{'descr': '<f8', 'shape': (2, 3)}") + arr.tobytes())
    bad("missing_key.npy", "E_NPY_HEADER", "header keys are ['descr', 'shape']")
    raw("bad_shape.npy", hand_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3)}"))
    bad("bad_shape.npy", "E_NPY_HEADER", "shape is not a tuple of non-negative integers")
    raw("bad_fortran.npy", hand_header("{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3)}") + arr.tobytes())
    bad("bad_fortran.npy", "E_NPY_HEADER", "fortran_order is not True or False")
    save("int32.npy", np.arange(24, dtype="<i4").reshape(2, 3, 2, 2))
    bad("int32.npy", "E_DTYPE", "dtype int32 ('<i4') is not supported")
    save("uint8.npy", np.arange(4, dtype="u1"))
    bad("uint8.npy", "E_DTYPE", "dtype uint8 ('|u1')")
    save("bool.npy", np.array([True, False]))
    bad("bool.npy", "E_DTYPE", "dtype bool ('|b1')")
    save("complex64.npy", np.ones((2, 2), dtype="<c8"))
    bad("complex64.npy", "E_DTYPE", "dtype complex64 ('<c8')")
    save("structured.npy", np.zeros(3, dtype=[("w", "<f4"), ("b", "<f4")]))
    bad("structured.npy", "E_DTYPE", "structured dtype with fields 'w', 'b' is not supported")
    save("unicode.npy", np.array(["abc", "de"]))
    bad("unicode.npy", "E_DTYPE", "dtype str ('<U3')")
    raw("object.npy", hand_header("{'descr': '|O', 'fortran_order': False, 'shape': (2,)}") + b"\0" * 16)
    bad("object.npy", "E_DTYPE", "dtype object ('|O')")
    if np.dtype(np.longdouble).itemsize == 16:  # x86-64 Linux; absent where longdouble is double
        save("longdouble.npy", np.zeros(2, dtype=np.longdouble))
        bad("longdouble.npy", "E_DTYPE", "dtype float128 ('<f16')")
    nonfinite = rng.standard_normal((2, 3, 3, 3))
    nonfinite[0, 1, 2, 2] = np.nan
    nonfinite[1, 0, 0, 1] = np.inf
    nonfinite[1, 2, 2, 2] = -np.inf
    save("nonfinite.npy", nonfinite)
    bad("nonfinite.npy", "E_NONFINITE", "3 non-finite values (first NaN at [0, 1, 2, 2])")
    # Fortran order: the first non-finite in C order is not the first in file order
    f = np.zeros((2, 3, 3, 3), ">f4")
    f[0, 0, 0, 2] = -np.inf
    f[1, 0, 0, 0] = np.nan
    save("nonfinite_fortran_be.npy", np.asfortranarray(f))
    bad("nonfinite_fortran_be.npy", "E_NONFINITE", "2 non-finite values (first -Inf at [0, 0, 0, 2])")
    h = np.ones(4, "<f2")
    h[3] = np.inf
    save("nonfinite_f16.npy", h)
    bad("nonfinite_f16.npy", "E_NONFINITE", "1 non-finite value (first Inf at [3])")

    with open(os.path.join(OUT, "expectations.json"), "w") as f:
        json.dump({"numpy": np.__version__, "files": expect}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(expect)} files to {os.path.relpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
