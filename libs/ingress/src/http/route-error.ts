import { GatewayError } from '@switchyard/contracts';

/** An unknown path (404) or a wrong method (405): statuses no gateway error code stands for. */
export class RouteError extends GatewayError {
  constructor(
    private readonly status: number,
    message: string,
    readonly allow?: string,
  ) {
    super('invalid_request', message);
  }

  override get httpStatus(): number {
    return this.status;
  }
}
