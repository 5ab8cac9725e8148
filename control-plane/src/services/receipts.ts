import { canonicalJson } from '../../../protocol/canonical-json.js';
import { verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, isLinliError } from '../../../protocol/errors.js';
import { ID_PATTERN } from '../../../protocol/ids.js';
import { Receipt, type ReceiptVerifyResponse } from '../../../protocol/schemas/receipt.js';
import { safeEqual } from '../crypto/secrets.js';
import type { ServiceContext } from './context.js';
import { DEFAULT_TIMEZONE } from './hierarchy.js';
import { RECEIPT_TAG_LENGTH, receiptTag } from './payments/payment-signing.js';

export interface Verdict {
  status: 'valid' | 'invalid' | 'unknown';
  reason: { en: string; zh: string };
  code?: string;
  receipt?: Receipt;
  /** Where the paying kiosk stands, for showing the time as the resident saw it. */
  timezone: string;
}

const ID_RE = new RegExp(ID_PATTERN);

/**
 * Answers "is this receipt genuine?" for anyone holding one: from the QR link (id + `s` tag) or from the
 * full signed envelope. Both require our transaction key's signature and a matching stored record.
 */
export class ReceiptService {
  readonly #ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  /** The receipt page's question: the stored receipt must verify and `s` must be the tag printed on it. */
  async checkLink(id: string, s: string | undefined): Promise<Verdict> {
    const stored =
      ID_RE.test(id) && id.startsWith('rcpt_') ? await this.#ctx.repo.receipts.get(id) : undefined;
    if (!stored) {
      return {
        status: 'unknown',
        reason: { en: 'There is no receipt with this number.', zh: '没有这个编号的收据。' },
        code: ErrorCode.RECEIPT_NOT_FOUND,
        timezone: DEFAULT_TIMEZONE,
      };
    }
    const timezone = await this.#timezoneOf(stored.envelope.payload.deviceId);
    let receipt: Receipt;
    try {
      receipt = this.#verify(stored.envelope);
    } catch (err) {
      this.#ctx.log.error({ err, receiptId: id }, 'a stored receipt no longer verifies');
      return invalid(
        'Our own record of this receipt fails its signature check.',
        '本系统的收据记录未通过签名校验。',
        err,
        timezone,
      );
    }
    const tags = [receiptTag(receipt), stored.envelope.sig.slice(0, RECEIPT_TAG_LENGTH)].filter(
      (t): t is string => typeof t === 'string',
    );
    if (!s) {
      return invalid(
        'The link has no check code; scan the QR code printed on the receipt.',
        '链接缺少校验码，请扫描收据上的二维码。',
        ErrorCode.SIGNATURE_INVALID,
        timezone,
      );
    }
    if (!tags.some((t) => safeEqual(t, s))) {
      return invalid(
        'The check code does not match this receipt: it may be forged or altered.',
        '校验码与收据不符，收据可能被伪造或篡改。',
        ErrorCode.SIGNATURE_INVALID,
        timezone,
      );
    }
    return {
      status: 'valid',
      reason: {
        en: 'Genuine: issued and signed by this Linli control plane.',
        zh: '真实有效：由本系统签发并签名。',
      },
      receipt,
      timezone,
    };
  }

  /** A full signed receipt: valid when it verifies with our transaction key and matches our record. */
  async verifyEnvelope(envelope: unknown): Promise<ReceiptVerifyResponse> {
    let receipt: Receipt;
    try {
      receipt = this.#verify(envelope);
    } catch (err) {
      const code = isLinliError(err) ? err.code : ErrorCode.ENVELOPE_MALFORMED;
      return { valid: false, reason: isLinliError(err) ? err.message : 'not a signed receipt', code };
    }
    const stored = await this.#ctx.repo.receipts.get(receipt.id);
    if (!stored || canonicalJson(stored.envelope.payload) !== canonicalJson(receipt)) {
      return {
        valid: false,
        reason: 'the signature is ours but no such receipt is on record',
        code: ErrorCode.RECEIPT_NOT_FOUND,
      };
    }
    return { valid: true, reason: 'genuine: signed by this control plane and on record', receipt };
  }

  #verify(envelope: unknown): Receipt {
    return verifyEnvelope<Receipt>(envelope, this.#ctx.keys.keyring, {
      type: 'linli.receipt/v1',
      schema: Receipt,
    });
  }

  async #timezoneOf(deviceId: string): Promise<string> {
    const device = await this.#ctx.repo.devices.get(deviceId);
    const node = device ? await this.#ctx.repo.nodes.get(device.nodeId) : undefined;
    return node?.timezone ?? DEFAULT_TIMEZONE;
  }
}

/** An invalid verdict never carries the receipt's details: a link without the right tag learns nothing. */
function invalid(en: string, zh: string, codeOrErr: unknown, timezone: string): Verdict {
  const code =
    typeof codeOrErr === 'string'
      ? codeOrErr
      : isLinliError(codeOrErr)
        ? codeOrErr.code
        : ErrorCode.SIGNATURE_INVALID;
  return { status: 'invalid', reason: { en, zh }, code, timezone };
}
