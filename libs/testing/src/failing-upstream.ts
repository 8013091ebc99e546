// An OpenAI-compatible upstream that fails on command: for the tests of routes, retries and breakers.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an upstream does with its next call: answer, fail with a status, or stream one chunk and drop the connection. */
export type UpstreamCommand = 'ok' | 'stream-then-reset' | { status: number; headers?: Record<string, string> };

/** An OpenAI-compatible upstream that obeys the commands queued for it, answering 'ok' when none are left (or `always`, when set). */
export class FailingUpstream {
  readonly commands: UpstreamCommand[] = [];
  /** What every call gets once the queued commands are used up. */
  always: UpstreamCommand = 'ok';
  calls = 0;
  readonly server: http.Server;

  constructor(readonly name: string) {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (piece: Buffer) => (body += piece));
      request.on('end', () => this.answer(JSON.parse(body) as { stream?: boolean }, response));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  reset(): void {
    this.calls = 0;
    this.commands.length = 0;
    this.always = 'ok';
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private answer(body: { stream?: boolean }, response: http.ServerResponse): void {
    this.calls++;
    const command = this.commands.shift() ?? this.always;
    const content = `answered by ${this.name}`;
    if (typeof command === 'object') {
      response.writeHead(command.status, { 'content-type': 'application/json', ...command.headers });
      response.end(JSON.stringify({ error: { message: `${this.name} says ${command.status}`, type: 'server_error' } }));
      return;
    }
    if (!body.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'up-1',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    response.write(chunk({ role: 'assistant', content }, null));
    if (command === 'stream-then-reset') {
      // Let the first chunk reach the gateway before the connection drops.
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    }
    response.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
  }
}
