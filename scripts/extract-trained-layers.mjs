#!/usr/bin/env node
// Extracts real trained conv layers from the weights that the npm package @vladmandic/face-api
// (MIT) ships inside its tarball (model/face_recognition_model-weights_manifest.json + .bin, the
// dlib-style ResNet-34 face descriptor net that face-api.js ported to TF.js) and writes them to
// fixtures/ as float32 .npy parents in PyTorch OIHW layout, plus `<name>.bias.npy`.
//
// The package is NOT a dependency of this project. Fetch it into a scratch folder first:
//   mkdir -p /tmp/weights && cd /tmp/weights && npm pack @vladmandic/face-api@1.7.15 \
//     && tar xzf vladmandic-face-api-1.7.15.tgz
//   node scripts/extract-trained-layers.mjs --pkg /tmp/weights/package
//
// Manifest format (TF.js weights manifest): an array of groups {paths: [shard...], weights: [...]};
// the shards of a group are concatenated and its weights laid out back to back in manifest order.
// A weight {name, shape, dtype: "float32", quantization?: {dtype: "uint8"|"uint16", scale, min}}
// occupies prod(shape) * bytes(quantization.dtype ?? dtype) bytes; a quantized value q decodes to
// q * scale + min (tfjs-core io/io_utils.ts decodeWeights). Float16 quantization is rejected here.
//
// Layout: TF.js conv2d filters are HWIO (kh, kw, c_in, c_out), applied as cross-correlation, as
// torch.nn.functional.conv2d is, so OIHW = transpose(3, 2, 0, 1) with no spatial flip.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');

// The layers we keep: fixture stem -> weight-name prefix in face_recognition_model.
export const LAYERS = [
  { stem: 'facerec-conv32-1-conv1', prefix: 'conv32_1/conv1/conv' }, // 32 -> 32, 3x3, uint8-quantized
  { stem: 'facerec-conv64-1-conv1', prefix: 'conv64_1/conv1/conv' }, // 64 -> 64, 3x3, float32
  { stem: 'facerec-conv64-down-conv1', prefix: 'conv64_down/conv1/conv' }, // 32 -> 64, 3x3, float32
  { stem: 'facerec-conv32-down', prefix: 'conv32_down/conv' }, // 3 -> 32, 7x7, uint8 (first layer)
];
const MODEL = 'face_recognition_model';
// sha256 of model/face_recognition_model.bin in @vladmandic/face-api@1.7.15 (--no-verify skips the check)
const EXPECTED_BIN_SHA256 = 'b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589';

function parseArgs(argv) {
  const out = { pkg: '/tmp/weights/package', outDir: join(repoRoot, 'fixtures'), verify: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pkg') out.pkg = argv[++i];
    else if (argv[i] === '--out-dir') out.outDir = argv[++i];
    else if (argv[i] === '--no-verify') out.verify = false;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return out;
}

const BYTES = { float32: 4, int32: 4, uint8: 1, uint16: 2, bool: 1 };

/** Decode every weight of a manifest group: name -> {shape, data: Float32Array, quantization}. */
export function decodeManifest(manifest, readShard) {
  const out = new Map();
  for (const group of manifest) {
    const bufs = group.paths.map((p) => readShard(p));
    const all = Buffer.concat(bufs);
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      if (w.dtype !== 'float32') throw new Error(`${w.name}: dtype ${w.dtype} not handled`);
      let data;
      if (q) {
        if (q.dtype !== 'uint8' && q.dtype !== 'uint16') throw new Error(`${w.name}: quantization ${q.dtype} not handled`);
        const nb = BYTES[q.dtype];
        data = new Float32Array(n);
        for (let k = 0; k < n; k++) {
          const v = nb === 1 ? all.readUInt8(off + k) : all.readUInt16LE(off + 2 * k);
          data[k] = v * q.scale + q.min;
        }
        off += n * nb;
      } else {
        data = new Float32Array(n);
        for (let k = 0; k < n; k++) data[k] = all.readFloatLE(off + 4 * k);
        off += n * 4;
      }
      out.set(w.name, { shape: w.shape, data, quantization: q ?? null });
    }
    if (off !== all.length) throw new Error(`manifest group ${group.paths}: decoded ${off} bytes, shards hold ${all.length}`);
  }
  return out;
}

/** HWIO (kh, kw, ci, co) -> OIHW (co, ci, kh, kw). */
export function hwioToOihw(data, [kh, kw, ci, co]) {
  const out = new Float32Array(data.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++)
          out[((o * ci + i) * kh + h) * kw + w] = data[((h * kw + w) * ci + i) * co + o];
  return { data: out, shape: [co, ci, kh, kw] };
}

/** numpy .npy format 1.0, little-endian float32, C order. */
export function npyBytes(data, shape) {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pre = 10; // magic(6) + version(2) + header_len(2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - pre - header.length - 1) + '\n';
  const buf = Buffer.alloc(total + data.length * 4);
  buf.write('\x93NUMPY', 0, 'latin1');
  buf[6] = 1;
  buf[7] = 0;
  buf.writeUInt16LE(header.length, 8);
  buf.write(header, 10, 'latin1');
  for (let k = 0; k < data.length; k++) buf.writeFloatLE(data[k], total + 4 * k);
  return buf;
}

/** Summary statistics of a weight array (recorded in the fixtures' provenance files). */
export function stats(a) {
  let s = 0, s2 = 0, mn = Infinity, mx = -Infinity, zeros = 0;
  for (const v of a) { s += v; s2 += v * v; mn = Math.min(mn, v); mx = Math.max(mx, v); if (v === 0) zeros++; }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), min: mn, max: mx, zeros, distinct: new Set(a).size };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const pkgJson = JSON.parse(readFileSync(join(args.pkg, 'package.json'), 'utf8'));
  const manifestPath = join(args.pkg, 'model', `${MODEL}-weights_manifest.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const binSha = {};
  const weights = decodeManifest(manifest, (p) => {
    const b = readFileSync(join(args.pkg, 'model', p));
    binSha[p] = createHash('sha256').update(b).digest('hex');
    return b;
  });
  if (args.verify && binSha[`${MODEL}.bin`] !== EXPECTED_BIN_SHA256) {
    throw new Error(`${MODEL}.bin sha256 ${binSha[`${MODEL}.bin`]} != expected ${EXPECTED_BIN_SHA256}`);
  }
  mkdirSync(args.outDir, { recursive: true });
  const provenance = [];
  for (const { stem, prefix } of LAYERS) {
    const f = weights.get(`${prefix}/filters`);
    const b = weights.get(`${prefix}/bias`);
    if (!f) throw new Error(`${prefix}/filters not in manifest`);
    const { data, shape } = hwioToOihw(f.data, f.shape);
    writeFileSync(join(args.outDir, `${stem}.npy`), npyBytes(data, shape));
    if (b) writeFileSync(join(args.outDir, `${stem}.bias.npy`), npyBytes(b.data, b.shape));
    const st = stats(data);
    provenance.push({
      fixture: `${stem}.npy`, shape, package: `${pkgJson.name}@${pkgJson.version}`, license: pkgJson.license,
      file: `model/${MODEL}.bin (manifest model/${MODEL}-weights_manifest.json)`,
      weight: `${prefix}/filters`, bias: b ? `${prefix}/bias` : null,
      stored_as: f.quantization ? `${f.quantization.dtype} quantized (scale ${f.quantization.scale}, min ${f.quantization.min})` : 'float32',
      stats: st,
    });
    console.error(`${stem}.npy ${JSON.stringify(shape)} ${provenance.at(-1).stored_as} std=${st.std.toExponential(3)} ` +
      `min=${st.min.toExponential(3)} max=${st.max.toExponential(3)} zeros=${st.zeros} distinct=${st.distinct}`);
  }
  const doc = JSON.stringify({ tarball: `${pkgJson.name.replace('@', '').replace('/', '-')}-${pkgJson.version}.tgz (npm pack ${pkgJson.name}@${pkgJson.version})`,
    shard_sha256: binSha, dequantization: 'q * scale + min, in double, stored as float32 (as tfjs-core decodeWeights)',
    layout: 'TF.js HWIO (kh, kw, c_in, c_out) transposed to OIHW (c_out, c_in, kh, kw); no spatial flip', layers: provenance }, null, 1);
  writeFileSync(join(args.outDir, 'facerec-provenance.json'), doc + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
