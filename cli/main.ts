import { DEVICE_COMMANDS } from './device-commands.js';
import { type CommandTable, runCli } from './run-cli.js';

/** Subcommands load lazily so `linli device` never loads control-plane code and vice versa. */
const COMMANDS: CommandTable = {
  'control-plane': {
    summary: 'run the control plane (admin and device APIs, WebSocket hub, embedded storage)',
    load: async () => (await import('./commands/control-plane.js')).command,
  },
  enroll: DEVICE_COMMANDS.enroll!,
  device: DEVICE_COMMANDS.device!,
  keys: {
    summary: 'create and rotate the offline TUF root keys for signed notices',
    load: async () => (await import('./commands/keys.js')).command,
  },
  notice: {
    summary: 'draft, approve, publish, put up emergencies and read proof of play (admin API)',
    load: async () => (await import('./commands/notice.js')).command,
  },
  config: {
    summary: 'read, set and clear remote device settings on a node or a device (admin API)',
    load: async () => (await import('./commands/config.js')).command,
  },
  command: {
    summary: 'send a signed remote command to a device, or list its commands (admin API)',
    load: async () => (await import('./commands/command.js')).command,
  },
  backup: {
    summary: 'back up the store (SQLite online backup or pg_dump), keys and TUF roots while the server runs',
    load: async () => (await import('./commands/backup.js')).command,
  },
  restore: {
    summary: 'restore a `linli backup` into an empty data dir (and empty PostgreSQL schema)',
    load: async () => (await import('./commands/restore.js')).command,
  },
  demo: {
    summary: 'start a control plane, enroll a kiosk, a lobby screen and an LED sign, and publish a notice',
    load: async () => (await import('./commands/demo.js')).command,
  },
};

runCli(COMMANDS);
