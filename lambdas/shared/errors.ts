import { type BudgetRefusal, describeBudgetRefusal } from './money.js';

/**
 * Named errors. The ASL catches them by name (Lambda's errorType), before any States.ALL,
 * so every class sets `name` explicitly (minifiers rename classes).
 */
export class DomainError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super(
      'ValidationError',
      `${message}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
}
/**
 * A well-formed request that cannot be carried out as sent (422): it conflicts with stored state, such
 * as the brand bible's restricted terms or an Idempotency-Key first used with another body.
 */
export class UnprocessableError extends DomainError {
  constructor(
    readonly title: string,
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super('UnprocessableError', message);
  }
}
/** A body larger than the route takes (413), refused before it is parsed. */
export class PayloadTooLargeError extends DomainError {
  constructor(
    readonly limitBytes: number,
    what: string,
  ) {
    super('PayloadTooLargeError', `the ${what} is larger than ${limitBytes} bytes`);
  }
}
/** A body in a media type the route does not read (415); `accepted` lists the ones it does. */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(
    readonly accepted: readonly string[],
    given: string,
  ) {
    super(
      'UnsupportedMediaTypeError',
      `content-type ${JSON.stringify(given.slice(0, 100))} is not accepted here; send ${accepted.join(' or ')}`,
    );
  }
}
export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NotFoundError', `${what} ${id} was not found`);
  }
}
export class BrandNotFoundError extends DomainError {
  constructor(brandId: string) {
    super('BrandNotFoundError', `brand ${brandId} was not found; ingest its brand bible first`);
  }
}
/**
 * A paid step the budget cannot cover. The message names the budget, what was spent, what the step
 * needs and the step; the state machine catches it and pauses at a budget checkpoint, which reads the
 * amounts back from the message (lambdas/shared/money.ts).
 */
export class BudgetExceededError extends DomainError {
  constructor(
    readonly campaignId: string,
    readonly refusal: BudgetRefusal,
  ) {
    super('BudgetExceededError', describeBudgetRefusal(refusal));
  }
}
export class RestrictedTermError extends DomainError {
  constructor(terms: string[], where: string) {
    super(
      'RestrictedTermError',
      `restricted terms ${terms.map((t) => `"${t}"`).join(', ')} found in ${where}`,
    );
  }
}
export class QualityGateError extends DomainError {
  constructor(message: string) {
    super('QualityGateError', message);
  }
}
export class RenderFailedError extends DomainError {
  constructor(message: string) {
    super('RenderFailedError', message);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('ConflictError', message);
  }
}
