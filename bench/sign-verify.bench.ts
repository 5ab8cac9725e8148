import { Keyring, signEnvelope, verifyEnvelope } from '../protocol/envelope.js';
import { newId } from '../protocol/ids.js';
import { generateSigningKey, verifyKeyOf } from '../protocol/keys.js';
import type { Benchmark } from './run.js';
import { round } from './stats.js';

/** Envelopes signed and verified per second: a typical notice payload, canonicalised every time. */
export const benchmark: Benchmark = {
  name: 'sign-verify',
  summary: 'Ed25519 envelopes over RFC 8785 JSON signed / verified per second',
  async run(args, emit) {
    const seconds = Number(args[args.indexOf('--seconds') + 1]) || 2;
    const key = generateSigningKey('content');
    const ring = new Keyring([verifyKeyOf(key)]);
    const payload = {
      type: 'linli.notice/v1',
      id: newId('ntc'),
      version: 3,
      title: { zh: '停水通知', en: 'Water cut' },
      body: {
        zh: '因管道检修，11月28日8:00-14:00停水，请提前储水。',
        en: 'Pipe repair: no water 8:00-14:00.',
      },
      category: 'utility',
      priority: 'important',
      targets: { nodeIds: [newId('node')] },
      publishedAt: new Date().toISOString(),
    };
    // Warm up the JIT before measuring.
    for (let i = 0; i < 500; i++) verifyEnvelope(signEnvelope(payload, key), ring, { type: payload.type });

    let n = 0;
    let t0 = performance.now();
    const envs = [];
    while (performance.now() - t0 < seconds * 1000) {
      envs.push(signEnvelope(payload, key));
      n++;
    }
    const signPerSec = n / ((performance.now() - t0) / 1000);
    n = 0;
    t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      verifyEnvelope(envs[n % envs.length], ring, { type: payload.type });
      n++;
    }
    const verifyPerSec = n / ((performance.now() - t0) / 1000);
    emit({ name: 'sign-verify.sign', value: round(signPerSec, 0), unit: 'envelopes/s' });
    emit({ name: 'sign-verify.verify', value: round(verifyPerSec, 0), unit: 'envelopes/s' });
  },
};
