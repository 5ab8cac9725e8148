import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type {
  CreatedWebhookView,
  CreateWebhookRequest,
  DeliveryListQuery,
  UpdateWebhookRequest,
  WebhookDeliveryView,
  WebhookEventBody,
  WebhookView,
} from '../../../../protocol/schemas/webhooks.js';
import { randomSecret, type SecretBox } from '../../crypto/secrets.js';
import type { NodeRecord } from '../../storage/records.js';
import type {
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
  WebhookEventType,
  WebhookRepository,
} from '../../storage/webhook-repository.js';
import { type AdminPrincipal, iso } from '../context.js';
import type { HierarchyService } from '../hierarchy.js';
import { requirePermission } from '../permissions.js';
import { validateWebhookUrl } from './webhook-url.js';

/** What happened, as a publisher states it; the service adds the node's name and path to the body. */
export interface WebhookEvent {
  /** Stable per event (an alert id and its transition): publishing the same id twice enqueues once. */
  id: string;
  type: WebhookEventType;
  /** The node it happened at: endpoints of this node and of every node above it hear it. */
  nodeId: string;
  occurredAt: number;
  data: Record<string, unknown>;
}

export interface WebhookServiceOptions {
  store: WebhookRepository;
  hierarchy: HierarchyService;
  box: SecretBox;
  now: () => number;
  allowHttpLoopback: () => boolean;
  /** Told after deliveries were enqueued (the local dispatcher sends at once). */
  onEnqueued?: () => void;
}

const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Webhook endpoints per node (admin CRUD within scope) and `publish`, which turns one event into one
 * outbox row per enabled endpoint that listens for it at the event's node or above (a district's pager
 * hears its communities). Sending is the dispatcher's job.
 */
export class WebhookService {
  readonly #o: WebhookServiceOptions;

  constructor(o: WebhookServiceOptions) {
    this.#o = o;
  }

  /** Enqueues the event for its listeners; returns how many deliveries are new. Idempotent per event id. */
  async publish(event: WebhookEvent): Promise<number> {
    const node = await this.#node(event);
    const listeners = (await this.#o.store.listEndpoints(node.ancestry)).filter(
      (e) => e.enabled && (e.events as string[]).includes(event.type),
    );
    return (await this.#enqueue(event, node, listeners)).added;
  }

  async #node(event: WebhookEvent): Promise<NodeRecord> {
    if (!EVENT_ID.test(event.id))
      throw new Error(`webhook event id ${JSON.stringify(event.id)} is not header-safe`);
    const node = await this.#o.hierarchy.node(event.nodeId);
    if (!node)
      throw new LinliError(ErrorCode.NODE_NOT_FOUND, `no node ${event.nodeId} for webhook event ${event.id}`);
    return node;
  }

  async #enqueue(event: WebhookEvent, node: NodeRecord, listeners: readonly WebhookEndpointRecord[]) {
    if (listeners.length === 0) return { added: 0, ids: [] };
    const path = await Promise.all(
      node.ancestry.map(async (id) => (await this.#o.hierarchy.node(id))?.name ?? id),
    );
    const body: WebhookEventBody = {
      id: event.id,
      type: event.type,
      occurredAt: iso(event.occurredAt),
      node: { id: node.id, name: node.name, level: node.level, path },
      data: event.data,
    };
    const text = JSON.stringify(body);
    const at = this.#o.now();
    const rows = listeners.map((e) => ({
      id: newId('whd', at),
      endpointId: e.id,
      eventId: event.id,
      eventType: event.type,
      body: text,
      createdAt: at,
    }));
    const added = await this.#o.store.enqueue(rows);
    if (added > 0) this.#o.onEnqueued?.();
    return { added, ids: rows.map((r) => r.id) };
  }

  async create(p: AdminPrincipal, nodeId: string, req: CreateWebhookRequest): Promise<CreatedWebhookView> {
    requirePermission(p, 'webhooks.manage');
    const node = await this.#o.hierarchy.nodeInScope(p, nodeId);
    const url = validateWebhookUrl(req.url, this.#o.allowHttpLoopback());
    const at = this.#o.now();
    const id = newId('whk', at);
    const secret = newSecret();
    const rec: WebhookEndpointRecord = {
      id,
      nodeId: node.id,
      url,
      secretSealed: this.#o.box.seal(secret, id),
      events: req.events,
      description: req.description ?? '',
      enabled: true,
      disabledReason: null,
      createdBy: p.admin.username,
      createdAt: at,
      updatedAt: at,
    };
    await this.#o.store.createEndpoint(rec);
    return { ...endpointView(rec), secret };
  }

  async list(p: AdminPrincipal, nodeId: string): Promise<WebhookView[]> {
    requirePermission(p, 'webhooks.manage');
    const node = await this.#o.hierarchy.nodeInScope(p, nodeId);
    return (await this.#o.store.listEndpoints([node.id])).map(endpointView);
  }

  async get(p: AdminPrincipal, id: string): Promise<WebhookView> {
    return endpointView(await this.#inScope(p, id));
  }

  async update(p: AdminPrincipal, id: string, req: UpdateWebhookRequest): Promise<WebhookView> {
    await this.#inScope(p, id);
    const url = req.url === undefined ? undefined : validateWebhookUrl(req.url, this.#o.allowHttpLoopback());
    const patch = {
      ...(url !== undefined ? { url } : {}),
      ...(req.events !== undefined ? { events: req.events } : {}),
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.enabled !== undefined
        ? { enabled: req.enabled, disabledReason: req.enabled ? null : `switched off by ${p.admin.username}` }
        : {}),
    };
    const next = await this.#o.store.updateEndpoint(id, patch, this.#o.now());
    if (!next) throw notFound(id);
    return endpointView(next);
  }

  async remove(p: AdminPrincipal, id: string): Promise<void> {
    await this.#inScope(p, id);
    if (!(await this.#o.store.deleteEndpoint(id))) throw notFound(id);
  }

  async deliveries(p: AdminPrincipal, id: string, q: DeliveryListQuery): Promise<WebhookDeliveryView[]> {
    await this.#inScope(p, id);
    const rows = await this.#o.store.listDeliveries(id, {
      limit: q.limit ?? 50,
      ...(q.state ? { state: q.state } : {}),
    });
    return rows.map(deliveryView);
  }

  /**
   * A new signing secret (answered once). Attempts from now on are signed with it, retries of older
   * deliveries included: the receiver must switch when it gets the answer, which is why there is no overlap.
   */
  async rotateSecret(p: AdminPrincipal, id: string): Promise<CreatedWebhookView> {
    await this.#inScope(p, id);
    const secret = newSecret();
    const next = await this.#o.store.updateEndpoint(
      id,
      { secretSealed: this.#o.box.seal(secret, id) },
      this.#o.now(),
    );
    if (!next) throw notFound(id);
    return { ...endpointView(next), secret };
  }

  /** Sends a `webhook.test` event to this one endpoint, whatever it subscribes to; answers its delivery. */
  async test(p: AdminPrincipal, id: string): Promise<WebhookDeliveryView> {
    const e = await this.#inScope(p, id);
    if (!e.enabled) {
      throw new LinliError(
        ErrorCode.WEBHOOK_DISABLED,
        `the webhook ${id} is switched off (${e.disabledReason ?? 'by an admin'}); switch it on with PATCH {"enabled": true} first`,
        { id },
      );
    }
    const at = this.#o.now();
    const event: WebhookEvent = {
      id: newId('evt', at),
      type: 'webhook.test',
      nodeId: e.nodeId,
      occurredAt: at,
      data: { message: 'a test event sent from the Linli console', requestedBy: p.admin.username },
    };
    const { ids } = await this.#enqueue(event, await this.#node(event), [e]);
    const d = ids[0] === undefined ? undefined : await this.#o.store.getDelivery(ids[0]);
    if (!d) throw new Error('internal: the test delivery was not stored');
    return deliveryView(d);
  }

  /** The endpoint if the admin may manage it; 404 alike for one outside the scope and one that is not. */
  async #inScope(p: AdminPrincipal, id: string): Promise<WebhookEndpointRecord> {
    requirePermission(p, 'webhooks.manage');
    const e = await this.#o.store.getEndpoint(id);
    if (!e || !(await this.#o.hierarchy.inScope(p, e.nodeId))) throw notFound(id);
    return e;
  }
}

const newSecret = (): string => `lws_${randomSecret()}`;

function notFound(id: string): LinliError {
  return new LinliError(
    ErrorCode.WEBHOOK_NOT_FOUND,
    `no webhook ${id}; list a node's webhooks with GET /api/v1/admin/nodes/<nodeId>/webhooks`,
    { id },
  );
}

export function endpointView(e: WebhookEndpointRecord): WebhookView {
  return {
    id: e.id,
    nodeId: e.nodeId,
    url: e.url,
    events: e.events.filter((t): t is Exclude<WebhookEventType, 'webhook.test'> => t !== 'webhook.test'),
    description: e.description,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    createdBy: e.createdBy,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

export function deliveryView(d: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    deliveredAt: d.deliveredAt === null ? null : iso(d.deliveredAt),
  };
}
