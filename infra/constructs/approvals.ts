import { Annotations } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface ApprovalsProps {
  /** Sender address of approval mails (context `senderEmail`); verified as an SES email identity. */
  senderEmail?: string;
  /** Sender domain (context `senderDomain`); verified as an SES domain identity (publish its DKIM records). */
  senderDomain?: string;
  /** Default approver (context `approverEmail`). */
  approverEmail?: string;
}

/**
 * Human checkpoints: the SES identities approval mails are sent from (optional: without one the stack
 * deploys but cannot mail) and the HMAC key that signs the approval links.
 */
export class Approvals extends Construct {
  readonly signingSecret: Secret;
  readonly identities: EmailIdentity[] = [];
  /** `MAIL_FROM` of the function that sends approval mails. */
  readonly mailFrom: string;
  readonly approverEmail: string;

  constructor(scope: Construct, id: string, props: ApprovalsProps = {}) {
    super(scope, id);
    this.signingSecret = new Secret(this, 'LinkSigningKey', {
      description: 'HMAC key of the signed, expiring, single-use approval links',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(
      this.signingSecret,
      'AwsSolutions-SMG4',
      'Rotating the link-signing key would invalidate every approval link in flight (links live for days); ' +
        'rotation first needs verification against the previous key version. Until then the key is readable ' +
        'only by the two functions that sign and verify links.',
    );

    this.mailFrom = props.senderEmail ?? `approvals@${props.senderDomain ?? 'example.com'}`;
    this.approverEmail = props.approverEmail ?? 'brand-manager@example.com';
    if (props.senderDomain) {
      this.identities.push(
        new EmailIdentity(this, 'SenderDomain', { identity: Identity.domain(props.senderDomain) }),
      );
    }
    if (props.senderEmail && !props.senderEmail.endsWith(`@${props.senderDomain}`)) {
      this.identities.push(
        new EmailIdentity(this, 'SenderEmail', { identity: Identity.email(props.senderEmail) }),
      );
    }
    // While the account is in the SES sandbox, every recipient must be a verified identity too.
    if (props.approverEmail && props.approverEmail !== props.senderEmail) {
      this.identities.push(
        new EmailIdentity(this, 'ApproverEmail', { identity: Identity.email(props.approverEmail) }),
      );
    }
    if (!props.senderEmail && !props.senderDomain) {
      Annotations.of(this).addWarningV2(
        'bie:approvals:no-sender',
        'No senderEmail/senderDomain context: no SES identity is created, so approval mails cannot be sent.',
      );
    }
  }

  /** For the functions that sign or verify approval links: the key's ARN and read access to it. */
  grantLinkSigning(fn: LambdaFunction): void {
    fn.addEnvironment('APPROVAL_SIGNING_SECRET_ARN', this.signingSecret.secretArn);
    this.signingSecret.grantRead(fn);
  }

  /** For the function that mails approval requests: the sender address and SES send on these identities. */
  grantSendMail(fn: LambdaFunction): void {
    fn.addEnvironment('MAIL_FROM', this.mailFrom);
    for (const identity of this.identities) identity.grantSendEmail(fn);
  }
}
