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
  createdAt: number;
  updatedAt: number;
}

/** Fields a transition may set alongside the new state. */
export type PaymentPatch = Partial<
  Pick<
    PaymentRecord,
    'authCode' | 'maskedCard' | 'cardToken' | 'terminalTxnId' | 'postingId' | 'captureId' | 'receiptId'
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

export interface SimPostingRecord {
  paymentId: string;
  postingId: string;
  billerId: BillerId;
  account: string;
  billRef: string;
  amountFen: number;
  postedAt: number;
}

export type SimGatewayOp = 'capture' | 'void';

export interface SimGatewayEntry {
  paymentId: string;
  op: SimGatewayOp;
  reference: string;
  cardToken: string | null;
  amountFen: number;
  at: number;
}
