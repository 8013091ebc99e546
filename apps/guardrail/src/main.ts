// The guardrail service: routed -> guarded.
import { connectKafkaBus } from '@switchyard/bus';
import { loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { PIPELINE_TOPICS } from '@switchyard/contracts';
import { createGuardrailStage, rulesByName } from '@switchyard/guardrail';
import { runService, runStage } from '@switchyard/pipeline';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('guardrail');
startTracing('switchyard-guardrail');

void runService('guardrail', logger, async () => {
  const config = loadGatewayConfig();
  const env = readServiceEnv();
  const bus = await connectKafkaBus({ brokers: env.kafkaBrokers, maxMessageBytes: env.kafkaMaxMessageBytes, clientId: 'switchyard-guardrail', logger, topics: PIPELINE_TOPICS });
  await runStage(bus, createGuardrailStage(rulesByName(config.guardrail.rules)), { logger });
  logger.info('guardrail ready', { rules: config.guardrail.rules });
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
