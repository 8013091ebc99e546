// The guardrail service: routed -> guarded.
import { loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { createGuardrailStage, rulesByName } from '@switchyard/guardrail';
import { connectServiceBus, runService, runStage } from '@switchyard/pipeline';
import { createLogger, gatewayMetrics, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('guardrail');
startTracing('switchyard-guardrail');

void runService('guardrail', logger, async () => {
  const config = loadGatewayConfig();
  gatewayMetrics().configure({ models: config.models.map((model) => model.name) });
  const env = readServiceEnv();
  const bus = await connectServiceBus('guardrail', env, logger);
  await runStage(bus, createGuardrailStage(rulesByName(config.guardrail.rules)), { logger });
  logger.info('guardrail ready', { rules: config.guardrail.rules });
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
