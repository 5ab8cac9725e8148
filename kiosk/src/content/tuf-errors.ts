import { LengthOrHashMismatchError, UnsignedMetadataError } from '@tufjs/models/dist/error.js';
import {
  BadVersionError,
  DownloadHTTPError,
  DownloadLengthMismatchError,
  ExpiredMetadataError,
} from 'tuf-js/dist/error.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';

/**
 * Every way a TUF refresh can fail, as a coded error: a log line and a test can then say exactly why an update
 * was refused. tuf-js wraps snapshot and targets failures in a RuntimeError that keeps only the message, so
 * those are recognised by their words; a coded error our fetcher threw is passed in as `fromFetcher`.
 */
export function tufError(err: unknown, fromFetcher?: LinliError): LinliError {
  if (isLinliError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const wrapped = /^Unable to load (snapshot|targets)/.test(message);
  if (wrapped && fromFetcher && message.includes(fromFetcher.message)) return fromFetcher;
  const coded = (code: ErrorCode, what: string) =>
    new LinliError(
      code,
      `${what}: ${message.slice(0, 300)}; the last verified content keeps playing`,
      undefined,
      {
        cause: err,
      },
    );
  if (err instanceof ExpiredMetadataError || /expired/i.test(message)) {
    return coded(
      ErrorCode.TUF_EXPIRED,
      'metadata has expired (freeze protection: no updates until fresh metadata arrives)',
    );
  }
  if (err instanceof BadVersionError || (wrapped && /version/i.test(message))) {
    return coded(
      ErrorCode.TUF_ROLLBACK,
      'metadata version went backwards or does not match (rollback refused)',
    );
  }
  if (err instanceof UnsignedMetadataError || /signed by \d+\/\d+ keys|signature/i.test(message)) {
    return coded(ErrorCode.TUF_SIGNATURE, 'metadata is not signed by the keys the pinned root trusts');
  }
  if (err instanceof LengthOrHashMismatchError || /hash|length/i.test(message)) {
    return coded(ErrorCode.TUF_METADATA, 'metadata does not match the hash or length its parent signed');
  }
  if (err instanceof DownloadLengthMismatchError || /max length/i.test(message)) {
    return coded(ErrorCode.TARGET_TOO_LARGE, 'metadata is larger than allowed');
  }
  if (err instanceof DownloadHTTPError) {
    return coded(ErrorCode.TUF_UNAVAILABLE, `the control plane answered HTTP ${err.statusCode}`);
  }
  if (
    err instanceof SyntaxError ||
    err instanceof TypeError ||
    /JSON|must be|is not defined|expected/i.test(message)
  ) {
    return coded(ErrorCode.TUF_METADATA, 'metadata is malformed');
  }
  return coded(ErrorCode.TUF_METADATA, 'metadata refused');
}
