// Calls the OTLP/gRPC Export method with a message of the given size (bytes of a protobuf string
// field, so it would decode), through @grpc/grpc-js with identity serialisers, and prints
// "<status code> <details>" or "ok".
//
//   node send_oversized.mjs <host:port> <bytes>
import * as grpc from '@grpc/grpc-js';

const [address, size] = process.argv.slice(2);
if (!address || !size) {
  console.error('usage: node send_oversized.mjs <host:port> <bytes>');
  process.exit(2);
}
const method = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
// Field 1 (resource_logs), length-delimited, holding field 3 (schema_url) of n bytes: a valid
// ExportLogsServiceRequest of exactly `size` bytes.
const varint = (v) => {
  const out = [];
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
};
const encode = (n) => {
  const inner = Buffer.concat([Buffer.from([0x1a, ...varint(n)]), Buffer.alloc(n, 0x61)]);
  return Buffer.concat([Buffer.from([0x0a, ...varint(inner.length)]), inner]);
};
let n = Number(size);
while (encode(n).length > Number(size)) --n;
const bytes = encode(n);
const client = new grpc.Client(address, grpc.credentials.createInsecure(),
                               { 'grpc.max_send_message_length': -1 });
const identity = (b) => b;
client.makeUnaryRequest(method, identity, identity, bytes, new grpc.Metadata(),
                        { deadline: Date.now() + 20000 }, (err) => {
  console.log(err ? `${err.code} ${err.details}` : 'ok');
  client.close();
});
