import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lambdas/shared/errors.js';
import { assertFetchableOutputUrl } from '../../lambdas/shared/webhooks/output-url.js';

describe('output URLs a render callback may make a function download', () => {
  it('are HTTPS URLs of public hosts', () => {
    expect(assertFetchableOutputUrl('https://cdn.provider.example/clips/a.mp4?sig=1', {}).hostname).toBe(
      'cdn.provider.example',
    );
  });

  it('never file:, data:, plain HTTP or anything but HTTPS', () => {
    for (const url of [
      'file:///etc/passwd',
      'file:///tmp/bie-work/provider-renders/x.mp4',
      'data:video/mp4;base64,AAAA',
      'http://cdn.provider.example/a.mp4',
      'ftp://cdn.provider.example/a.mp4',
      'not a url',
    ]) {
      expect(() => assertFetchableOutputUrl(url, {}), url).toThrow(ValidationError);
    }
  });

  it('never internal addresses, the metadata service included, nor URLs with credentials', () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'https://127.0.0.1/a.mp4',
      'https://10.0.0.5/a.mp4',
      'https://192.168.1.1/a.mp4',
      'https://172.20.0.1/a.mp4',
      'https://[::1]/a.mp4',
      'https://localhost/a.mp4',
      'https://user:pw@cdn.provider.example/a.mp4',
    ]) {
      expect(() => assertFetchableOutputUrl(url, {}), url).toThrow(ValidationError);
    }
  });

  it('allow plain HTTP only to the configured local S3 emulator', () => {
    const env = { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:45678' };
    expect(assertFetchableOutputUrl('http://127.0.0.1:45678/bie-media/renders/a.mp4', env).pathname).toBe(
      '/bie-media/renders/a.mp4',
    );
    expect(() => assertFetchableOutputUrl('http://127.0.0.1:45679/a.mp4', env)).toThrow(ValidationError);
    expect(() => assertFetchableOutputUrl('file:///tmp/a.mp4', env)).toThrow(ValidationError);
  });
});
