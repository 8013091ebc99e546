import type { ProviderCallLimits } from '@switchyard/config';

/**
 * The calls in flight to one route and the requests waiting for one of them, served in arrival order.
 * A request waits until a call finishes, or until its signal aborts (the caller left, or its deadline
 * passed): then it leaves the line without a call.
 */
export class RouteQueue {
  private running = 0;
  // A Set keeps arrival order and lets a request that leaves early go without a scan.
  private readonly waiting = new Set<() => void>();

  constructor(private readonly limits: ProviderCallLimits) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.size;
  }

  get full(): boolean {
    return this.waiting.size >= this.limits.max_queued_per_route;
  }

  get idle(): boolean {
    return this.running === 0 && this.waiting.size === 0;
  }

  /** Takes a free slot, if there is one. */
  tryEnter(): boolean {
    if (this.running >= this.limits.max_in_flight_per_route) return false;
    this.running++;
    return true;
  }

  /** Waits for a slot: true once it has one, false when the signal aborted first. */
  wait(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', leave);
        resolve(true);
      };
      const leave = () => {
        this.waiting.delete(grant);
        resolve(false);
      };
      this.waiting.add(grant);
      signal.addEventListener('abort', leave, { once: true });
    });
  }

  /** Frees a slot; the request that has waited longest takes it. */
  leave(): void {
    const next = this.waiting.values().next();
    if (next.done) {
      this.running--;
      return;
    }
    this.waiting.delete(next.value);
    next.value();
  }
}
