import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mail, Mailer } from '../../ports/index.js';

const ses = new SESv2Client({});

/** Amazon SES v2 (the embedded runtime points the same client at its mailbox). */
export class SesMailer implements Mailer {
  constructor(private readonly from: string) {}

  async send(mail: Mail): Promise<{ message_id: string }> {
    const res = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: mail.to },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: mail.text, Charset: 'UTF-8' },
              ...(mail.html ? { Html: { Data: mail.html, Charset: 'UTF-8' } } : {}),
            },
          },
        },
      }),
    );
    return { message_id: res.MessageId ?? '' };
  }
}
