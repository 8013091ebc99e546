// The guardrail service: routed -> guarded.
import { readServiceEnv } from '@switchyard/config';
import { createGuardrailStage } from '@switchyard/guardrail';
import { policiesOf } from '@switchyard/guardrail-rules';
import { connectServiceBus, liveStage, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('guardrail');
startTracing('switchyard-guardrail');

void runService('guardrail', logger, async () => {
  const env = readServiceEnv();
  const bus = await connectServiceBus('guardrail', env, logger);
  const { live, stop } = await startServiceConfig('guardrail', env, logger, (config) => createGuardrailStage(policiesOf(config)));
  await runStage(bus, liveStage((version) => live.at(version).view, (request) => request.config_version), { logger });
  const { guardrails, guardrail } = live.current.config;
  logger.info('guardrail ready', { rules: (guardrails?.input ?? guardrail.rules).length });
  return { stop: async () => { await bus.close(); await stop(); await stopTracing(); } };
});
