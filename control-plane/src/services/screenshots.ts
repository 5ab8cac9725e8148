import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { ScreenshotResponse, ScreenshotUpload } from '../../../protocol/schemas/signage-device.js';
import type { DeviceNotifier } from '../hub/device-hub.js';
import type { Repository } from '../storage/repository.js';
import type { CommandService } from './commands/command-service.js';
import type { AdminPrincipal, DevicePrincipal } from './context.js';
import type { HierarchyService } from './hierarchy.js';

/**
 * With several control-plane instances the device's upload may reach another instance than the one whose
 * admin is waiting: the relay records who waits (in the store) and carries an answer to it.
 */
export interface AnswerRelay {
  track(requestId: string, deviceId: string, ttlMs: number): Promise<void>;
  forget(requestId: string): Promise<void>;
  /** Hands an answer this instance is not waiting for to the one that is; false when nobody waits. */
  forward(requestId: string, deviceId: string, answer: ScreenshotResponse): Promise<boolean>;
  /** Answers forwarded here by other instances. */
  onAnswer(handler: (requestId: string, deviceId: string, answer: ScreenshotResponse) => void): void;
}

interface Pending {
  deviceId: string;
  resolve: (r: ScreenshotResponse) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * "Show me that screen": sends the device a signed `screenshot` command (CommandService) and waits for it to
 * upload what its page (lobby or kiosk UI, through the Chromium DevTools protocol) and its LED panel show, as
 * PNG. The upload goes to `deviceScreenshotUpload(commandId)`; the device also posts its signed result, so
 * the command list records it. A kiosk refuses while a payment screen shows card or amount data.
 */
export class ScreenshotService {
  readonly #pending = new Map<string, Pending>();

  constructor(
    readonly repo: Repository,
    readonly hierarchy: HierarchyService,
    readonly notifier: DeviceNotifier,
    readonly commands: Pick<CommandService, 'issue'>,
    readonly timeoutMs = 20_000,
    readonly relay?: AnswerRelay,
  ) {
    relay?.onAnswer((id, deviceId, answer) => this.#settle(id, deviceId, answer));
  }

  async request(p: AdminPrincipal, deviceId: string): Promise<ScreenshotResponse> {
    const dev = await this.repo.devices.get(deviceId);
    // Outside the admin's scope answers like an unknown id.
    if (!dev || !(await this.hierarchy.inScope(p, dev.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no device ${deviceId}`, { field: 'id' });
    }
    // Not queued: the admin waits for the picture now, so an offline device is said at once.
    if (!this.notifier.isOnline(deviceId)) throw offline(deviceId);
    const id = newId('cmd', Date.now());
    // Recorded before the command goes out, so an upload reaching another instance finds its way back.
    await this.relay?.track(id, deviceId, this.timeoutMs);
    const answer = new Promise<ScreenshotResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#forget(id);
        reject(
          new LinliError(
            ErrorCode.SCREENSHOT_FAILED,
            `device ${deviceId} did not send its screenshot in time; is its screen running?`,
          ),
        );
      }, this.timeoutMs);
      this.#pending.set(id, { deviceId, resolve, reject, timer });
    });
    const drop = (): void => {
      const pending = this.#pending.get(id);
      clearTimeout(pending?.timer);
      this.#pending.delete(id);
      this.#forget(id);
    };
    try {
      const sent = await this.commands.issue(p, deviceId, {
        id,
        op: 'screenshot',
        ttlSec: Math.max(10, Math.ceil(this.timeoutMs / 1000)),
      });
      if (sent.state === 'pending') throw offline(deviceId);
    } catch (err) {
      drop();
      throw err;
    }
    return answer;
  }

  async receive(d: DevicePrincipal, requestId: string, upload: ScreenshotUpload): Promise<void> {
    const answer = { deviceId: d.device.id, ...upload };
    if (this.#settle(requestId, d.device.id, answer)) return;
    if (this.relay && (await this.relay.forward(requestId, d.device.id, answer))) return;
    throw new LinliError(
      ErrorCode.NOT_FOUND,
      'no screenshot was asked of this device under that id (or it timed out)',
    );
  }

  #settle(requestId: string, deviceId: string, answer: ScreenshotResponse): boolean {
    const pending = this.#pending.get(requestId);
    if (!pending || pending.deviceId !== deviceId) return false;
    clearTimeout(pending.timer);
    this.#pending.delete(requestId);
    this.#forget(requestId);
    pending.resolve(answer);
    return true;
  }

  #forget(requestId: string): void {
    this.relay?.forget(requestId).catch(() => {
      // Only a lookup row; it expires on its own.
    });
  }

  close(): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new LinliError(ErrorCode.UNAVAILABLE, 'control plane stopping'));
    }
    this.#pending.clear();
  }
}

function offline(deviceId: string): LinliError {
  return new LinliError(
    ErrorCode.DEVICE_OFFLINE,
    `device ${deviceId} is not connected; try again when it is online`,
  );
}
