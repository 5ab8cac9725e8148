import type { DeviceRole } from '../../../protocol/schemas/common.js';
import type { PaymentState } from '../../../protocol/schemas/payment.js';
import type {
  AdminRecord,
  BillRecord,
  DeviceRecord,
  EnrollmentTokenRecord,
  IdempotencyRecord,
  NodeRecord,
  PaymentPatch,
  PaymentRecord,
  PaymentTransitionRecord,
  ReceiptRecord,
  SessionRecord,
  SimGatewayEntry,
  SimGatewayOp,
  SimPostingRecord,
} from './records.js';
import type {
  MediaRepository,
  NoticeRepository,
  PlayRepository,
  TufViewRepository,
} from './signage-repository.js';

/**
 * Storage behind interfaces, so a PostgreSQL implementation can replace SQLite without touching services or
 * routes. Every method is async (PostgreSQL is) and every method that must be atomic is one method: the
 * implementation owns its transaction, callers never hold one open across an await.
 */
export interface Repository {
  readonly engine: string;
  readonly nodes: NodeRepository;
  readonly admins: AdminRepository;
  readonly tokens: EnrollmentTokenRepository;
  readonly devices: DeviceRepository;
  readonly notices: NoticeRepository;
  readonly media: MediaRepository;
  readonly tufViews: TufViewRepository;
  readonly plays: PlayRepository;
  readonly bills: BillRepository;
  readonly payments: PaymentRepository;
  readonly receipts: ReceiptRepository;
  readonly sims: SimLedgers;
  /** Cheap round trip for /healthz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface NodeRepository {
  count(): Promise<number>;
  get(id: string): Promise<NodeRecord | undefined>;
  getMany(ids: readonly string[]): Promise<NodeRecord[]>;
  /** Throws LINLI_ERR_CONFLICT when the parent already has a child of that name. */
  create(node: NodeRecord): Promise<void>;
  /** The node and everything below it, ordered by depth then name. */
  listSubtree(rootId: string): Promise<NodeRecord[]>;
  listChildren(parentId: string): Promise<NodeRecord[]>;
  /** Nodes without a parent (the city). */
  listRoots(): Promise<NodeRecord[]>;
}

export interface AdminRepository {
  count(): Promise<number>;
  get(id: string): Promise<AdminRecord | undefined>;
  findByUsername(username: string): Promise<AdminRecord | undefined>;
  /** Every admin, oldest first; callers filter by scope. */
  list(): Promise<AdminRecord[]>;
  create(admin: AdminRecord): Promise<void>;
  /** Sets the hash and ends every session of the admin, atomically. */
  setPassword(id: string, passwordHash: string): Promise<void>;
  createSession(session: SessionRecord): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRecord | undefined>;
  deleteExpiredSessions(now: number): Promise<number>;
}

export type ConsumeTokenResult =
  | { ok: true; device: DeviceRecord }
  | { ok: false; reason: 'not_found' | 'revoked' | 'expired' | 'used_up' | 'key_taken' };

export interface EnrollmentTokenRepository {
  create(token: EnrollmentTokenRecord): Promise<void>;
  get(id: string): Promise<EnrollmentTokenRecord | undefined>;
  revoke(id: string, at: number): Promise<boolean>;
  /**
   * Burns one use of the token and creates the device in ONE transaction, re-checking revocation, expiry and
   * the use count inside it, so concurrent enrollments can never exceed `maxUses`. Nothing changes unless ok.
   */
  consumeAndCreateDevice(tokenId: string, device: DeviceRecord, now: number): Promise<ConsumeTokenResult>;
}

export interface DeviceListFilter {
  /** Devices at this node or below it. */
  subtreeOf: string;
  role?: DeviceRole;
  /** Only devices with status active. */
  activeOnly?: boolean;
}

export interface DeviceRepository {
  count(): Promise<number>;
  get(id: string): Promise<DeviceRecord | undefined>;
  findByPublicKey(publicKey: string): Promise<DeviceRecord | undefined>;
  list(filter: DeviceListFilter): Promise<DeviceRecord[]>;
  /** Active device ids under a node, for fan-out; roles empty or absent means every role. */
  listActiveIds(subtreeOf: string, roles?: readonly DeviceRole[]): Promise<string[]>;
  touch(id: string, lastSeenAt: number, lastStatus?: unknown): Promise<void>;
  /** Marks the device revoked and ends its sessions, atomically. */
  revoke(id: string, at: number): Promise<boolean>;
  createSession(session: SessionRecord): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRecord | undefined>;
  deleteExpiredSessions(now: number): Promise<number>;
}

export interface BillRepository {
  create(bill: BillRecord): Promise<void>;
  get(id: string): Promise<BillRecord | undefined>;
}

export type CreatePaymentResult =
  | { created: true; payment: PaymentRecord }
  | { created: false; existing: IdempotencyRecord };

export interface TransitionInput {
  paymentId: string;
  from: PaymentState;
  to: PaymentState;
  patch?: PaymentPatch;
  at: number;
  actor: string;
  detail?: Record<string, unknown>;
  /** Stored in the same transaction as the transition (the `receipted` step). */
  receipt?: ReceiptRecord;
}

export interface PaymentRepository {
  count(): Promise<number>;
  get(id: string): Promise<PaymentRecord | undefined>;
  findIdempotency(deviceId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Inserts the payment, its first audit row and the idempotency record together. If the device already
   * used the key (a concurrent retry), nothing is written and the existing record is returned.
   */
  createWithIdempotency(
    payment: PaymentRecord,
    idempotency: IdempotencyRecord,
    actor: string,
  ): Promise<CreatePaymentResult>;
  /**
   * Compare-and-set: moves the payment from `from` to `to` and writes the audit row, in one transaction.
   * Returns undefined (and writes nothing) when the payment is no longer in `from`.
   */
  transition(input: TransitionInput): Promise<PaymentRecord | undefined>;
  listTransitions(paymentId: string): Promise<PaymentTransitionRecord[]>;
  /** Another payment for the same biller bill that got past authorization and was not voided. */
  findSettlingForBillRef(billerBillRef: string, exceptPaymentId?: string): Promise<PaymentRecord | undefined>;
}

export interface ReceiptRepository {
  get(id: string): Promise<ReceiptRecord | undefined>;
  getByPayment(paymentId: string): Promise<ReceiptRecord | undefined>;
}

/** Ledgers of the in-process simulators, so tests can count what a biller or acquirer would have seen. */
export interface SimLedgers {
  findPosting(paymentId: string): Promise<SimPostingRecord | undefined>;
  findPostingByBillRef(billRef: string): Promise<SimPostingRecord | undefined>;
  /** Inserts unless the payment or the bill already has a posting; returns the posting that stands. */
  insertPosting(posting: SimPostingRecord): Promise<SimPostingRecord>;
  listPostedBillRefs(billRefs: readonly string[]): Promise<string[]>;
  gatewayEntries(paymentId: string, op?: SimGatewayOp): Promise<SimGatewayEntry[]>;
  /** Inserts unless an entry with this payment and op exists; returns the one that stands. */
  insertGatewayEntry(entry: SimGatewayEntry): Promise<SimGatewayEntry>;
}
