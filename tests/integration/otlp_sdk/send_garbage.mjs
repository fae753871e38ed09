// Calls the OTLP/gRPC Export method with bytes that are not an ExportLogsServiceRequest, through
// @grpc/grpc-js (the transport under the SDK's gRPC exporter, installed with it) with identity
// serialisers, and prints one line per call: "<status code> <details>" or "ok".
//
//   node send_garbage.mjs <host:port>
import * as grpc from '@grpc/grpc-js';

const [address] = process.argv.slice(2);
if (!address) {
  console.error('usage: node send_garbage.mjs <host:port>');
  process.exit(2);
}
const method = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const payloads = [
  Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),  // a length past the end
  Buffer.from('not protobuf at all'),
  Buffer.from([0x0a, 0x05, 0x12, 0x03, 0x1a]),         // a nested message cut short
];
const client = new grpc.Client(address, grpc.credentials.createInsecure());
const identity = (b) => b;
const results = [];
for (const bytes of payloads) {
  results.push(new Promise((resolve) => {
    client.makeUnaryRequest(method, identity, identity, bytes, new grpc.Metadata(),
                            { deadline: Date.now() + 10000 },
                            (err) => resolve(err ? `${err.code} ${err.details}` : 'ok'));
  }));
}
for (const line of await Promise.all(results)) console.log(line);
client.close();
