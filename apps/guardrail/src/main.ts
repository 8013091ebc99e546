// The guardrail service: routed -> guarded.
import { readServiceEnv } from '@switchyard/config';
import { createGuardrailStage, rulesByName } from '@switchyard/guardrail';
import { connectServiceBus, liveStage, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('guardrail');
startTracing('switchyard-guardrail');

void runService('guardrail', logger, async () => {
  const env = readServiceEnv();
  const bus = await connectServiceBus('guardrail', env, logger);
  const { live, stop } = await startServiceConfig('guardrail', env, logger, (config) => createGuardrailStage(rulesByName(config.guardrail.rules)));
  await runStage(bus, liveStage((version) => live.at(version).view, (request) => request.config_version), { logger });
  logger.info('guardrail ready', { rules: live.current.config.guardrail.rules });
  return { stop: async () => { await bus.close(); await stop(); await stopTracing(); } };
});
