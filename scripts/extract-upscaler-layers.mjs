#!/usr/bin/env node
// Extracts real trained conv layers from the devDependency @upscalerjs/default-model@1.0.0 (MIT,
// Kevin Scott: the ESRGAN-style default model of UpscalerJS, Keras 2.10 converted to a TF.js
// layers-model) and writes them to fixtures/ as float32 .npy parents in PyTorch OIHW layout, plus
// `<name>.bias.npy`, and fixtures/upscaler-provenance.json.
//
//   node scripts/extract-upscaler-layers.mjs            # reads node_modules/@upscalerjs/default-model
//   node scripts/extract-upscaler-layers.mjs --pkg DIR  # or an unpacked tarball's package/ folder
//
// The model ships models/model.json (modelTopology + weightsManifest) and one shard,
// models/group1-shard1of1.bin; every weight is plain little-endian float32 (no quantization), laid
// out back to back in manifest order (decodeManifest in extract-trained-layers.mjs). Keras Conv2D
// kernels are HWIO (kh, kw, c_in, c_out), applied as cross-correlation like
// torch.nn.functional.conv2d, so OIHW = transpose(3, 2, 0, 1) with no spatial flip. The layers kept
// all run stride 1, padding "same", dilation 1 in the net (checked against modelTopology below).

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeManifest, hwioToOihw, npyBytes, stats } from './extract-trained-layers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');

// fixture stem -> Keras layer name in the model.
export const LAYERS = [
  { stem: 'upscaler-upn1', layer: 'UPN1' }, // 64 -> 64, 5x5 (upsampling branch, ReLU after)
  { stem: 'upscaler-gff2', layer: 'GFF_2' }, // 64 -> 64, 3x3 (global feature fusion)
  { stem: 'upscaler-f0', layer: 'F_0' }, // 64 -> 64, 3x3 (second shallow feature conv)
];
// sha256 of models/group1-shard1of1.bin in @upscalerjs/default-model@1.0.0 (--no-verify skips the check)
const EXPECTED_BIN_SHA256 = '5cb464ae4d390ce0a771afd5feaf60fbfcdb18ab48a56db98cdf6b88202369de';
const SHARD = 'group1-shard1of1.bin';

function parseArgs(argv) {
  const out = { pkg: join(repoRoot, 'node_modules', '@upscalerjs', 'default-model'), outDir: join(repoRoot, 'fixtures'), verify: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pkg') out.pkg = argv[++i];
    else if (argv[i] === '--out-dir') out.outDir = argv[++i];
    else if (argv[i] === '--no-verify') out.verify = false;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return out;
}

/** The Conv2D layer's config in the Keras topology; throws unless it is a plain stride-1 'same' conv. */
function convConfig(topology, name) {
  const layer = topology.model_config.config.layers.find((l) => l.config.name === name);
  if (!layer || layer.class_name !== 'Conv2D') throw new Error(`${name}: not a Conv2D in modelTopology`);
  const c = layer.config;
  const ones = (v) => v.every((x) => x === 1);
  if (!ones(c.strides) || !ones(c.dilation_rate) || c.padding !== 'same' || c.groups > 1) {
    throw new Error(`${name}: strides ${c.strides}, dilation ${c.dilation_rate}, padding ${c.padding}: not a plain 'same' conv`);
  }
  return c;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const pkgJson = JSON.parse(readFileSync(join(args.pkg, 'package.json'), 'utf8'));
  const model = JSON.parse(readFileSync(join(args.pkg, 'models', 'model.json'), 'utf8'));
  const binSha = {};
  const weights = decodeManifest(model.weightsManifest, (p) => {
    const b = readFileSync(join(args.pkg, 'models', p));
    binSha[p] = createHash('sha256').update(b).digest('hex');
    return b;
  });
  if (args.verify && binSha[SHARD] !== EXPECTED_BIN_SHA256) {
    throw new Error(`${SHARD} sha256 ${binSha[SHARD]} != expected ${EXPECTED_BIN_SHA256}`);
  }
  mkdirSync(args.outDir, { recursive: true });
  const provenance = [];
  for (const { stem, layer } of LAYERS) {
    const cfg = convConfig(model.modelTopology, layer);
    const f = weights.get(`${layer}/kernel`);
    const b = weights.get(`${layer}/bias`);
    if (!f || !b) throw new Error(`${layer}/kernel or /bias not in the manifest`);
    if (f.quantization) throw new Error(`${layer}/kernel is quantized; this model was expected to be float32`);
    const { data, shape } = hwioToOihw(f.data, f.shape);
    writeFileSync(join(args.outDir, `${stem}.npy`), npyBytes(data, shape));
    writeFileSync(join(args.outDir, `${stem}.bias.npy`), npyBytes(b.data, b.shape));
    const st = stats(data);
    provenance.push({
      fixture: `${stem}.npy`, shape, package: `${pkgJson.name}@${pkgJson.version}`, license: pkgJson.license,
      file: `models/${SHARD} (manifest in models/model.json)`, weight: `${layer}/kernel`, bias: `${layer}/bias`,
      in_net: { kernel_size: cfg.kernel_size, strides: cfg.strides, padding: cfg.padding, activation: cfg.activation },
      stored_as: 'float32', stats: st,
    });
    console.error(`${stem}.npy ${JSON.stringify(shape)} std=${st.std.toExponential(3)} ` +
      `min=${st.min.toExponential(3)} max=${st.max.toExponential(3)} zeros=${st.zeros} distinct=${st.distinct}`);
  }
  const doc = JSON.stringify({
    package: `${pkgJson.name}@${pkgJson.version} (devDependency; npm install)`, model_format: `${model.format}, ${model.generatedBy}, ${model.convertedBy}`,
    shard_sha256: binSha, layout: 'Keras/TF.js HWIO (kh, kw, c_in, c_out) transposed to OIHW (c_out, c_in, kh, kw); no spatial flip',
    layers: provenance,
  }, null, 1);
  writeFileSync(join(args.outDir, 'upscaler-provenance.json'), doc + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
