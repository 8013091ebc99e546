// The guardrail service: routed -> guarded.
import { loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { createGuardrailStage } from '@switchyard/guardrail';
import { policiesOf } from '@switchyard/guardrail-rules';
import { connectServiceBus, runService, runStage } from '@switchyard/pipeline';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('guardrail');
startTracing('switchyard-guardrail');

void runService('guardrail', logger, async () => {
  const config = loadGatewayConfig();
  const env = readServiceEnv();
  const bus = await connectServiceBus('guardrail', env, logger);
  await runStage(bus, createGuardrailStage(policiesOf(config)), { logger });
  logger.info('guardrail ready', { rules: (config.guardrails?.input ?? config.guardrail.rules).length });
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
