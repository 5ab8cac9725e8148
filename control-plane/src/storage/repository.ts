import type { DeviceRole } from '../../../protocol/schemas/common.js';
import type { PaymentState } from '../../../protocol/schemas/payment.js';
import type { AdminIdempotencyRepository } from './admin-idempotency-repository.js';
import type { ClusterRepository } from './cluster-repository.js';
import type { CommandRepository } from './commands-repository.js';
import type { ConfigRepository } from './config-repository.js';
import type { DeviceSessionRepository } from './device-sessions-repository.js';
import type { AlertRepository, HealthRepository } from './health-repository.js';
import type { MetricsRepository } from './metrics-repository.js';
import type {
  AdminRecord,
  BillRecord,
  CardRecord,
  DeviceRecord,
  EnrollmentTokenRecord,
  IdempotencyRecord,
  NodeRecord,
  PaymentPatch,
  PaymentRecord,
  PaymentTransitionRecord,
  ReceiptRecord,
  RefundRecord,
  ReprintRecord,
  SessionRecord,
  WalletEventRecord,
} from './records.js';
import type { AppointmentRepository, ServiceRepository } from './services-repository.js';
import type {
  MediaRepository,
  NoticeRepository,
  PlayRepository,
  TufViewRepository,
} from './signage-repository.js';
import type { WebhookRepository } from './webhook-repository.js';

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
  readonly cards: CardRepository;
  readonly refunds: RefundRepository;
  readonly reprints: ReprintRepository;
  readonly walletEvents: WalletEventRepository;
  /** Service categories, matters and offices (issue #6). */
  readonly services: ServiceRepository;
  readonly appointments: AppointmentRepository;
  /** `Idempotency-Key` records of admin POSTs (issue #10). */
  readonly adminIdempotency: AdminIdempotencyRepository;
  /** Instance leases, device presence, challenge nonces and the bus mailbox (issue 11). */
  readonly cluster: ClusterRepository;
  /** Webhook endpoints and the outbox of deliveries (issue 12). */
  readonly webhooks: WebhookRepository;
  /** Grouped counts read by /metrics at scrape time (issue 12). */
  readonly metrics: MetricsRepository;
  /** Remote device settings per node and device, the config revision, device reports (issue 12). */
  readonly config: ConfigRepository;
  /** Each device's channel sessions: online history, runtime version (issue 12). */
  readonly deviceSessions: DeviceSessionRepository;
  /** Device health (latest + history), emergency acknowledgements, alerts (issue 12). */
  readonly health: HealthRepository;
  readonly alerts: AlertRepository;
  /** Remote commands and each device's seq (issue 12). */
  readonly commands: CommandRepository;
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
  /** Throws LINLI_ERR_CONFLICT when the username is taken (also when a concurrent create took it first). */
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

/** A token's state, in this precedence: revoked, then used (no uses left), then expired, else active. */
export type TokenState = 'active' | 'used' | 'expired' | 'revoked';

export interface TokenListFilter {
  /** The nodes whose tokens are listed (the caller's subtree, from the hierarchy); empty lists nothing. */
  nodeIds: readonly string[];
  state?: TokenState;
  /** The time against which `expired` and `active` are judged. */
  now: number;
  limit: number;
}

/** A listed token: the record and when it was last used (its newest device's enrollment), null if never. */
export type TokenListEntry = EnrollmentTokenRecord & { lastUsedAt: number | null };

export interface EnrollmentTokenRepository {
  create(token: EnrollmentTokenRecord): Promise<void>;
  get(id: string): Promise<EnrollmentTokenRecord | undefined>;
  /** Tokens of those nodes, newest first (created_at, then id, descending), at most `limit`. */
  list(filter: TokenListFilter): Promise<TokenListEntry[]>;
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
  /**
   * The ids of subtreeOf's subtree, when the caller already holds them (the hierarchy's in-memory tree): a
   * store may match on them instead of walking the tree. The answer must be the same with or without them.
   */
  subtreeIds?: readonly string[];
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
  /** How many of those there are, without reading them (optional: callers fall back to listActiveIds). */
  countActive?(subtreeOf: string, roles?: readonly DeviceRole[]): Promise<number>;
  touch(id: string, lastSeenAt: number, lastStatus?: unknown): Promise<void>;
  /**
   * Many presence updates in one transaction (one commit, not one fsync each: a reconnect storm brings
   * thousands). Optional: a store without it gets `touch` per device.
   */
  touchMany?(entries: ReadonlyArray<{ id: string; lastSeenAt: number; lastStatus?: unknown }>): Promise<void>;
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
  findByWalletOrder(walletOrderId: string): Promise<PaymentRecord | undefined>;
  /** Payments in these states last changed in [updatedAfter, updatedBefore), oldest first (recovery sweeps). */
  listInStates(
    states: readonly PaymentState[],
    updatedBefore: number,
    limit: number,
    updatedAfter?: number,
  ): Promise<PaymentRecord[]>;
  /** Payments created in [from, to) whose bill belongs to one of the communities, oldest first. */
  listForCommunities(filter: PaymentFilter): Promise<PaymentListItem[]>;
}

export interface PaymentFilter {
  communityIds: readonly string[];
  from?: number;
  to?: number;
  state?: PaymentState;
  limit: number;
}

/** A payment with the bill facts a report or an admin list needs. */
export interface PaymentListItem {
  payment: PaymentRecord;
  communityId: string;
  period: string;
  account: string;
}

export interface CardRepository {
  /** The active card with this UID in the community, if any. */
  findActive(nodeId: string, cardUid: string): Promise<CardRecord | undefined>;
  get(id: string): Promise<CardRecord | undefined>;
  /** Creates the card, or replaces the label and accounts of the active card with the same UID. */
  upsert(card: CardRecord): Promise<CardRecord>;
  listForNodes(nodeIds: readonly string[]): Promise<CardRecord[]>;
  revoke(id: string, at: number): Promise<boolean>;
}

export type CreateRefundResult =
  | { created: true; refund: RefundRecord }
  | { created: false; existing: RefundRecord };

export interface RefundRepository {
  get(id: string): Promise<RefundRecord | undefined>;
  findByKey(createdBy: string, key: string): Promise<RefundRecord | undefined>;
  /**
   * Inserts the refund and moves the payment to refund_pending (audit row included) in one transaction,
   * checking that the payment is still in `from` and that pending + succeeded refunds stay within its amount.
   */
  createPending(input: {
    refund: RefundRecord;
    from: PaymentState;
    at: number;
    actor: string;
  }): Promise<CreateRefundResult | { created: false; reason: 'state' | 'too_large' }>;
  /** Marks the refund succeeded, adds it to the payment and moves it refund_pending → refunded, atomically. */
  complete(refundId: string, gatewayRef: string, at: number): Promise<PaymentRecord | undefined>;
  listForPayment(paymentId: string): Promise<RefundRecord[]>;
  listPending(limit: number): Promise<RefundRecord[]>;
}

export interface ReprintRepository {
  create(r: ReprintRecord): Promise<void>;
  get(id: string): Promise<ReprintRecord | undefined>;
  listPendingForDevice(deviceId: string, limit: number): Promise<ReprintRecord[]>;
  finish(id: string, state: 'printed' | 'failed', error: string | null, at: number): Promise<boolean>;
}

export interface WalletEventRepository {
  /** Records a verified event once; false if this event id was seen before (a duplicate delivery). */
  record(e: WalletEventRecord): Promise<boolean>;
  markProcessed(eventId: string, at: number): Promise<void>;
  listUnprocessed(limit: number): Promise<WalletEventRecord[]>;
}

export interface ReceiptRepository {
  get(id: string): Promise<ReceiptRecord | undefined>;
  getByPayment(paymentId: string): Promise<ReceiptRecord | undefined>;
}
