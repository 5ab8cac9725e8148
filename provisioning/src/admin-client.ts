import type { Static, TSchema } from '@sinclair/typebox';
import { API, IDEMPOTENCY_HEADER } from '../../protocol/api.js';
import { ErrorCode, errorFromBody, LinliError } from '../../protocol/errors.js';
import {
  AdminListResponse,
  type AdminView,
  type CreateAdminRequest,
  CreateAdminResponse,
  type CreateNodeRequest,
  type CreateTokenRequest,
  type DeviceListQuery,
  DeviceListResponse,
  type DeviceView,
  DeviceView as DeviceViewSchema,
  LoginResponse,
  type NodeListQuery,
  NodeListResponse,
  type NodeView,
  NodeView as NodeViewSchema,
  type TokenListItem,
  type TokenListQuery,
  TokenListResponse,
  TokenStatusView,
  TokenView,
} from '../../protocol/schemas/admin.js';
import {
  CardListResponse,
  type CardView,
  CardView as CardViewSchema,
  type LinkCardRequest,
} from '../../protocol/schemas/card.js';
import {
  CommandListResponse,
  CommandView,
  type CreateCommandRequest,
} from '../../protocol/schemas/commands.js';
import { type ConfigPutBody, DeviceConfigView, NodeConfigView } from '../../protocol/schemas/config-admin.js';
import { HealthResponse } from '../../protocol/schemas/health.js';
import {
  type AuditQuery,
  AuditResponse,
  type CreateNoticeRequest,
  type EmergencyRequest,
  MediaView,
  NoticeActionResponse,
  type NoticeListQuery,
  NoticeListResponse,
  NoticeView,
  type UpdateNoticeRequest,
} from '../../protocol/schemas/notice-admin.js';
import {
  AdminPaymentView,
  type PaymentListQuery,
  PaymentListResponse,
  type RefundRequest,
  RefundResponse,
  ReprintView,
} from '../../protocol/schemas/payment-admin.js';
import { ReconciliationReport } from '../../protocol/schemas/reconciliation.js';
import {
  type OfficeInput,
  OfficeListResponse,
  type OfficeView,
  OfficeView as OfficeViewSchema,
} from '../../protocol/schemas/services-admin.js';
import {
  DevicePlaysResponse,
  NoticePlaysResponse,
  type PlaysQuery,
  ScreenshotResponse,
} from '../../protocol/schemas/signage-device.js';
import { validate } from '../../protocol/validate.js';

export interface AdminClientOptions {
  /** Control plane base URL, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** An admin session token from a previous login. */
  token?: string;
  /** Injectable for tests; Node 20's global fetch by default. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * A typed client for the control plane's admin API. Every response is checked against its protocol schema;
 * every error comes back as a LinliError with the server's code (LINLI_ERR_UNAVAILABLE when unreachable).
 */
export class AdminClient {
  readonly baseUrl: string;
  #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(opts: AdminClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
  }

  /** Logs in and returns a client that carries the session token. */
  static async login(
    baseUrl: string,
    username: string,
    password: string,
    opts: Omit<AdminClientOptions, 'baseUrl'> = {},
  ): Promise<AdminClient> {
    const client = new AdminClient({ ...opts, baseUrl });
    await client.login(username, password);
    return client;
  }

  get token(): string | undefined {
    return this.#token;
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const res = await this.#request(
      'POST',
      API.login,
      LoginResponse,
      { username, password },
      { auth: false },
    );
    this.#token = res.token;
    return res;
  }

  health(): Promise<HealthResponse> {
    return this.#request('GET', API.healthz, HealthResponse, undefined, { auth: false });
  }

  createAdmin(req: CreateAdminRequest): Promise<CreateAdminResponse> {
    return this.#request('POST', API.admins, CreateAdminResponse, req);
  }

  async listAdmins(): Promise<AdminView[]> {
    return (await this.#request('GET', API.admins, AdminListResponse)).admins;
  }

  createNode(req: CreateNodeRequest): Promise<NodeView> {
    return this.#request('POST', API.nodes, NodeViewSchema, req);
  }

  async listNodes(query: NodeListQuery = {}): Promise<NodeView[]> {
    return (await this.#request('GET', withQuery(API.nodes, query), NodeListResponse)).nodes;
  }

  createToken(req: CreateTokenRequest): Promise<TokenView> {
    return this.#request('POST', API.enrollmentTokens, TokenView, req);
  }

  /** Tokens of a node's subtree (default: the admin's node), newest first; never the token strings. */
  async listTokens(query: TokenListQuery = {}): Promise<TokenListItem[]> {
    const q = { ...query, limit: query.limit === undefined ? undefined : String(query.limit) };
    return (await this.#request('GET', withQuery(API.enrollmentTokens, q), TokenListResponse)).tokens;
  }

  revokeToken(tokenId: string): Promise<TokenStatusView> {
    return this.#request('POST', API.enrollmentTokenRevoke(tokenId), TokenStatusView, {});
  }

  /** Drafts a notice (staff and admins); with `publish: true` an admin submits and approves it in one go. */
  createNotice(req: CreateNoticeRequest): Promise<NoticeActionResponse> {
    return this.#request('POST', API.notices, NoticeActionResponse, req);
  }

  /** Shorthand for an admin: create and publish (an emergency by a district-or-higher admin goes up at once). */
  publishNotice(req: Omit<CreateNoticeRequest, 'publish'>): Promise<NoticeActionResponse> {
    return this.createNotice({ ...req, publish: true });
  }

  updateNotice(id: string, req: UpdateNoticeRequest): Promise<NoticeActionResponse> {
    return this.#request('PUT', API.notice(id), NoticeActionResponse, req);
  }

  submitNotice(id: string): Promise<NoticeActionResponse> {
    return this.#request('POST', API.noticeAction(id, 'submit'), NoticeActionResponse, {});
  }

  approveNotice(id: string, revision: number): Promise<NoticeActionResponse> {
    return this.#request('POST', API.noticeAction(id, 'approve'), NoticeActionResponse, { revision });
  }

  rejectNotice(id: string, reason?: string): Promise<NoticeActionResponse> {
    return this.#request(
      'POST',
      API.noticeAction(id, 'reject'),
      NoticeActionResponse,
      reason ? { reason } : {},
    );
  }

  withdrawNotice(id: string, reason?: string): Promise<NoticeActionResponse> {
    return this.#request(
      'POST',
      API.noticeAction(id, 'withdraw'),
      NoticeActionResponse,
      reason ? { reason } : {},
    );
  }

  /** District-or-higher admins: put an emergency up now, bypassing approval (audited). */
  emergencyNotice(id: string, req: EmergencyRequest = {}): Promise<NoticeActionResponse> {
    return this.#request('POST', API.noticeAction(id, 'emergency'), NoticeActionResponse, req);
  }

  renewEmergency(id: string, req: EmergencyRequest = {}): Promise<NoticeActionResponse> {
    return this.#request('POST', API.noticeAction(id, 'renew'), NoticeActionResponse, req);
  }

  getNotice(id: string): Promise<NoticeView> {
    return this.#request('GET', API.notice(id), NoticeView);
  }

  async listNotices(query: NoticeListQuery = {}): Promise<NoticeView[]> {
    return (await this.#request('GET', withQuery(API.notices, query), NoticeListResponse)).notices;
  }

  async noticeAudit(query: AuditQuery = {}): Promise<AuditResponse['events']> {
    const q = { ...query, limit: query.limit === undefined ? undefined : String(query.limit) };
    return (await this.#request('GET', withQuery(API.noticeAudit, q), AuditResponse)).events;
  }

  noticePlays(id: string, query: PlaysQuery = {}): Promise<NoticePlaysResponse> {
    const q = { ...query, limit: query.limit === undefined ? undefined : String(query.limit) };
    return this.#request('GET', withQuery(API.noticePlays(id), q), NoticePlaysResponse);
  }

  devicePlays(deviceId: string, query: PlaysQuery = {}): Promise<DevicePlaysResponse> {
    const q = { ...query, limit: query.limit === undefined ? undefined : String(query.limit) };
    return this.#request('GET', withQuery(API.devicePlays(deviceId), q), DevicePlaysResponse);
  }

  /** Uploads a PNG, JPEG or WebP for use in notices; returns its media id (SHA-256). */
  uploadMedia(bytes: Uint8Array, contentType: 'image/png' | 'image/jpeg' | 'image/webp'): Promise<MediaView> {
    return this.#request('POST', API.media, MediaView, bytes, { contentType });
  }

  /** What a lobby screen or LED sign shows now, as base64 PNGs. */
  screenshot(deviceId: string): Promise<ScreenshotResponse> {
    return this.#request(
      'POST',
      API.deviceScreenshot(deviceId),
      ScreenshotResponse,
      {},
      { timeoutMs: 45_000 },
    );
  }

  async listDevices(query: DeviceListQuery = {}): Promise<DeviceView[]> {
    return (await this.#request('GET', withQuery(API.devices, query), DeviceListResponse)).devices;
  }

  /** A signed remote command (issue 12): sent now if the device is online, else when it connects. */
  sendCommand(deviceId: string, req: CreateCommandRequest): Promise<CommandView> {
    return this.#request('POST', API.deviceCommands(deviceId), CommandView, req);
  }

  async listCommands(deviceId: string, limit?: number): Promise<CommandView[]> {
    const path = withQuery(API.deviceCommands(deviceId), {
      limit: limit === undefined ? undefined : String(limit),
    });
    return (await this.#request('GET', path, CommandListResponse)).commands;
  }

  getCommand(id: string): Promise<CommandView> {
    return this.#request('GET', API.command(id), CommandView);
  }

  revokeDevice(deviceId: string): Promise<DeviceView> {
    return this.#request('POST', API.deviceRevoke(deviceId), DeviceViewSchema, {});
  }

  /** Links a resident card UID to accounts of a community (replacing earlier links of that UID). */
  linkCard(req: LinkCardRequest): Promise<CardView> {
    return this.#request('POST', API.cards, CardViewSchema, req);
  }

  /** Creates a community office with its hours and appointment slot rules (issue #6). */
  createOffice(req: OfficeInput): Promise<OfficeView> {
    return this.#request('POST', API.adminOffices, OfficeViewSchema, req);
  }

  async listOffices(nodeId?: string): Promise<OfficeView[]> {
    return (await this.#request('GET', withQuery(API.adminOffices, { nodeId }), OfficeListResponse)).offices;
  }

  async listCards(nodeId?: string): Promise<CardView[]> {
    return (await this.#request('GET', withQuery(API.cards, { nodeId }), CardListResponse)).cards;
  }

  revokeCard(cardId: string): Promise<CardView> {
    return this.#request('POST', API.cardRevoke(cardId), CardViewSchema, {});
  }

  async listPayments(query: PaymentListQuery = {}): Promise<AdminPaymentView[]> {
    const q = Object.fromEntries(
      Object.entries(query).map(([k, v]) => [k, v === undefined ? undefined : String(v)]),
    );
    return (await this.#request('GET', withQuery(API.adminPayments, q), PaymentListResponse)).payments;
  }

  getPayment(id: string): Promise<AdminPaymentView> {
    return this.#request('GET', API.adminPayment(id), AdminPaymentView);
  }

  /** Refunds part or all of a payment; the same idempotency key and body return the same refund. */
  refund(paymentId: string, req: RefundRequest, idempotencyKey: string): Promise<RefundResponse> {
    return this.#request('POST', API.adminPaymentRefunds(paymentId), RefundResponse, req, {
      headers: { [IDEMPOTENCY_HEADER]: idempotencyKey },
    });
  }

  /** Prints the receipt again on the paying kiosk (or `deviceId`). */
  reprint(paymentId: string, deviceId?: string): Promise<ReprintView> {
    return this.#request(
      'POST',
      API.adminPaymentReprint(paymentId),
      ReprintView,
      deviceId ? { deviceId } : {},
    );
  }

  /** The daily reconciliation report (JSON) for a node (default: the admin's). */
  reconciliation(date: string, nodeId?: string): Promise<ReconciliationReport> {
    return this.#request('GET', withQuery(API.reconciliation, { date, nodeId }), ReconciliationReport);
  }

  /** The same report as CSV text (UTF-8 with BOM, for spreadsheets). */
  /** Device settings set on a node and what it inherits (issue 12). */
  nodeConfig(nodeId: string): Promise<NodeConfigView> {
    return this.#request('GET', API.nodeConfig(nodeId), NodeConfigView);
  }

  /** Sets (value) or clears (null) settings on a node; its devices are told to sync. */
  setNodeConfig(nodeId: string, patch: ConfigPutBody): Promise<NodeConfigView> {
    return this.#request('PUT', API.nodeConfig(nodeId), NodeConfigView, patch);
  }

  /** A device's effective settings with sources, overrides and reports. */
  deviceConfig(deviceId: string): Promise<DeviceConfigView> {
    return this.#request('GET', API.deviceConfigAdmin(deviceId), DeviceConfigView);
  }

  setDeviceConfig(deviceId: string, patch: ConfigPutBody): Promise<DeviceConfigView> {
    return this.#request('PUT', API.deviceConfigAdmin(deviceId), DeviceConfigView, patch);
  }

  async reconciliationCsv(date: string, nodeId?: string): Promise<string> {
    const res = await this.#send(
      'GET',
      withQuery(API.reconciliation, { date, nodeId, format: 'csv' }),
      undefined,
      { headers: { accept: 'text/csv' } },
    );
    const text = await res.text();
    if (!res.ok) throw errorFromBody(res.status, safeJson(text));
    return text;
  }

  async #request<S extends TSchema>(
    method: Method,
    path: string,
    schema: S,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<Static<S>> {
    const res = await this.#send(method, path, body, opts);
    const text = await res.text();
    const parsed = safeJson(text);
    if (!res.ok) throw errorFromBody(res.status, parsed);
    return validate(schema, parsed, `${method} ${path.split('?')[0]} response`);
  }

  async #send(method: Method, path: string, body: unknown, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    if (opts.auth !== false) {
      if (!this.#token) {
        throw new LinliError(ErrorCode.UNAUTHORIZED, 'not logged in; call login(username, password) first');
      }
      headers.authorization = `Bearer ${this.#token}`;
    }
    try {
      return await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined
          ? { body: opts.contentType ? (body as Uint8Array) : JSON.stringify(body) }
          : {}),
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.#timeoutMs),
      });
    } catch (cause) {
      throw new LinliError(
        ErrorCode.UNAVAILABLE,
        `cannot reach the control plane at ${this.baseUrl} (${(cause as Error).message}); is it running?`,
        { url: this.baseUrl },
        { cause },
      );
    }
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface RequestOptions {
  /** Send the admin session token (default true). */
  auth?: boolean;
  /** Send `body` as these raw bytes instead of JSON. */
  contentType?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

function safeJson(text: string): unknown {
  try {
    return text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
