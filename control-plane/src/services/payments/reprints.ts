import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { DeviceReprintsResponse, ReprintView } from '../../../../protocol/schemas/payment-admin.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { ReprintRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import { type AdminPrincipal, type DevicePrincipal, iso } from '../context.js';
import { requireRole } from '../device-auth.js';
import { isWithin } from '../hierarchy.js';
import type { PaymentsAdmin } from './payments-admin.js';

/** The push kind that tells a kiosk "there is a receipt to print again"; the kiosk then fetches the list. */
export const REPRINT_PUSH_KIND = 'linli.reprint';

/**
 * Receipt reprints asked from the admin side: staff pick a payment, the paying kiosk (or another kiosk in
 * their scope, e.g. at the office) prints the stored signed receipt again, marked 补打 REPRINT. The kiosk is
 * told over its channel and also asks on its own schedule, so an offline kiosk prints when it is back.
 */
export class ReprintService {
  readonly #repo: Repository;
  readonly #admin: PaymentsAdmin;
  readonly #notifier: DeviceNotifier;
  readonly #now: () => number;

  constructor(repo: Repository, admin: PaymentsAdmin, notifier: DeviceNotifier, now: () => number) {
    this.#repo = repo;
    this.#admin = admin;
    this.#notifier = notifier;
    this.#now = now;
  }

  async request(principal: AdminPrincipal, paymentId: string, deviceId?: string): Promise<ReprintView> {
    const { payment } = await this.#admin.scoped(principal, paymentId);
    if (!payment.receiptId) {
      throw new LinliError(
        ErrorCode.RECEIPT_NOT_FOUND,
        `payment ${paymentId} has no receipt (it is ${payment.state})`,
      );
    }
    const target = await this.#repo.devices.get(deviceId ?? payment.deviceId);
    const node = target ? await this.#repo.nodes.get(target.nodeId) : undefined;
    if (!target || !node || !isWithin(node, principal.node.id)) {
      throw new LinliError(ErrorCode.DEVICE_UNKNOWN, 'no such kiosk in your part of the hierarchy', {
        field: 'deviceId',
      });
    }
    if (target.role !== 'kiosk' || target.status !== 'active') {
      throw new LinliError(ErrorCode.DEVICE_ROLE, 'receipts print on an active kiosk', { field: 'deviceId' });
    }
    const r: ReprintRecord = {
      id: newId('rpr', this.#now()),
      paymentId,
      receiptId: payment.receiptId,
      deviceId: target.id,
      state: 'pending',
      error: null,
      createdBy: `admin:${principal.admin.id}`,
      createdAt: this.#now(),
      doneAt: null,
    };
    await this.#repo.reprints.create(r);
    this.#notifier.notify([target.id], { type: 'push', kind: REPRINT_PUSH_KIND, envelope: null });
    return view(r);
  }

  async pendingFor(principal: DevicePrincipal): Promise<DeviceReprintsResponse> {
    requireRole(principal, ['kiosk']);
    const pending = await this.#repo.reprints.listPendingForDevice(principal.device.id, 20);
    const out: DeviceReprintsResponse['reprints'] = [];
    for (const r of pending) {
      const receipt = await this.#repo.receipts.get(r.receiptId);
      if (receipt) out.push({ id: r.id, receipt: receipt.envelope });
    }
    return { reprints: out };
  }

  async done(
    principal: DevicePrincipal,
    id: string,
    outcome: 'printed' | 'failed',
    error?: string,
  ): Promise<ReprintView> {
    requireRole(principal, ['kiosk']);
    const r = await this.#repo.reprints.get(id);
    if (!r || r.deviceId !== principal.device.id) {
      throw new LinliError(ErrorCode.REPRINT_NOT_FOUND, `no reprint ${id} for this kiosk`, { field: 'id' });
    }
    await this.#repo.reprints.finish(id, outcome, error ?? null, this.#now());
    return view((await this.#repo.reprints.get(id))!);
  }
}

function view(r: ReprintRecord): ReprintView {
  return {
    id: r.id,
    paymentId: r.paymentId,
    receiptId: r.receiptId,
    deviceId: r.deviceId,
    state: r.state,
    ...(r.error ? { error: r.error } : {}),
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt),
    ...(r.doneAt !== null ? { doneAt: iso(r.doneAt) } : {}),
  };
}
