import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secrets.js';

describe('SecretBox', () => {
  const material = randomBytes(48);
  const box = SecretBox.derive(material, 'webhook-signing-secret');

  it('opens what it sealed for the same row, with the same derived key', () => {
    const sealed = box.seal('lws_秘密-secret', 'whk_1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('secret');
    expect(box.seal('lws_秘密-secret', 'whk_1')).not.toBe(sealed); // a fresh IV each time
    expect(SecretBox.derive(material, 'webhook-signing-secret').open(sealed, 'whk_1')).toBe(
      'lws_秘密-secret',
    );
  });

  it('refuses another row, another purpose, other key material and a changed ciphertext', () => {
    const sealed = box.seal('lws_x', 'whk_1');
    expect(() => box.open(sealed, 'whk_2')).toThrow();
    expect(() => SecretBox.derive(material, 'other-purpose').open(sealed, 'whk_1')).toThrow();
    expect(() => SecretBox.derive(randomBytes(48), 'webhook-signing-secret').open(sealed, 'whk_1')).toThrow();
    const [v, iv, ct, tag] = sealed.split('.');
    const flipped = `${v}.${iv}.${ct!.startsWith('A') ? `B${ct!.slice(1)}` : `A${ct!.slice(1)}`}.${tag}`;
    expect(() => box.open(flipped, 'whk_1')).toThrow();
    expect(() => box.open('plain text', 'whk_1')).toThrow(/not a sealed secret/);
  });
});
