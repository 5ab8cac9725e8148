import { ErrorCode, isLinliError } from '../../../protocol/errors.js';
import type { ScreenshotUpload } from '../../../protocol/schemas/signage-device.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Outcome } from '../commands/command-ops.js';
import type { Logger } from '../logger.js';
import type { RoleUnit } from '../roles/role-unit.js';

/**
 * Answers a verified `screenshot` command: PNGs of what the role shows, uploaded over HTTP under the command
 * id (an admin may be waiting for them), and an outcome for the signed result. A refusal (the kiosk while a
 * payment screen shows card or amount data) is uploaded as an error too, so the waiting admin sees why.
 */
export async function answerScreenshot(
  commandId: string,
  o: { api: Pick<DeviceApiClient, 'uploadScreenshot'>; role: () => RoleUnit | undefined; log: Logger },
): Promise<Outcome> {
  const images: ScreenshotUpload['images'] = [];
  const errors: ScreenshotUpload['errors'] = [];
  let outcome: Outcome;
  try {
    const role = o.role();
    if (!role?.screenshot) throw new Error('this device role shows nothing to capture');
    for (const shot of await role.screenshot())
      images.push({ kind: shot.kind, png: shot.png.toString('base64') });
    outcome = { status: 'done', detail: { images: images.length } };
  } catch (err) {
    const code = isLinliError(err) ? err.code : ErrorCode.SCREENSHOT_FAILED;
    const message = (err as Error).message.slice(0, 300);
    errors.push({ kind: 'screen', code, message });
    outcome =
      code === ErrorCode.SCREENSHOT_REFUSED
        ? { status: 'rejected', code, message, detail: { screenshot: 'refused-payment-screen' } }
        : { status: 'failed', code, message };
  }
  try {
    await o.api.uploadScreenshot(commandId, { capturedAt: new Date().toISOString(), images, errors });
    if (outcome.detail) outcome.detail.uploaded = true;
  } catch (err) {
    // Nobody waits for it (a command from the list, not the screenshot button) or the upload failed.
    o.log.info({ err: (err as Error).message }, 'screenshot: upload not taken');
    if (outcome.detail) outcome.detail.uploaded = false;
  }
  return outcome;
}
