// The metering service: completions -> usage, and the caller's answer to its ingress.
import { readServiceEnv } from '@switchyard/config';
import { createMeteringStage } from '@switchyard/metering';
import { connectServiceBus, liveStage, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('metering');
startTracing('switchyard-metering');

void runService('metering', logger, async () => {
  const env = readServiceEnv();
  const bus = await connectServiceBus('metering', env, logger);
  const { live, stop } = await startServiceConfig('metering', env, logger, (config) => createMeteringStage(buildPriceTable(config.pricing)));
  await runStage(bus, liveStage((version) => live.at(version).view, (completion) => completion.request.config_version), { logger });
  logger.info('metering ready');
  return { stop: async () => { await bus.close(); await stop(); await stopTracing(); } };
});
