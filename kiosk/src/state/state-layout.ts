import { join } from 'node:path';

/** Where each piece of device state lives under the state dir (0700, owned by the runtime's user). */
export function stateLayout(stateDir: string) {
  return {
    dir: stateDir,
    /** Written last at enrollment: its presence means "enrolled". */
    identity: join(stateDir, 'identity.json'),
    /** The device's Ed25519 private key (PKCS#8 PEM, 0600); never leaves the device. */
    deviceKey: join(stateDir, 'device-key.pem'),
    /** Optional operator config (see kiosk/src/config.ts). */
    config: join(stateDir, 'device.json'),
    /** TUF metadata (written by tuf-js only; content never lands here). */
    tuf: join(stateDir, 'tuf'),
    /** Verified TUF targets (the manifest and media), content-addressed by SHA-256. */
    targets: join(stateDir, 'content', 'targets'),
    /** Current manifest hash, emergency sequence and active emergencies, quarantine. */
    contentState: join(stateDir, 'content', 'state.json'),
    /** Proof of play waiting for upload (JSON lines, fsynced). */
    plays: join(stateDir, 'content', 'plays.jsonl'),
    /** The kiosk's payment journal: every step persisted before it is acted on. */
    payments: join(stateDir, 'payments.json'),
    /** Simulated printer output (`<jobId>.bin` + `.png`). */
    printer: join(stateDir, 'printer'),
    /** Simulated payment terminal's transaction log (survives restarts of this process, like a real one). */
    terminal: join(stateDir, 'terminal'),
    /** Synthesised voice prompts, `<sha256>.wav` (a cache: safe to delete). */
    speech: join(stateDir, 'speech'),
    /** Remote configuration: the accepted target, the values it put into effect, the report outbox. */
    fleetConfig: join(stateDir, 'fleet', 'config.json'),
    /** Remote commands: the highest seq run, and the signed results (re-sent until the server has them). */
    commands: join(stateDir, 'commands.json'),
    /** Simulated LED controller output. */
    led: join(stateDir, 'led'),
  } as const;
}
export type StateLayout = ReturnType<typeof stateLayout>;
