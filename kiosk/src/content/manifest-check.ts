import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { ContentManifest } from '../../../protocol/schemas/notice.js';
import { isValid } from '../../../protocol/validate.js';
import { checkCatalogue } from '../services/service-catalogue.js';
import { checkTargetPath } from './target-downloader.js';

/**
 * A manifest the TUF targets metadata vouched for (by hash) is still parsed defensively: valid JSON, the
 * manifest schema, made for this device, every image path a plain content-addressed media name, and a service
 * catalogue whose matters point at categories and offices it contains.
 */
export function parseManifest(bytes: Buffer, deviceId: string): ContentManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new LinliError(ErrorCode.MANIFEST_INVALID, 'the content manifest is not JSON; refused');
  }
  const notices = (doc as { notices?: unknown })?.notices;
  if (Array.isArray(notices)) {
    for (const n of notices) {
      for (const img of ((n as { images?: unknown })?.images as { target?: unknown }[] | undefined) ?? []) {
        checkTargetPath(String(img?.target));
      }
    }
  }
  if (!isValid(ContentManifest, doc)) {
    throw new LinliError(
      ErrorCode.MANIFEST_INVALID,
      'the content manifest does not match linli.manifest/v1; refused',
    );
  }
  if (doc.deviceId !== deviceId) {
    throw new LinliError(
      ErrorCode.TUF_WRONG_DEVICE,
      `the content manifest is for ${doc.deviceId}, not this device; refused`,
    );
  }
  for (const n of doc.notices) {
    for (const img of n.images) {
      if (!img.target.startsWith(`media/${img.sha256}.`)) {
        throw new LinliError(ErrorCode.TARGET_PATH, `image ${img.target} is not named by its hash; refused`);
      }
    }
  }
  const bad = doc.services ? checkCatalogue(doc.services) : undefined;
  if (bad) {
    throw new LinliError(
      ErrorCode.MANIFEST_INVALID,
      `the service catalogue in the manifest is inconsistent (${bad}); refused`,
    );
  }
  return doc;
}
