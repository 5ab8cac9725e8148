import type { CommandTable } from './run-cli.js';

/** The commands a device runs; also the whole of the device bundle (cli/build/device-bundle.ts). */
export const DEVICE_COMMANDS: CommandTable = {
  enroll: {
    summary: 'enroll this device with a control plane using an enrollment token',
    load: async () => (await import('./commands/enroll.js')).command,
  },
  device: {
    summary: 'run the device runtime (kiosk, lobby screen or LED sign) from an enrolled state dir',
    load: async () => (await import('./commands/device.js')).command,
  },
};
