// The metering service: completions -> usage, and the caller's answer to its ingress.
import { loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { createMeteringStage } from '@switchyard/metering';
import { connectServiceBus, runService, runStage } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createLogger, gatewayMetrics, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('metering');
startTracing('switchyard-metering');

void runService('metering', logger, async () => {
  const config = loadGatewayConfig();
  gatewayMetrics().configure({ models: config.models.map((model) => model.name) });
  const env = readServiceEnv();
  const bus = await connectServiceBus('metering', env, logger);
  await runStage(bus, createMeteringStage(buildPriceTable(config.pricing)), { logger });
  logger.info('metering ready');
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
