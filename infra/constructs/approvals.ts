import { Annotations, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
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

export const NO_SENDER_WARNING =
  'No senderEmail/senderDomain context: approvals are API-only. No SES identity is created and ' +
  'RequestApproval gets neither MAIL_FROM nor ses:SendEmail; each approval is stored with notified "none" ' +
  'and waits (up to 7 days) for a decision on the IAM-authorized POST /operator/approvals/{id}/decision ' +
  '(bie approvals approve|reject). Pass -c senderEmail=... or -c senderDomain=... to mail signed links.';

/**
 * Human checkpoints: the HMAC key that signs the approval links and, when a sender is configured, the
 * SES identities approval mails are sent from. Without a sender the stack runs approvals API-only
 * (no identity, no MAIL_FROM, no SES grant, a synth warning); with one, RequestApproval may send only
 * from its sender and, while the account is in the SES sandbox, only to verified recipients.
 */
export class Approvals extends Construct {
  readonly signingSecret: Secret;
  readonly identities: EmailIdentity[] = [];
  /** `MAIL_FROM` of the function that sends approval mails; undefined when approvals are API-only. */
  readonly mailFrom?: string;
  readonly approverEmail: string;
  /** The SES identities (ARNs) the mail sender is authorized for: the From identity and the recipients'. */
  readonly sendIdentityArns: string[] = [];

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
    this.approverEmail = props.approverEmail ?? 'brand-manager@example.com';

    const { senderEmail, senderDomain } = props;
    if (!senderEmail && !senderDomain) {
      Annotations.of(this).addWarningV2('bie:approvals:no-sender', NO_SENDER_WARNING);
      return;
    }
    const mailFrom = senderEmail ?? `approvals@${senderDomain}`;
    this.mailFrom = mailFrom;
    const underDomain = (address: string) =>
      senderDomain !== undefined && address.toLowerCase().endsWith(`@${senderDomain.toLowerCase()}`);
    const arn = (identity: string) =>
      Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity });

    if (senderDomain) {
      this.identities.push(
        new EmailIdentity(this, 'SenderDomain', { identity: Identity.domain(senderDomain) }),
      );
      this.sendIdentityArns.push(arn(senderDomain));
    }
    if (senderEmail && !underDomain(senderEmail)) {
      this.identities.push(new EmailIdentity(this, 'SenderEmail', { identity: Identity.email(senderEmail) }));
    }
    // SES authorizes the From address's own identity when it is verified, else its domain's: grant both.
    this.sendIdentityArns.push(arn(mailFrom));
    // While the account is in the SES sandbox every recipient must be a verified identity, and SES checks
    // ses:SendEmail on the recipient's identity too. (Per-campaign approver addresses need the same.)
    if (props.approverEmail && props.approverEmail.toLowerCase() !== mailFrom.toLowerCase()) {
      if (!underDomain(props.approverEmail)) {
        this.identities.push(
          new EmailIdentity(this, 'ApproverEmail', { identity: Identity.email(props.approverEmail) }),
        );
      }
      this.sendIdentityArns.push(arn(props.approverEmail));
    }
  }

  /** For the functions that sign or verify approval links: read access to the key (its ARN is set from the environment definition). */
  grantLinkSigning(fn: LambdaFunction): void {
    this.signingSecret.grantRead(fn);
  }

  /**
   * For the function that mails approval requests: the sender address and ses:SendEmail on exactly the
   * sender's and the approver's identities. Nothing at all when approvals are API-only.
   */
  grantSendMail(fn: LambdaFunction): void {
    if (!this.mailFrom) return;
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['ses:SendEmail'], resources: [...new Set(this.sendIdentityArns)] }),
    );
  }
}
