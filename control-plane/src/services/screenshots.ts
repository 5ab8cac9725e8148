import { randomBytes } from 'node:crypto';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { ScreenshotResponse, ScreenshotUpload } from '../../../protocol/schemas/signage-device.js';
import type { DeviceNotifier } from '../hub/device-hub.js';
import type { Repository } from '../storage/repository.js';
import type { AdminPrincipal, DevicePrincipal } from './context.js';
import type { HierarchyService } from './hierarchy.js';

interface Pending {
  deviceId: string;
  resolve: (r: ScreenshotResponse) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * "Show me that screen": asks the device over its channel and waits for it to upload what its lobby page
 * (through the Chromium DevTools protocol) and its LED panel show, as PNG.
 */
export class ScreenshotService {
  readonly #pending = new Map<string, Pending>();

  constructor(
    readonly repo: Repository,
    readonly hierarchy: HierarchyService,
    readonly notifier: DeviceNotifier,
    readonly timeoutMs = 20_000,
  ) {}

  async request(p: AdminPrincipal, deviceId: string): Promise<ScreenshotResponse> {
    const dev = await this.repo.devices.get(deviceId);
    // Outside the admin's scope answers like an unknown id.
    if (!dev || !(await this.hierarchy.inScope(p, dev.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no device ${deviceId}`, { field: 'id' });
    }
    if (dev.role === 'kiosk') {
      throw new LinliError(ErrorCode.BAD_REQUEST, 'screenshots are for lobby screens and LED signs');
    }
    const id = randomBytes(12).toString('base64url');
    const answer = new Promise<ScreenshotResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new LinliError(
            ErrorCode.SCREENSHOT_FAILED,
            `device ${deviceId} did not send its screenshot in time; is its screen running?`,
          ),
        );
      }, this.timeoutMs);
      this.#pending.set(id, { deviceId, resolve, reject, timer });
    });
    if (this.notifier.notify([deviceId], { type: 'command', id, op: 'screenshot' }) === 0) {
      const pending = this.#pending.get(id);
      clearTimeout(pending?.timer);
      this.#pending.delete(id);
      throw new LinliError(
        ErrorCode.DEVICE_OFFLINE,
        `device ${deviceId} is not connected; try again when it is online`,
      );
    }
    return answer;
  }

  receive(d: DevicePrincipal, requestId: string, upload: ScreenshotUpload): void {
    const pending = this.#pending.get(requestId);
    if (!pending || pending.deviceId !== d.device.id) {
      throw new LinliError(
        ErrorCode.NOT_FOUND,
        'no screenshot was asked of this device under that id (or it timed out)',
      );
    }
    clearTimeout(pending.timer);
    this.#pending.delete(requestId);
    pending.resolve({ deviceId: d.device.id, ...upload });
  }

  close(): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new LinliError(ErrorCode.UNAVAILABLE, 'control plane stopping'));
    }
    this.#pending.clear();
  }
}
