/**
 * Webhooks out (issue 12): the endpoints admins register on nodes and the durable outbox of deliveries.
 * Delivery is at least once: a row is leased to one dispatcher (any instance) for one attempt at a time.
 */
export type WebhookEventType = 'alert.opened' | 'alert.acknowledged' | 'alert.resolved' | 'webhook.test';
export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookEndpointRecord {
  id: string;
  nodeId: string;
  url: string;
  /** The signing secret sealed by the control plane's SecretBox (crypto/secrets.ts), bound to the id. */
  secretSealed: string;
  events: WebhookEventType[];
  description: string;
  enabled: boolean;
  /** Why it was switched off ("the receiver answered 410 Gone", or by whom), null while enabled. */
  disabledReason: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookEndpointPatch {
  url?: string;
  events?: WebhookEventType[];
  description?: string;
  enabled?: boolean;
  disabledReason?: string | null;
  /** A new signing secret, sealed (rotation). */
  secretSealed?: string;
}

export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  /** The exact JSON sent (and signed) on every attempt. */
  body: string;
  state: DeliveryState;
  /** Attempts started so far (counted when claimed, so a crash mid-send still counts). */
  attempts: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export type NewDelivery = Pick<
  WebhookDeliveryRecord,
  'id' | 'endpointId' | 'eventId' | 'eventType' | 'body' | 'createdAt'
>;

/** A delivery leased for one attempt, with what is needed to send it. */
export interface DeliveryClaim {
  delivery: WebhookDeliveryRecord;
  url: string;
  secretSealed: string;
}

export interface DeliveryOutcome {
  state: DeliveryState;
  /** When to try again (state pending); ignored otherwise. */
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  at: number;
}

export interface WebhookRepository {
  createEndpoint(e: WebhookEndpointRecord): Promise<void>;
  getEndpoint(id: string): Promise<WebhookEndpointRecord | undefined>;
  /** Endpoints owned by any of these nodes, oldest first. */
  listEndpoints(nodeIds: readonly string[]): Promise<WebhookEndpointRecord[]>;
  /**
   * Changes an endpoint; switching it off fails its pending deliveries in the same transaction (a pager
   * re-enabled next week must not get last week's alerts). Undefined when there is no such endpoint.
   */
  updateEndpoint(
    id: string,
    patch: WebhookEndpointPatch,
    at: number,
  ): Promise<WebhookEndpointRecord | undefined>;
  /** Removes the endpoint and its deliveries; false when there was none. */
  deleteEndpoint(id: string): Promise<boolean>;

  /** Adds deliveries in one transaction; one per (endpoint, event): a repeat is ignored. Returns how many were new. */
  enqueue(deliveries: readonly NewDelivery[]): Promise<number>;
  /**
   * Leases up to `limit` pending deliveries that are due at `now` and not leased by anyone, on enabled
   * endpoints, to `owner` until `now + leaseMs`, and counts the attempt. Of two concurrent claims (any
   * processes) each delivery goes to at most one.
   */
  claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<DeliveryClaim[]>;
  /** Records an attempt's outcome and releases the lease, only if `owner` still holds it. */
  complete(id: string, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined>;
  /** One endpoint's deliveries, newest first. */
  listDeliveries(
    endpointId: string,
    opts: { limit: number; state?: DeliveryState },
  ): Promise<WebhookDeliveryRecord[]>;
  /** Drops delivered and failed deliveries last changed before `before`; returns how many. */
  prune(before: number): Promise<number>;
}
