// The floors: the least a gateway in Node can do per request, measured in the same run as the gateways.
// Each answers a chat call by making one keep-alive HTTP call to the mock upstream and relaying the
// answer: a grpc-js server on Switchyard's own proto (so the same gRPC client drives it), and a
// node:http server taking and giving OpenAI JSON. Neither routes, validates, meters nor records.
// Run as its own process: FLOOR_KIND=grpc|http FLOOR_PORT=<port> UPSTREAM_URL=<mock base url>.
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GATEWAY_PROTO, PROTO_LOADER_OPTIONS } from '@switchyard/contracts';
import { callUpstream } from './floor-upstream';

function startGrpcFloor(port: number): void {
  const definition = protoLoader.loadSync(GATEWAY_PROTO, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as { aigateway: { v1: { AiGateway: grpc.ServiceClientConstructor } } };
  const server = new grpc.Server();
  server.addService(proto.aigateway.v1.AiGateway.service, {
    Chat: (call: grpc.ServerUnaryCall<{ model: string; messages: { role: string; content: string }[] }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const { model, messages } = call.request;
      callUpstream({ model, messages: messages.map(({ role, content }) => ({ role, content })) }).then(
        (answer) => callback(null, { id: 'floor', model, provider: 'floor', choices: answer.choices, usage: answer.usage }),
        (error: Error) => callback({ code: grpc.status.UNAVAILABLE, details: error.message }),
      );
    },
  });
  server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) throw error;
    process.stdout.write(`grpc floor listening on ${port}\n`);
  });
}

function startHttpFloor(port: number): void {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { model, messages } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      callUpstream({ model, messages }).then(
        (answer) => {
          const text = JSON.stringify({ id: 'floor', object: 'chat.completion', created: 1_700_000_000, model, choices: answer.choices, usage: answer.usage });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        },
        (error: Error) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: error.message } })),
      );
    });
  });
  server.keepAliveTimeout = 120_000;
  server.listen(port, '127.0.0.1', () => process.stdout.write(`http floor listening on ${port}\n`));
}

const port = Number(process.env.FLOOR_PORT);
if (process.env.FLOOR_KIND === 'grpc') startGrpcFloor(port);
else if (process.env.FLOOR_KIND === 'http') startHttpFloor(port);
