import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { readBody, send } from './http-util.js';

interface SimpleContent {
  Subject?: { Data?: string };
  Body?: { Text?: { Data?: string }; Html?: { Data?: string } };
}

interface SendEmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Content?: { Simple?: SimpleContent; Raw?: { Data?: string } };
}

const headerSafe = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/** RFC 5322 message (multipart/alternative when there is HTML). */
export function toEml(req: SendEmailRequest, messageId: string, date = new Date()): string {
  const simple = req.Content?.Simple ?? {};
  const to = req.Destination?.ToAddresses ?? [];
  const cc = req.Destination?.CcAddresses ?? [];
  const headers = [
    `Message-ID: <${messageId}@local.ses>`,
    `Date: ${date.toUTCString()}`,
    `From: ${headerSafe(req.FromEmailAddress ?? '')}`,
    `To: ${headerSafe(to.join(', '))}`,
    ...(cc.length ? [`Cc: ${headerSafe(cc.join(', '))}`] : []),
    `Subject: ${headerSafe(simple.Subject?.Data ?? '')}`,
    'MIME-Version: 1.0',
  ];
  const text = simple.Body?.Text?.Data ?? '';
  const html = simple.Body?.Html?.Data;
  if (!html) return `${headers.join('\r\n')}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${text}\r\n`;
  const boundary = `b_${messageId}`;
  return [
    ...headers,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    '',
    html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/**
 * SES v2 SendEmail (`POST /v2/email/outbound-emails`) answered as SES answers it, each mail kept as an
 * `.eml` file: the approval mails of the embedded runtime can be opened in any mail client.
 */
export function mailboxRequestHandler(dir: string) {
  mkdirSync(dir, { recursive: true });
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const json = { 'content-type': 'application/json' };
    if (req.method !== 'POST' || !req.url?.startsWith('/v2/email/outbound-emails')) {
      send(res, 404, JSON.stringify({ message: `unsupported SES v2 operation ${req.method} ${req.url}` }), {
        ...json,
        'x-amzn-errortype': 'NotFoundException',
      });
      return;
    }
    let body: SendEmailRequest;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as SendEmailRequest;
    } catch {
      send(res, 400, JSON.stringify({ message: 'body is not JSON' }), {
        ...json,
        'x-amzn-errortype': 'BadRequestException',
      });
      return;
    }
    const to = body.Destination?.ToAddresses ?? [];
    if (!body.FromEmailAddress || (to.length === 0 && !body.Content?.Raw)) {
      send(
        res,
        400,
        JSON.stringify({ message: 'FromEmailAddress and Destination.ToAddresses are required' }),
        {
          ...json,
          'x-amzn-errortype': 'BadRequestException',
        },
      );
      return;
    }
    const messageId = `${Date.now().toString(36)}-${randomUUID()}`;
    const eml = body.Content?.Raw?.Data
      ? Buffer.from(body.Content.Raw.Data, 'base64').toString('utf8')
      : toEml(body, messageId);
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${messageId}.eml`);
    writeFileSync(`${file}.tmp`, eml);
    renameSync(`${file}.tmp`, file);
    send(res, 200, JSON.stringify({ MessageId: messageId }), json);
  };
}
