import type { AdminRole } from '../../../protocol/schemas/admin.js';
import type { Bill, BillerId } from '../../../protocol/schemas/bill.js';
import type { DeviceRole, NodeLevel, Signed } from '../../../protocol/schemas/common.js';
import type { Hardware } from '../../../protocol/schemas/enrollment.js';
import type { PaymentMethod, PaymentState } from '../../../protocol/schemas/payment.js';
import type { Receipt } from '../../../protocol/schemas/receipt.js';

/**
 * What the repositories store and return. Times are epoch milliseconds (compared, never parsed); views on
 * the wire turn them into ISO strings. Secrets appear only as hashes.
 */
export interface NodeRecord {
  id: string;
  parentId: string | null;
  level: NodeLevel;
  name: string;
  timezone: string;
  /** Ids from the root down to and including this node: subtree and scope checks are prefix checks. */
  ancestry: string[];
  createdAt: number;
}

export interface AdminRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: AdminRole;
  nodeId: string;
  createdAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  /** The admin id or the device id the session belongs to. */
  subjectId: string;
  createdAt: number;
  expiresAt: number;
}

export interface EnrollmentTokenRecord {
  id: string;
  secretHash: string;
  nodeId: string;
  role: DeviceRole;
  maxUses: number;
  uses: number;
  expiresAt: number;
  revokedAt: number | null;
  tags: string[];
  createdBy: string;
  createdAt: number;
}

export type DeviceStatusName = 'active' | 'revoked';

export interface DeviceRecord {
  id: string;
  nodeId: string;
  role: DeviceRole;
  name: string;
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
  status: DeviceStatusName;
  tags: string[];
  hardware: Hardware | null;
  tokenId: string;
  enrolledAt: number;
  lastSeenAt: number | null;
  lastStatus: unknown | null;
  revokedAt: number | null;
}

export interface BillRecord {
  id: string;
  deviceId: string;
  billerId: BillerId;
  account: string;
  /** The biller's own id for the bill: at most one payment may settle it. */
  billerBillRef: string;
  amountFen: number;
  period: string;
  communityId: string;
  issuedAt: number;
  expiresAt: number;
  envelope: Signed<Bill>;
}

export interface PaymentRecord {
  id: string;
  deviceId: string;
  billId: string;
  idempotencyKey: string;
  billerId: BillerId;
  billerBillRef: string;
  accountMasked: string;
  amountFen: number;
  method: PaymentMethod;
  state: PaymentState;
  authCode: string | null;
  maskedCard: string | null;
  /** The acquirer's token for capture and void; never a card number. */
  cardToken: string | null;
  terminalTxnId: string | null;
  postingId: string | null;
  captureId: string | null;
  receiptId: string | null;
  /** QR payments: the wallet order (out_trade_no is the payment id), its code URL and expiry. */
  walletOrderId: string | null;
  qrCodeUrl: string | null;
  qrExpiresAt: number | null;
  /** Sum of succeeded refunds. */
  refundedFen: number;
  /** Why it was canceled or voided (e.g. the biller's refusal), for staff. */
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Fields a transition may set alongside the new state. */
export type PaymentPatch = Partial<
  Pick<
    PaymentRecord,
    | 'authCode'
    | 'maskedCard'
    | 'cardToken'
    | 'terminalTxnId'
    | 'postingId'
    | 'captureId'
    | 'receiptId'
    | 'walletOrderId'
    | 'qrCodeUrl'
    | 'qrExpiresAt'
    | 'refundedFen'
    | 'reason'
  >
>;

export interface PaymentTransitionRecord {
  paymentId: string;
  from: PaymentState | null;
  to: PaymentState;
  at: number;
  /** Who caused it: `device:<id>` or `system`. */
  actor: string;
  detail: Record<string, unknown> | null;
}

export interface IdempotencyRecord {
  deviceId: string;
  key: string;
  /** SHA-256 of the canonical request body: the same key with another body is refused. */
  requestHash: string;
  paymentId: string;
  statusCode: number;
  response: unknown;
  createdAt: number;
}

export interface ReceiptRecord {
  id: string;
  paymentId: string;
  envelope: Signed<Receipt>;
  createdAt: number;
}

export interface CardRecord {
  id: string;
  /** The community the card belongs to: it is honoured only by kiosks of that community. */
  nodeId: string;
  cardUid: string;
  label: string | null;
  accounts: { billerId: BillerId; account: string }[];
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

export type RefundStateName = 'pending' | 'succeeded';

export interface RefundRecord {
  id: string;
  paymentId: string;
  amountFen: number;
  reason: string;
  state: RefundStateName;
  idempotencyKey: string;
  /** SHA-256 of payment id + canonical body: the same key for another refund is refused. */
  requestHash: string;
  createdBy: string;
  createdAt: number;
  completedAt: number | null;
  gatewayRef: string | null;
}

export type ReprintStateName = 'pending' | 'printed' | 'failed';

export interface ReprintRecord {
  id: string;
  paymentId: string;
  receiptId: string;
  deviceId: string;
  state: ReprintStateName;
  error: string | null;
  createdBy: string;
  createdAt: number;
  doneAt: number | null;
}

export interface WalletEventRecord {
  eventId: string;
  eventType: string;
  orderId: string;
  paymentId: string | null;
  createdAt: number;
  receivedAt: number;
  processedAt: number | null;
}
