// The device bundle's entry (dist/device/linli-device.mjs): `linli enroll` and `linli device` only.
import { DEVICE_COMMANDS } from './device-commands.js';
import { runCli } from './run-cli.js';

runCli(DEVICE_COMMANDS);
