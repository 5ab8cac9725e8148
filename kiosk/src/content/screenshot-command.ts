import { ErrorCode, isLinliError } from '../../../protocol/errors.js';
import type { ServerCommand } from '../../../protocol/schemas/channel.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Logger } from '../logger.js';
import type { RoleUnit } from '../roles/role-unit.js';

/** Answers the control plane's `screenshot` command: PNGs of what the role shows, uploaded over HTTP. */
export async function answerScreenshot(
  cmd: ServerCommand,
  o: { api: Pick<DeviceApiClient, 'uploadScreenshot'>; role: () => RoleUnit | undefined; log: Logger },
): Promise<void> {
  const images: { kind: 'lobby' | 'led'; png: string }[] = [];
  const errors: { kind: string; code: string; message: string }[] = [];
  try {
    const role = o.role();
    if (!role?.screenshot) throw new Error('this device role shows nothing to capture');
    for (const shot of await role.screenshot())
      images.push({ kind: shot.kind, png: shot.png.toString('base64') });
  } catch (err) {
    errors.push({
      kind: 'screen',
      code: isLinliError(err) ? err.code : ErrorCode.SCREENSHOT_FAILED,
      message: (err as Error).message.slice(0, 300),
    });
  }
  try {
    await o.api.uploadScreenshot(cmd.id, { capturedAt: new Date().toISOString(), images, errors });
  } catch (err) {
    o.log.warn({ err: (err as Error).message }, 'screenshot: could not upload');
  }
}
