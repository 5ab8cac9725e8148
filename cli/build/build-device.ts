// `npm run build:device`: writes dist/device/ (see device-bundle.ts and docs/benchmarks.md).
import { buildDeviceBundle } from './device-bundle.js';

const t0 = performance.now();
const b = await buildDeviceBundle();
process.stdout.write(
  `Device bundle: ${b.entry} (${(b.bytes / 1024).toFixed(0)} KiB with chunks, ${b.inputs} source files) in ${Math.round(performance.now() - t0)} ms\n`,
);
