import type { ScreenshotResponse } from '../../../protocol/schemas/signage-device.js';
import type { AnswerRelay } from '../services/screenshots.js';
import type { ClusterRepository } from '../storage/cluster-repository.js';
import type { Mailbox } from './mailbox.js';

const MAIL_ANSWER = 'answer';

type AnswerHandler = (requestId: string, deviceId: string, answer: ScreenshotResponse) => void;

/**
 * Routes a device's answer to the instance waiting for it: the waiting instance records the request id in
 * the store; whichever instance the upload reaches looks it up and mails the answer there.
 */
export class ClusterAnswerRelay implements AnswerRelay {
  readonly #self: string;
  readonly #store: ClusterRepository;
  readonly #mailbox: Mailbox;
  readonly #now: () => number;
  readonly #handlers: AnswerHandler[] = [];

  constructor(o: { self: string; store: ClusterRepository; mailbox: Mailbox; now: () => number }) {
    this.#self = o.self;
    this.#store = o.store;
    this.#mailbox = o.mailbox;
    this.#now = o.now;
    o.mailbox.on(MAIL_ANSWER, (body) => {
      const b = body as { requestId?: unknown; deviceId?: unknown; answer?: unknown } | null;
      if (typeof b?.requestId !== 'string' || typeof b.deviceId !== 'string') return;
      if (typeof b.answer !== 'object' || b.answer === null) return;
      for (const h of this.#handlers) h(b.requestId, b.deviceId, b.answer as ScreenshotResponse);
    });
  }

  track(requestId: string, deviceId: string, ttlMs: number): Promise<void> {
    return this.#store.trackRequest(requestId, this.#self, deviceId, this.#now() + ttlMs);
  }

  forget(requestId: string): Promise<void> {
    return this.#store.dropRequest(requestId);
  }

  async forward(requestId: string, deviceId: string, answer: ScreenshotResponse): Promise<boolean> {
    const owner = await this.#store.requestOwner(requestId, deviceId, this.#now());
    // Owned here but not pending here: it timed out a moment ago.
    if (owner === undefined || owner === this.#self) return false;
    await this.#mailbox.send(owner, MAIL_ANSWER, { requestId, deviceId, answer });
    return true;
  }

  onAnswer(handler: AnswerHandler): void {
    this.#handlers.push(handler);
  }
}
