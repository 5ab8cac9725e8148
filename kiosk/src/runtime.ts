import { EventEmitter } from 'node:events';
import type { ServerPush } from '../../protocol/schemas/channel.js';
import { DeviceApiClient } from './api-client.js';
import { DeviceChannel } from './channel/device-channel.js';
import { CommandStore } from './commands/command-store.js';
import { CommandUnit } from './commands/command-unit.js';
import { ServerClock } from './commands/server-clock.js';
import type { DeviceConfig } from './config.js';
import { type ContentUnit, createContentUnit } from './content/content-unit.js';
import { answerScreenshot } from './content/screenshot-command.js';
import { ConfigSync } from './fleet/config-sync.js';
import { createHealthUnit, type HealthUnit } from './health/health-unit.js';
import type { FetchFn } from './http/http-json.js';
import { type DeviceIdentity, loadIdentity } from './identity/identity.js';
import { Trust } from './identity/trust.js';
import { LocalServer } from './local-server.js';
import { createLogger, type Logger } from './logger.js';
import type { PeripheralProvider } from './peripherals.js';
import type { RoleContext, RoleUnit } from './roles/role-unit.js';
import { describeRuntime } from './runtime-version.js';
import { LiveSettings, settingsFromLocalConfig } from './settings/live-settings.js';
import { type StateLayout, stateLayout } from './state/state-layout.js';
import { LoopHealth, pollingLoopProbe } from './system/loop-health.js';

export interface RuntimeOptions {
  stateDir: string;
  config: DeviceConfig;
  /** Opens the role's peripherals (the drivers' factory in production, simulators by default). */
  peripherals: PeripheralProvider;
  log?: Logger;
  fetch?: FetchFn;
}

export interface RuntimeInfo {
  deviceId: string;
  role: DeviceIdentity['role'];
  url: string;
}

/**
 * The device runtime: loads the enrolled identity, keeps the channel to the control plane, keeps verified
 * notices in step, runs the role (lobby screen, LED sign or payment kiosk) and serves its local pages.
 * start() and stop() are idempotent; stop() leaves every file consistent (all writes are durable anyway).
 */
/**
 * Events: `link` (channel up/down), `push`, and `restart`: a verified `reboot` command asks whoever runs the
 * runtime to stop it and exit with RESTART_EXIT_CODE (kiosk/src/restart-code.ts) so systemd starts it again.
 */
export class DeviceRuntime extends EventEmitter<{ link: [boolean]; push: [ServerPush]; restart: [] }> {
  readonly #o: RuntimeOptions;
  readonly #layout: StateLayout;
  /** The loops the systemd watchdog checks (kiosk/src/system/loop-health.ts); others register theirs. */
  readonly loops = new LoopHealth();
  #log: Logger;
  #starting: Promise<RuntimeInfo> | undefined;
  #stopping: Promise<void> | undefined;
  #parts:
    | {
        api: DeviceApiClient;
        channel: DeviceChannel;
        content: ContentUnit;
        role: RoleUnit;
        server: LocalServer;
        closePeripherals: () => Promise<void>;
        settings: LiveSettings;
        config: ConfigSync;
        health: HealthUnit;
        commands: CommandUnit;
      }
    | undefined;

  constructor(opts: RuntimeOptions) {
    super();
    this.#o = opts;
    this.#layout = stateLayout(opts.stateDir);
    this.#log = opts.log ?? createLogger(opts.config.logLevel);
  }

  /** The settings in effect while the runtime runs (remote configuration; tests set them here too). */
  get settings(): LiveSettings | undefined {
    return this.#parts?.settings;
  }

  start(): Promise<RuntimeInfo> {
    if (this.#stopping) return Promise.reject(new Error('runtime is stopping; create a new one'));
    this.#starting ??= this.#start().catch(async (err: unknown) => {
      await this.#teardown();
      throw err;
    });
    return this.#starting;
  }

  stop(): Promise<void> {
    if (!this.#starting) return Promise.resolve();
    this.#stopping ??= this.#starting.then(
      () => this.#teardown(),
      () => undefined,
    );
    return this.#stopping;
  }

  async #start(): Promise<RuntimeInfo> {
    const { config } = this.#o;
    // Started now, awaited before the channel: `git describe` runs beside the rest of start-up.
    const describing = describeRuntime();
    const identity = await loadIdentity(this.#o.stateDir);
    const log = this.#log.child({ deviceId: identity.deviceId, role: identity.role });
    this.#log = log;
    const serverUrl = config.serverUrl ?? identity.file.serverUrl;
    const trust = new Trust(this.#o.stateDir, identity);
    const api = new DeviceApiClient({
      serverUrl,
      identity,
      log: log.child({ component: 'api' }),
      timeoutMs: config.http.timeoutMs,
      retries: config.http.retries,
      retryBaseMs: config.http.retryBaseMs,
      ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
    });
    let channelOpen = (): boolean => false;
    const settings = new LiveSettings(settingsFromLocalConfig(config));
    // Children of `log` follow its level (pino), so one assignment changes every component's level.
    settings.onApply('log.level', (level) => {
      log.level = level;
    });
    const content = await createContentUnit({
      identity,
      layout: this.#layout,
      api,
      keyring: () => trust.keyring,
      serverUrl,
      config,
      log,
      online: () => channelOpen(),
      settings,
    });
    const software = await describing;
    const channel = new DeviceChannel({
      serverUrl,
      identity,
      log: log.child({ component: 'channel' }),
      backoffBaseMs: config.channel.backoffBaseMs,
      backoffCapMs: config.channel.backoffCapMs,
      stableAfterMs: config.channel.stableAfterMs,
      handshakeTimeoutMs: config.channel.handshakeTimeoutMs,
      contentVersion: () => content.sync.manifestSha256?.slice(0, 16),
      runtime: () => software,
    });
    channelOpen = () => channel.state === 'open';
    let configSync: ConfigSync | undefined;
    let commands: CommandUnit | undefined;
    channel.on('welcome', (w) => {
      commands?.onWelcome(w.serverTime);
      void content.sync.refresh();
      void content.plays.flush();
      void configSync?.sync();
    });
    channel.on('push', (msg) => {
      void content.onPush(msg);
      this.emit('push', msg);
    });
    channel.on('command', (msg) => void commands?.handle(msg));
    channel.on('sync', (msg) => {
      if (msg.topic === 'content') void content.onSync(msg.spreadMs);
      else if (msg.topic === 'keys') void this.#refreshKeys(api, trust).then(() => content.sync.refresh());
      else if (msg.topic === 'config') void configSync?.sync();
      else log.debug({ topic: msg.topic }, 'channel: sync topic not handled by this version');
    });
    channel.on('state', (s) => {
      if (s === 'open' || s === 'waiting' || s === 'replaced') this.emit('link', s === 'open');
    });

    const opened = await this.#o.peripherals(identity.role, this.#layout);
    const health = createHealthUnit({
      identity,
      config,
      stateDir: this.#o.stateDir,
      devices: opened.devices,
      ...(opened.events ? { events: opened.events } : {}),
      settings,
      channel,
      content,
      log: log.child({ component: 'health' }),
    });
    const ctx: RoleContext = {
      identity,
      config,
      layout: this.#layout,
      api,
      trust,
      content,
      peripherals: health.peripherals,
      ...(opened.events ? { peripheralEvents: opened.events } : {}),
      settings,
      log,
      online: () => channel.state === 'open',
      onLinkChange: (fn) => this.on('link', fn),
      onPush: (fn) => this.on('push', fn),
    };
    let role: RoleUnit;
    try {
      role = await createRole(ctx);
    } catch (err) {
      await opened.close();
      throw err;
    }
    configSync = new ConfigSync({
      api,
      deviceId: identity.deviceId,
      role: identity.role,
      keyring: () => trust.keyring,
      refreshKeys: () => this.#refreshKeys(api, trust),
      settings,
      busy: () => role.busy,
      file: this.#layout.fleetConfig,
      log: log.child({ component: 'config' }),
      pollMs: () =>
        1000 * settings.get(channelOpen() ? 'content.pollIntervalOnlineSec' : 'content.pollIntervalSec'),
      baseline: settingsFromLocalConfig(config),
    });
    const server = new LocalServer({
      host: config.host,
      port: config.port,
      log,
      routes: (app) => role.routes(app),
      health: () => ({
        deviceId: identity.deviceId,
        role: identity.role,
        channel: channel.state,
        ...content.health(),
        keysetVersion: trust.keysetVersion,
        config: configSync?.status,
        uptimeSec: Math.floor(process.uptime()),
        ...role.health(),
      }),
    });
    const roleNow = () => this.#parts?.role;
    commands = new CommandUnit({
      identity,
      keyring: () => trust.keyring,
      store: new CommandStore(this.#layout.commands, (err) =>
        log.error({ code: err.code }, 'commands: state file was corrupt; moved aside'),
      ),
      clock: new ServerClock(),
      api,
      targets: {
        role: roleNow,
        settings,
        refreshContent: () => content.sync.refresh(),
        screenshot: (id) => answerScreenshot(id, { api, role: roleNow, log }),
      },
      restart: () => this.emit('restart'),
      log: log.child({ component: 'commands' }),
    });
    this.#parts = {
      api,
      channel,
      content,
      role,
      server,
      closePeripherals: opened.close,
      settings,
      config: configSync,
      health,
      commands,
    };

    // The remote values go back into effect before anything shows (a restart does not flap to device.json).
    await configSync.restore();
    const startedAt = Date.now();
    // The poll intervals in effect (a remote setting may change them).
    const pollMs = () =>
      1000 * Math.max(settings.get('content.pollIntervalSec'), settings.get('content.pollIntervalOnlineSec'));
    this.loops.register(pollingLoopProbe('content sync', content.sync, { startedAt, pollMs }));
    this.loops.register({
      name: 'channel',
      check: () => (channel.state === 'stopped' ? 'the channel loop stopped' : undefined),
    });
    await content.start();
    await commands.start();
    await role.start();
    const url = await server.start();
    await role.afterListen?.(url);
    health.start(() => role.health());
    channel.start();
    void content.sync.refresh();
    await configSync.start();
    log.info({ url, serverUrl }, 'device runtime started');
    return { deviceId: identity.deviceId, role: identity.role, url };
  }

  async #refreshKeys(api: DeviceApiClient, trust: Trust): Promise<void> {
    try {
      if (await trust.acceptKeyset(await api.getKeyset())) {
        this.#log.info(
          { version: trust.keysetVersion },
          'keys: accepted a new keyset signed by the pinned root',
        );
      }
    } catch (err) {
      this.#log.error(
        { code: (err as { code?: string }).code, err: (err as Error).message },
        'keys: refused the keyset',
      );
    }
  }

  async #teardown(): Promise<void> {
    const p = this.#parts;
    this.#parts = undefined;
    if (!p) return;
    p.health.stop();
    await p.channel.stop();
    await p.config.stop();
    await p.commands.stop();
    await p.server.stop();
    await p.role.stop();
    await p.content.stop();
    p.api.close();
    await p.closePeripherals();
    p.settings.close();
    this.#log.info('device runtime stopped');
  }
}

/** Each role's code loads only on a device of that role: a lobby screen never parses the payment flow. */
async function createRole(ctx: RoleContext): Promise<RoleUnit> {
  switch (ctx.identity.role) {
    case 'lobby':
      return (await import('./roles/lobby-role.js')).createLobbyRole(ctx);
    case 'led':
      return (await import('./roles/led-role.js')).createLedRole(ctx);
    default:
      return (await import('./roles/kiosk-role.js')).createKioskRole(ctx);
  }
}
