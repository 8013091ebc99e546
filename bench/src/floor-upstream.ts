// The floors' one call to the mock upstream: a POST of OpenAI JSON over a kept-alive connection to
// UPSTREAM_URL, the answer parsed. Shared by the HTTP, gRPC and Kafka floors.
import * as http from 'node:http';

export interface UpstreamAnswer {
  model: string;
  choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export function callUpstream(body: unknown): Promise<UpstreamAnswer> {
  const upstream = new URL(`${process.env.UPSTREAM_URL}/chat/completions`);
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
