import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, isStrongSecret, loadConfig } from '../../../src/config.ts';

describe('BOOTSTRAP_OFFICER_KEY', () => {
  it('accepts 32 random bytes as hex, base64 or base64url', () => {
    const bytes = randomBytes(32);
    for (const key of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]) {
      expect(isStrongSecret(key), key).toBe(true);
      expect(loadConfig({ BOOTSTRAP_OFFICER_KEY: key }).BOOTSTRAP_OFFICER_KEY).toBe(key);
    }
    expect(isStrongSecret(randomBytes(48).toString('hex'))).toBe(true);
  });

  it('refuses fewer than 32 bytes and passphrases', () => {
    for (const key of [
      randomBytes(31).toString('hex'),
      randomBytes(24).toString('base64url'),
      'correct horse battery staple correct horse battery staple',
      'officer-key-2025!officer-key-2025!officer-key-2025!',
      `${randomBytes(32).toString('hex')}\n`,
    ]) {
      expect(isStrongSecret(key), key).toBe(false);
      expect(() => loadConfig({ BOOTSTRAP_OFFICER_KEY: key }), key).toThrow(ConfigError);
    }
  });
});

describe('AUDIT_SIGNING_KEY', () => {
  it('is required in production and must be an Ed25519 key when given', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUDIT_SIGNING_KEY: is required/);
    const seed = randomBytes(32);
    for (const key of [seed.toString('hex'), seed.toString('base64')]) {
      expect(loadConfig({ NODE_ENV: 'production', AUDIT_SIGNING_KEY: key }).AUDIT_SIGNING_KEY).toBe(key);
    }
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(loadConfig({ AUDIT_SIGNING_KEY: pem }).AUDIT_SIGNING_KEY).toBe(pem);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    for (const bad of ['change-me', randomBytes(31).toString('hex'), rsa.toString()]) {
      expect(() => loadConfig({ AUDIT_SIGNING_KEY: bad }), bad).toThrow(/AUDIT_SIGNING_KEY/);
    }
    expect(loadConfig({}).AUDIT_SIGNING_KEY).toBeUndefined();
  });
});

describe('screening thresholds', () => {
  it('keep review at least 0.1 above the country bonus (the search floor is review less bonus)', () => {
    expect(
      loadConfig({ SCREENING_REVIEW_THRESHOLD: '0.35', SCREENING_COUNTRY_BONUS: '0.25' })
        .SCREENING_REVIEW_THRESHOLD,
    ).toBe(0.35);
    expect(() => loadConfig({ SCREENING_REVIEW_THRESHOLD: '0.35', SCREENING_COUNTRY_BONUS: '0.3' })).toThrow(
      /SCREENING_REVIEW_THRESHOLD: must be at least 0.1 above SCREENING_COUNTRY_BONUS/,
    );
    expect(() => loadConfig({ SCREENING_REVIEW_THRESHOLD: '0.9', SCREENING_HIT_THRESHOLD: '0.8' })).toThrow(
      /SCREENING_REVIEW_THRESHOLD: must not be above SCREENING_HIT_THRESHOLD/,
    );
  });
});
