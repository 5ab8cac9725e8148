import { EventEmitter } from 'node:events';
import type { CardReader } from '../../../device-drivers/contracts/card-reader.js';
import type { ReceiptPrinter, StatusEvent } from '../../../device-drivers/contracts/index.js';
import type { PaymentTerminal } from '../../../device-drivers/contracts/payment-terminal.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import { formatFen } from '../../../protocol/money.js';
import type { I18nText } from '../../../protocol/schemas/common.js';
import type { Logger } from '../logger.js';
import type { BillDesk, CardAccountView } from './bill-desk.js';
import type { PayMethods, PayMethodsView } from './pay-methods.js';
import type { PaymentFlow } from './payment-flow.js';
import type { JournalEntry, PaymentJournal } from './payment-journal.js';
import { type PaymentView, paymentView } from './payment-view.js';

/** The last resident card read, as the page shows it. The UID is never shown in full. */
export interface CardState {
  status: 'reading' | 'found' | 'not_found' | 'error';
  uidMasked: string;
  at: string;
  label?: string;
  accounts?: CardAccountView[];
  error?: { code: string; message: string };
}

export interface SessionView {
  /** Bumped on every change; pass it back as `since` to long-poll GET /kiosk/api/session. */
  version: number;
  /** A payment is running or open on this kiosk. */
  busy: boolean;
  /** The page may reset to the home screen now; false while any payment is running or unresolved. */
  canIdleReset: boolean;
  /** The running payment, or the open one that blocks new payments. */
  payment?: PaymentView;
  /** Why a new payment would be refused right now (an earlier payment is still being checked). */
  blocked?: { code: string; message: string; key: string };
  card?: CardState;
  lastReceipt?: {
    id: string;
    verifyUrl: string;
    paidAt: string;
    amountText: string;
    billerName: I18nText;
    qrImageUrl: string;
  };
  /** Null while the peripheral is not connected (or this kiosk has none). */
  peripherals: Record<
    'printer' | 'terminal' | 'cardReader',
    { state: string; power: string; flags: Record<string, boolean> } | null
  >;
  /** The payment methods offered now (remote setting ∩ peripherals present), when the kiosk knows them. */
  methods?: PayMethodsView;
}

export interface KioskSessionOptions {
  flow: PaymentFlow;
  journal: PaymentJournal;
  desk: BillDesk;
  printer: ReceiptPrinter;
  terminal: PaymentTerminal;
  cardReader?: CardReader;
  /** Live payment capabilities (issue 12); without it every method is assumed offered. */
  methods?: PayMethods;
  /** Whether a peripheral is connected now (hotplug); without it every one given is. */
  present?: (name: 'printer' | 'terminal' | 'cardReader') => boolean;
  log: Logger;
  previewUrl: (jobId: string) => string | undefined;
}

const mask = (uid: string) => `${'*'.repeat(Math.max(0, uid.length - 4))}${uid.slice(-4)}`;

/**
 * What the kiosk page needs to know besides one payment: is a payment open (so idle reset must wait), is the
 * kiosk blocked by an unresolved payment, what the last card read found, the last receipt, and the state of
 * the peripherals. Emits `change` (session), `payment` (a payment view), `prompt`, `card` and `reset`.
 */
export class KioskSession extends EventEmitter<{
  change: [SessionView];
  payment: [PaymentView];
  prompt: [{ key: string; message: string }];
  card: [CardState];
  /** The page went home (idle reset or "start over"): the resident is gone. */
  reset: [];
}> {
  readonly #o: KioskSessionOptions;
  #version = 0;
  #card: CardState | undefined;
  readonly #detach: (() => void)[] = [];

  constructor(opts: KioskSessionOptions) {
    super();
    this.#o = opts;
  }

  start(): void {
    if (this.#detach.length > 0) return;
    const { journal, flow, cardReader, printer, terminal } = this.#o;
    const onEntry = (e: JournalEntry) => {
      this.emit('payment', this.view(e));
      this.#changed();
    };
    const onPrompt = (p: { key: string; message: string }) => {
      this.emit('prompt', p);
      const e = journal.get(p.key);
      if (e) this.emit('payment', this.view(e));
    };
    const onCard = (read: { kind: string; uid?: string }) => {
      if (read.kind === 'ic' && read.uid) void this.readCard(read.uid).catch(() => undefined);
      else
        this.#setCard({ status: 'error', uidMasked: '', at: new Date().toISOString(), error: cardInvalid() });
    };
    const onStatus = (_s: StatusEvent) => this.#changed();
    // The last journal change of a payment can land while the flow still holds it; without this the page's
    // last session view would say canIdleReset: false until something else changed.
    const onReleased = () => this.#changed();
    const onMethods = () => this.#changed();
    this.#o.methods?.on('change', onMethods);
    journal.on('change', onEntry);
    flow.on('prompt', onPrompt);
    flow.on('released', onReleased);
    cardReader?.on('data', onCard);
    for (const d of [printer, terminal, cardReader]) d?.on('status', onStatus);
    this.#detach.push(
      () => this.#o.methods?.off('change', onMethods),
      () => journal.off('change', onEntry),
      () => flow.off('prompt', onPrompt),
      () => flow.off('released', onReleased),
      () => cardReader?.off('data', onCard),
      () => {
        for (const d of [printer, terminal, cardReader]) d?.off('status', onStatus);
      },
    );
  }

  stop(): void {
    for (const d of this.#detach.splice(0)) d();
  }

  view(e: JournalEntry): PaymentView {
    return paymentView(e, {
      previewUrl: this.#o.previewUrl,
      active: this.#o.flow.active === e.key,
      ...(this.#o.flow.promptFor(e.key) ? { prompt: this.#o.flow.promptFor(e.key)! } : {}),
    });
  }

  get version(): number {
    return this.#version;
  }

  session(): SessionView {
    const { flow, journal } = this.#o;
    const activeKey = flow.active;
    const blocking = flow.blocked();
    const current = activeKey ? journal.get(activeKey) : blocking;
    const last = journal.lastReceipt?.payload;
    return {
      version: this.#version,
      busy: current !== undefined,
      canIdleReset: current === undefined && this.#card?.status !== 'reading',
      ...(current ? { payment: this.view(current) } : {}),
      ...(blocking
        ? {
            blocked: {
              code: ErrorCode.PAYMENT_UNRESOLVED,
              message:
                '上一笔缴费尚在确认中，暂不能缴费。An earlier payment is still being checked; no new payment until it is resolved.',
              key: blocking.key,
            },
          }
        : {}),
      ...(this.#card ? { card: this.#card } : {}),
      ...(last
        ? {
            lastReceipt: {
              id: last.id,
              verifyUrl: last.verifyUrl,
              paidAt: last.paidAt,
              amountText: `￥${formatFen(last.amountFen)}`,
              billerName: last.billerName,
              qrImageUrl: '/kiosk/api/receipts/last/qr.svg',
            },
          }
        : {}),
      peripherals: {
        printer: this.#present('printer') ? devState(this.#o.printer) : null,
        terminal: this.#present('terminal') ? devState(this.#o.terminal) : null,
        cardReader: this.#o.cardReader && this.#present('cardReader') ? devState(this.#o.cardReader) : null,
      },
      ...(this.#o.methods ? { methods: this.#o.methods.view() } : {}),
    };
  }

  /** A resident card was read (by the reader, or typed by a keyboard-wedge reader): look up its accounts. */
  async readCard(uid: string): Promise<CardState> {
    const at = new Date().toISOString();
    if (this.#o.flow.active) {
      throw new LinliError(
        ErrorCode.PAYMENT_IN_PROGRESS,
        '缴费进行中，请稍后再刷卡。A payment is in progress; tap the card again afterwards.',
      );
    }
    this.#setCard({ status: 'reading', uidMasked: mask(uid), at });
    try {
      const found = await this.#o.desk.lookupCard(uid);
      return this.#setCard({
        status: 'found',
        uidMasked: mask(uid),
        at,
        ...(found.label ? { label: found.label } : {}),
        accounts: found.accounts,
      });
    } catch (err) {
      const e = isLinliError(err) ? err : new LinliError(ErrorCode.INTERNAL, (err as Error).message);
      this.#o.log.warn({ code: e.code }, `card: lookup failed (${e.message})`);
      return this.#setCard({
        status: e.code === ErrorCode.CARD_NOT_FOUND ? 'not_found' : 'error',
        uidMasked: mask(uid),
        at,
        error: { code: e.code, message: e.message },
      });
    }
  }

  /** The page went back to its home screen: forget the card read. */
  reset(): void {
    this.#card = undefined;
    this.emit('reset');
    this.#changed();
  }

  #setCard(card: CardState): CardState {
    this.#card = card;
    this.emit('card', card);
    this.#changed();
    return card;
  }

  #present(name: 'printer' | 'terminal' | 'cardReader'): boolean {
    return this.#o.present?.(name) ?? true;
  }

  #changed(): void {
    this.#version++;
    this.emit('change', this.session());
  }
}

function devState(d: { state: string; power: string; flags?: Readonly<Record<string, boolean>> }) {
  return { state: d.state, power: d.power, flags: { ...(d.flags ?? {}) } };
}

function cardInvalid() {
  return {
    code: ErrorCode.CARD_INVALID,
    message: '请使用社区居民卡（IC卡）。Please use the community resident card (IC card).',
  };
}
