import { signEnvelope } from '../../../../protocol/envelope.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import { EmergencyAlert } from '../../../../protocol/schemas/notice.js';
import { isValid, validate } from '../../../../protocol/validate.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { KeyStore } from '../../keys/key-store.js';
import type { Repository } from '../../storage/repository.js';
import type { EmergencyIssueRecord, NoticeRecord } from '../../storage/signage-records.js';
import type { EmergencyIssueInput } from '../../storage/signage-repository.js';
import { connectedTargeted, countTargeted, spreadFor } from './device-targeting.js';

export interface IssueResult {
  seq: number;
  envelope: Signed<EmergencyAlert>;
  targeted: number;
  notified: number;
  /** The connected devices it was pushed to (they sync on their own after a push; no sync frame needed). */
  pushedTo: readonly string[];
}

/**
 * The urgent path. One envelope per issue, signed once with the emergency key for every target and pushed,
 * byte for byte the same, inside the WebSocket message to every connected target device. The sequence number
 * comes from storage in the same transaction that records the issue, so it only ever rises.
 */
export class EmergencyIssuer {
  readonly #repo: Repository;
  readonly #keys: KeyStore;
  readonly #notifier: DeviceNotifier;

  constructor(repo: Repository, keys: KeyStore, notifier: DeviceNotifier) {
    this.#repo = repo;
    this.#keys = keys;
    this.#notifier = notifier;
    // Compile the alert's validator now, not on the first emergency (where it would delay the first push).
    isValid(EmergencyAlert, null);
  }

  async issue(
    notice: NoticeRecord,
    action: 'show' | 'cancel',
    opts: { ttlSec: number; at: number; by: string },
  ): Promise<IssueResult> {
    const issued = await this.#repo.notices.issueEmergency(this.input(notice, action, opts));
    return this.push(notice, issued);
  }

  /** What storage needs to record an issue; used alone when the issue is part of a bigger transaction. */
  input(
    notice: NoticeRecord,
    action: 'show' | 'cancel',
    opts: { ttlSec: number; at: number; by: string },
  ): EmergencyIssueInput {
    const content = notice.published ?? notice.content;
    return {
      noticeId: notice.id,
      action,
      ttlSec: opts.ttlSec,
      at: opts.at,
      by: opts.by,
      liveUntil: action === 'show' ? opts.at + opts.ttlSec * 1000 : null,
      sign: (seq) =>
        signEnvelope(
          validate(
            EmergencyAlert,
            {
              type: 'linli.emergency/v1',
              seq,
              action,
              noticeId: notice.id,
              noticeVersion: notice.publishedVersion ?? 1,
              targets: content.targets,
              ttlSec: opts.ttlSec,
              title: content.title,
              body: content.body,
              category: content.category,
              issuedAt: new Date(opts.at).toISOString(),
            },
            'emergency alert',
          ),
          this.#keys.emergency,
        ),
    };
  }

  /**
   * Pushes a recorded issue to the connected targets. Only after its transaction committed: the envelope is
   * signed and stored, so no screen shows what storage does not say. Targets come from the hub's index and
   * the push goes out first; how many devices it targets in all (a storage read) is counted afterwards.
   */
  async push(notice: NoticeRecord, issued: EmergencyIssueRecord): Promise<IssueResult> {
    const content = notice.published ?? notice.content;
    const pushedTo = await connectedTargeted(this.#notifier, this.#repo, [content.targets]);
    const notified = this.#notifier.notify(pushedTo, {
      type: 'push',
      kind: 'emergency',
      envelope: issued.envelope,
      spreadMs: spreadFor(pushedTo.length),
    });
    const targeted = await countTargeted(this.#repo, [content.targets]);
    return { seq: issued.seq, envelope: issued.envelope, targeted, notified, pushedTo };
  }
}
