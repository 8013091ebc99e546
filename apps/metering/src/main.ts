// The metering service: completions -> usage, and the caller's answer to its ingress.
import { readServiceEnv } from '@switchyard/config';
import { EventSigner } from '@switchyard/keys';
import { createMeteringStage } from '@switchyard/metering';
import { connectServiceBus, liveStage, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('metering');
startTracing('switchyard-metering');

void runService('metering', logger, async () => {
  const env = readServiceEnv();
  // Once virtual keys are on, the router takes only settlements signed with the gateway's secret.
  if (env.adminKey && !env.keyIdSecret) throw new Error('SWITCHYARD_ADMIN_KEY turns virtual keys on, and metering signs their settlements with GATEWAY_KEY_ID_SECRET: set it, as for the ingress');
  const signer = env.keyIdSecret ? new EventSigner(env.keyIdSecret) : undefined;
  const bus = await connectServiceBus('metering', env, logger);
  const { live, stop } = await startServiceConfig('metering', env, logger, (config) =>
    createMeteringStage(buildPriceTable(config.pricing), undefined, (settlement) => signer?.signSettlement(settlement)),
  );
  await runStage(bus, liveStage((version) => live.at(version).view, (completion) => completion.request.config_version), { logger });
  logger.info('metering ready');
  return { stop: async () => { await bus.close(); await stop(); await stopTracing(); } };
});
