/** A stored admin write: the request it answered and, once it succeeded, the response to replay. */
export interface AdminIdempotencyRecord {
  adminId: string;
  key: string;
  requestHash: string;
  /** null while the first request is in flight (or was interrupted: outcome unknown). */
  status: number | null;
  contentType: string | null;
  body: Buffer | null;
  createdAt: number;
}

export type BeginResult = { started: true } | { started: false; existing: AdminIdempotencyRecord };

/** `Idempotency-Key` records of admin POSTs, scoped per admin account. */
export interface AdminIdempotencyRepository {
  /** Claims (admin, key) for this request, atomically; if it is taken, returns what holds it. */
  begin(adminId: string, key: string, requestHash: string, at: number): Promise<BeginResult>;
  /** Stores the successful response of a claimed key. */
  finish(adminId: string, key: string, status: number, contentType: string, body: Buffer): Promise<void>;
  /** Releases a claimed key whose request failed, so a retry runs again. */
  release(adminId: string, key: string): Promise<void>;
  /** Drops records created before `before`; returns how many. */
  purge(before: number): Promise<number>;
}
