#!/usr/bin/env python3
"""Write the small dump files under test/batch/data/ with NumPy, and their expectations.

Run from the repository root:  python3 scripts/make-dump-fixtures.py
Deterministic (seeded; zip timestamps fixed), except zip64.npz, which is numpy's own `savez` output
byte for byte (ZIP64 extra fields, current timestamp) on purpose. The outputs are committed so the tests need no Python.
expectations.json lists every file with either
  {"arrays": {name: {"shape", "dtype", "sum"}}}   (a file the tool must read), or
  {"code", "message"}                             (the DecomposeError code and a substring of its message).
"""
import io
import json
import os
import struct
import zipfile

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "batch", "data")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20240611)
expect = {}


def tiny_net():
    """A state_dict-like dump: conv+bias, BN with int64 counter, a 1x1, a depthwise after a pointwise."""
    return {
        "conv1.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
        "conv1.bias": rng.standard_normal(4).astype(np.float32),
        "bn1.weight": np.ones(4, np.float32),
        "bn1.num_batches_tracked": np.array(7, np.int64),
        "block.pw.weight": rng.standard_normal((6, 4, 1, 1)).astype(np.float32),
        "block.dw.weight": rng.standard_normal((6, 1, 3, 3)).astype(np.float32),
        "head.weight": rng.standard_normal((2, 6, 3, 1)).astype(np.float64),
    }


def describe(arrays):
    return {k: {"shape": list(v.shape), "dtype": v.dtype.str, "sum": float(np.sum(v, dtype=np.float64))} for k, v in arrays.items()}


def save_npz(name, arrays, compressed):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    # Re-pack with a fixed timestamp so the bytes do not depend on the clock.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(os.path.join(OUT, name), "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = info.compress_type
            dst.writestr(fixed, src.read(info.filename))
    return buf


net = tiny_net()
save_npz("net.npz", net, False)
expect["net.npz"] = {"arrays": describe(net)}
save_npz("net_compressed.npz", net, True)
expect["net_compressed.npz"] = {"arrays": describe(net)}

# numpy's own bytes, untouched (savez forces ZIP64 extra fields on each member).
raw = io.BytesIO()
np.savez(raw, w=net["conv1.weight"])
with open(os.path.join(OUT, "zip64.npz"), "wb") as f:
    f.write(raw.getvalue())
expect["zip64.npz"] = {"arrays": describe({"w": net["conv1.weight"]})}

whole = open(os.path.join(OUT, "net.npz"), "rb").read()
with open(os.path.join(OUT, "truncated.npz"), "wb") as f:
    f.write(whole[: len(whole) // 2])
expect["truncated.npz"] = {"code": "E_ZIP", "message": "corrupt zip archive"}

flipped = bytearray(whole)
flipped[200] ^= 0xFF  # inside the first member's data (stored): CRC-32 mismatch
with open(os.path.join(OUT, "bad_crc.npz"), "wb") as f:
    f.write(bytes(flipped))
expect["bad_crc.npz"] = {"code": "E_ZIP", "message": "CRC-32"}

def npy_bytes(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def fixed(name):
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


with zipfile.ZipFile(os.path.join(OUT, "not_npy_member.npz"), "w") as z:
    z.writestr(fixed("conv1.weight.npy"), npy_bytes(net["conv1.weight"]))
    z.writestr(fixed("README.txt"), b"not an array")
expect["not_npy_member.npz"] = {"code": "E_NOT_NPY", "message": "member 'README.txt' is not a .npy array"}

with zipfile.ZipFile(os.path.join(OUT, "bad_member.npz"), "w") as z:
    z.writestr(fixed("conv1.weight.npy"), npy_bytes(net["conv1.weight"])[:-4])
expect["bad_member.npz"] = {"code": "E_NPY_LENGTH", "message": "member conv1.weight.npy: data is"}

with open(os.path.join(OUT, "not_a_zip.npz"), "wb") as f:
    f.write(b"this is plain text, not an archive\n" * 3)
expect["not_a_zip.npz"] = {"code": "E_ZIP", "message": "not a zip archive"}


def safetensors(tensors, metadata=None, lie=None):
    """tensors: list of (name, dtype, shape, raw bytes); lie(header) may falsify the header."""
    header, offset, data = {}, 0, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw_bytes in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw_bytes)]}
        offset += len(raw_bytes)
        data += raw_bytes
    if lie is not None:
        lie(header)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def bf16(a):
    """float32 -> bfloat16 bits, round to nearest even (as torch does)."""
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


w16 = net["conv1.weight"].astype(np.float16)
wb = bf16(net["block.dw.weight"])
st = [
    ("conv1.weight", "F16", w16.shape, w16.tobytes()),
    ("conv1.bias", "F32", net["conv1.bias"].shape, net["conv1.bias"].tobytes()),
    ("bn1.num_batches_tracked", "I64", (), net["bn1.num_batches_tracked"].tobytes()),
    ("block.dw.weight", "BF16", wb.shape, wb.tobytes()),
    ("head.weight", "F64", net["head.weight"].shape, net["head.weight"].tobytes()),
]
with open(os.path.join(OUT, "net.safetensors"), "wb") as f:
    f.write(safetensors(st, {"format": "pt"}))
bf_values = (wb.astype(np.uint32) << 16).view(np.float32)
expect["net.safetensors"] = {
    "arrays": {
        "conv1.weight": {"shape": list(w16.shape), "dtype": "F16", "sum": float(np.sum(w16, dtype=np.float64))},
        "conv1.bias": {"shape": [4], "dtype": "F32", "sum": float(np.sum(net["conv1.bias"], dtype=np.float64))},
        "bn1.num_batches_tracked": {"shape": [], "dtype": "I64", "sum": 7.0},
        "block.dw.weight": {"shape": list(wb.shape), "dtype": "BF16", "sum": float(np.sum(bf_values, dtype=np.float64))},
        "head.weight": {"shape": [2, 6, 3, 1], "dtype": "F64", "sum": float(np.sum(net["head.weight"]))},
    }
}


def lie_offsets(h):
    h["conv1.bias"]["data_offsets"][1] += 4


def lie_shape(h):
    h["conv1.weight"]["shape"] = [4, 3, 3, 4]


def lie_overlap(h):
    h["conv1.bias"]["data_offsets"] = [0, 16]


for name, lie, code, message in [
    ("lie_offsets.safetensors", lie_offsets, "E_SAFETENSORS", "conv1.bias"),
    ("lie_shape.safetensors", lie_shape, "E_SAFETENSORS", "data_offsets"),
    ("lie_overlap.safetensors", lie_overlap, "E_SAFETENSORS", "overlaps"),
]:
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(safetensors(st[:2], None, lie))
    expect[name] = {"code": code, "message": message}

good = safetensors(st[:2])
with open(os.path.join(OUT, "lie_length.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(good) * 2) + good[8:])
expect["lie_length.safetensors"] = {"code": "E_SAFETENSORS", "message": "runs past the end"}

with open(os.path.join(OUT, "expectations.json"), "w") as f:
    json.dump({"numpy": np.__version__, "files": expect}, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", len(expect), "files to", os.path.normpath(OUT))
