#!/usr/bin/env node
// `linli device` and `linli enroll` run the device bundle (dist/device/, `npm run build:device`) when it is
// there and up to date; every other command, and a checkout without a build, runs the TypeScript sources
// through tsx, so `npm install` leaves the project runnable without a build.
import { deviceBundle } from './device-bundle.js';

const bundle = deviceBundle(process.argv[2]);
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
