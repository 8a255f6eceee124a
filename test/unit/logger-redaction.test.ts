// What request logs keep of a URL (logger.ts redactUrl): secret query values and the signing agent's path tokens
// are replaced, everything else stays readable.
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/logger.js';

describe('redactUrl', () => {
  it('hides the signing agent\'s one-time tokens in the path, for the download and the upload', () => {
    const token = 'Abc_def-0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, 43);
    expect(redactUrl(`/api/signing-agent/${token}/document`)).toBe('/api/signing-agent/[redacted]/document');
    expect(redactUrl(`/api/signing-agent/${token}/signed?x=1`)).toBe('/api/signing-agent/[redacted]/signed?x=1');
    // Whatever the segment looks like (a guess, a malformed token), it is not logged.
    expect(redactUrl('/API/Signing-Agent/%41%42C/signed')).toBe('/API/Signing-Agent/[redacted]/signed');
  });

  it('hides secret query values and leaves the rest', () => {
    expect(redactUrl('/tra-cuu?code=000.00.12.H56-261201-0001&token=s3cret')).toBe('/tra-cuu?code=000.00.12.H56-261201-0001&token=[redacted]');
    expect(redactUrl('/xac-minh/abc?k=key&_csrf=c')).toBe('/xac-minh/abc?k=[redacted]&_csrf=[redacted]');
    expect(redactUrl('/api/dossiers/000.00.12.H56-261201-0001/signatures/agent')).toBe('/api/dossiers/000.00.12.H56-261201-0001/signatures/agent');
  });
});
