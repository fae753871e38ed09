// Sends log records to seerflow with one of the OpenTelemetry JavaScript SDK's OTLP log
// exporters, as an application would: a LoggerProvider with a resource, a named logger (scope),
// records with attributes, severity, a timestamp and the active span's trace context.
//
//   node send_logs.mjs <grpc|proto|json> <url> <tag>
//
// Each record's body names the exporter and the tag, so the test finds exactly these records in
// the store. Exits non-zero when the export fails (seerflow refused it or was unreachable).
import { context, trace, TraceFlags, SeverityNumber } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';

const [kind, url, tag] = process.argv.slice(2);
const exporters = { grpc: GrpcExporter, proto: ProtoExporter, json: JsonExporter };
if (!exporters[kind] || !url || !tag) {
  console.error('usage: node send_logs.mjs <grpc|proto|json> <url> <tag>');
  process.exit(2);
}

const exporter = new exporters[kind]({ url, timeoutMillis: 10000 });
// Export results reach us only through the exporter; wrap it to see failures.
let failures = 0;
const counting = {
  export(records, done) {
    exporter.export(records, (result) => {
      if (result.code !== 0) {
        failures++;
        console.error(`export failed: ${result.error ?? result.code}`);
      }
      done(result);
    });
  },
  shutdown: () => exporter.shutdown(),
  forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
};

const provider = new LoggerProvider({
  resource: resourceFromAttributes({
    'service.name': `checkout-${kind}`,
    'host.name': 'otel-host-1',
    'deployment.environment': 'test',
  }),
  processors: [new BatchLogRecordProcessor({ exporter: counting, maxExportBatchSize: 512 })],
});
const logger = provider.getLogger('shop.orders', '2.1.0');

// A fixed trace context, so the test can look for its id.
const spanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};
const ctx = trace.setSpanContext(context.active(), spanContext);

const when = new Date(Date.UTC(2026, 0, 15, 10, 30, 0, 250));  // 2026-01-15T10:30:00.250Z
logger.emit({
  body: `payment declined for order 1001 via ${kind} ${tag}`,
  severityNumber: SeverityNumber.WARN,
  severityText: 'WARN',
  timestamp: when,
  context: ctx,
  attributes: { 'user.name': 'alice', 'http.response.status_code': 402, 'order.id': '1001' },
});
logger.emit({
  body: { event: 'refund', amount: 12.5, tag: `${kind} ${tag}` },
  severityNumber: SeverityNumber.ERROR,
  severityText: 'ERROR',
  timestamp: when,
  context: ctx,
  attributes: { 'user.name': 'bob' },
});

await provider.forceFlush();
await provider.shutdown();
if (failures > 0) process.exit(1);
console.log(`sent 2 records with the ${kind} exporter`);
