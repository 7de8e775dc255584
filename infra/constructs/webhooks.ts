import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

/**
 * The shared secret of render-provider callbacks (`POST /webhooks/{provider}`): the provider signs each
 * callback with it and WebhooksApi verifies the signature before it completes a render's task token.
 * Without it a forged callback could complete any parked render. Generated as a 64-character password,
 * whose UTF-8 bytes are the HMAC key; a provider that issues its own Standard Webhooks secret
 * (`whsec_<base64>`) has that value stored here instead (`aws secretsmanager put-secret-value`), and
 * then the key is its base64-decoded part (lambdas/shared/webhooks/standard-webhooks.ts).
 */
export class WebhookSigning extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'HMAC secret of render-provider webhook callbacks',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'The webhook secret is shared with the render providers: rotating it needs every provider to switch ' +
        'keys at the same moment, which needs verification against two keys first. Readable only by the ' +
        'functions that sign or verify callbacks.',
    );
  }

  /** Read access, for the functions that sign or verify callbacks (WEBHOOK_SECRET_ARN comes from the environment definition). */
  grant(fn: LambdaFunction): void {
    this.secret.grantRead(fn);
  }
}
