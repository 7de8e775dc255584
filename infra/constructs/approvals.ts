import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** The approval mail sender identity and the key that signs approval links. */
export class Approvals extends Construct {
  readonly signingSecret: Secret;
  readonly identity?: EmailIdentity;

  constructor(scope: Construct, id: string, props: { senderEmail?: string }) {
    super(scope, id);
    this.signingSecret = new Secret(this, 'LinkSigningKey', {
      description: 'HMAC key for signed, expiring, single-use approval links',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    if (props.senderEmail)
      this.identity = new EmailIdentity(this, 'Sender', { identity: Identity.email(props.senderEmail) });
  }
}
