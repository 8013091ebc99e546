// The cluster manifests, checked without a cluster: each kustomization is rendered (its resources, the
// way `kubectl kustomize` collects them), every object is validated against the Kubernetes and KEDA
// schemas, and what the objects say of each other and of the code is checked against the code itself:
// selectors and labels, the ConfigMaps and Secrets referenced, probe ports and paths, autoscaler
// targets, and each ScaledObject's consumer group and topic.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { startAnalyticsSink } from '@switchyard/analytics';
import type { Bus, Subscription } from '@switchyard/bus';
import { buildModelCatalog, parseAddress, parseGatewayConfig, routesOf, type GatewayConfig } from '@switchyard/config';
import { createGuardrailStage } from '@switchyard/guardrail';
import { policiesOf } from '@switchyard/guardrail-rules';
import { createMeteringStage } from '@switchyard/metering';
import { startHealthServer, STOP_MARGIN_MS, type RunningHealthServer } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createProviderWorker } from '@switchyard/provider-worker';
import { createProviderRegistry } from '@switchyard/providers';
import { createRouterStage } from '@switchyard/router';
import type { SqlClient } from '@switchyard/storage';
import { createLogger } from '@switchyard/telemetry';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are YAML: their shape is what is under test */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> };

const K8S = __dirname;
const WORKSPACE = path.resolve(K8S, '../..');
const VARIANTS = ['keda', 'cpu'];

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function kustomizationOf(dir: string): { resources: string[]; namespace?: string } {
  return parseYaml(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
}

/** The objects a kustomization holds: its resources, files or folders with a kustomization of their own. */
function render(dir: string): Manifest[] {
  return kustomizationOf(dir).resources.flatMap((resource) => {
    const target = path.join(dir, resource);
    return fs.statSync(target).isDirectory() ? render(target) : readManifests(target);
  });
}

const SECRETS = readManifests(path.join(K8S, 'secrets.example.yaml'));

/** The services the image runs, from the Dockerfile's own list (`embedded` is not one of the six). */
const SERVICES = /case \\"\$0\\" in ([a-z|-]+)\)/
  .exec(fs.readFileSync(path.join(WORKSPACE, 'Dockerfile'), 'utf8'))![1]
  .split('|')
  .filter((service) => service !== 'embedded');

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) => manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
const containerOf = (deployment: Manifest) => deployment.spec.template.spec.containers[0];

/** A container's environment as the kubelet gives it: envFrom ConfigMaps' data, then env values (secrets by reference). */
function environmentOf(container: any, manifests: Manifest[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) if (source.configMapRef) Object.assign(env, named(manifests, 'ConfigMap', source.configMapRef.name)!.data);
  for (const variable of container.env ?? []) env[variable.name] = variable.value ?? `<${JSON.stringify(variable.valueFrom)}>`;
  return env;
}

/** The ConfigMap or Secret key a file path in the container names, through its volume mounts. */
function mountedKey(deployment: Manifest, file: string): { kind: string; name: string; key: string } | undefined {
  const pod = deployment.spec.template.spec;
  for (const mount of containerOf(deployment).volumeMounts ?? []) {
    if (path.dirname(file) !== mount.mountPath) continue;
    const volume = pod.volumes.find((candidate: any) => candidate.name === mount.name);
    if (volume.configMap) return { kind: 'ConfigMap', name: volume.configMap.name, key: path.basename(file) };
    if (volume.secret) return { kind: 'Secret', name: volume.secret.secretName, key: path.basename(file) };
  }
  return undefined;
}

function keysOf(manifest: Manifest): string[] {
  return Object.keys({ ...manifest.data, ...manifest.stringData });
}

/** The schema class of a manifest's kind, from kubernetes-models or @kubernetes-models/keda. */
async function modelOf(manifest: Manifest): Promise<new (data: unknown) => { validate(): void }> {
  const module = manifest.apiVersion.startsWith('keda.sh/') ? `@kubernetes-models/keda/${manifest.apiVersion}` : `kubernetes-models/${manifest.apiVersion}`;
  const models = await import(module);
  if (!models[manifest.kind]) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  return models[manifest.kind];
}

/** The topic and consumer group each stage service reads its work from, as the code subscribes them. */
async function stageSubscriptions(config: GatewayConfig): Promise<Record<string, { topic: string; group: string }>> {
  const prices = buildPriceTable(config.pricing);
  const stages = {
    router: createRouterStage(buildModelCatalog(config)),
    guardrail: createGuardrailStage(policiesOf(config)),
    'provider-worker': createProviderWorker(createProviderRegistry(config), { routes: routesOf(config), limits: config.provider_calls, prices }).stage,
    metering: createMeteringStage(prices),
  };
  const subscriptions: Record<string, { topic: string; group: string }> = Object.fromEntries(
    Object.entries(stages).map(([service, stage]) => [service, { topic: stage.input, group: stage.group }]),
  );
  // Analytics is a sink, not a stage: what it subscribes is recorded from a bus that only listens.
  const recorded: Subscription[] = [];
  const listening = { kind: 'in-memory', subscribe: async (subscription: Subscription) => void recorded.push(subscription) } as unknown as Bus;
  const sink = await startAnalyticsSink({ bus: listening, db: {} as SqlClient, logger: createLogger('k8s-test', 'error') });
  sink.stop();
  subscriptions.analytics = { topic: recorded[0].topic, group: recorded[0].group };
  expect(recorded).toHaveLength(1);
  return subscriptions;
}

describe.each(VARIANTS)('infra/k8s/%s', (variant) => {
  const manifests = render(path.join(K8S, variant));
  const deployments = ofKind(manifests, 'Deployment');
  const env = named(manifests, 'ConfigMap', 'switchyard-env')!.data!;
  const gatewayConfig = parseGatewayConfig(named(manifests, 'ConfigMap', 'switchyard-config')!.data!['switchyard.yaml'], 'ConfigMap switchyard-config');
  const deploymentOf = (service: string) => named(manifests, 'Deployment', `switchyard-${service}`)!;

  it('validates every object against the Kubernetes and KEDA schemas', async () => {
    for (const manifest of [...manifests, ...SECRETS]) {
      const Model = await modelOf(manifest);
      expect(() => new Model(manifest).validate()).not.toThrow();
    }
    expect(ofKind(manifests, 'ScaledObject').length).toBe(variant === 'keda' ? 5 : 0);
  });

  it('runs each of the six services from the one image, by argument, with its selector matching its labels', () => {
    expect(deployments.map((deployment) => containerOf(deployment).args).sort()).toEqual(SERVICES.map((service) => [service]).sort());
    for (const deployment of deployments) {
      const { matchLabels } = deployment.spec.selector;
      expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(matchLabels));
      expect(deployment.spec.template.spec.containers).toHaveLength(1);
      expect(containerOf(deployment).image).toBe('switchyard');
      expect(containerOf(deployment).resources).toEqual({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { cpu: expect.any(String), memory: expect.any(String) } });
    }
  });

  it('references only ConfigMaps and Secrets that exist, and keys they hold', () => {
    const exists = (kind: string, name: string, key?: string) => {
      const found = named(kind === 'Secret' ? SECRETS : manifests, kind, name);
      return found !== undefined && (key === undefined || keysOf(found).includes(key));
    };
    const missing: string[] = [];
    const check = (kind: string, name: string, key?: string) => exists(kind, name, key) || missing.push(`${kind} ${name}${key ? ` key ${key}` : ''}`);
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      for (const source of container.envFrom ?? []) check(source.configMapRef ? 'ConfigMap' : 'Secret', (source.configMapRef ?? source.secretRef).name);
      for (const variable of container.env ?? []) {
        if (variable.valueFrom?.secretKeyRef) check('Secret', variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key);
        if (variable.valueFrom?.configMapKeyRef) check('ConfigMap', variable.valueFrom.configMapKeyRef.name, variable.valueFrom.configMapKeyRef.key);
      }
      for (const volume of deployment.spec.template.spec.volumes ?? []) {
        if (volume.configMap) check('ConfigMap', volume.configMap.name);
        if (volume.secret) check('Secret', volume.secret.secretName);
      }
      // Files the environment names (the gateway configuration, the TLS files) are mounted keys.
      const environment = environmentOf(container, manifests);
      for (const variable of ['SWITCHYARD_CONFIG', 'GATEWAY_TLS_CERT', 'GATEWAY_TLS_KEY', 'GATEWAY_TLS_CLIENT_CA']) {
        if (environment[variable] === undefined) continue;
        const mounted = mountedKey(deployment, environment[variable]);
        if (!mounted) missing.push(`${deployment.metadata.name}: ${variable}=${environment[variable]} is not in a mounted volume`);
        else check(mounted.kind, mounted.name, mounted.key);
      }
      expect(environment.SWITCHYARD_CONFIG).toBe('/etc/switchyard/config/switchyard.yaml');
    }
    expect(missing).toEqual([]);
    expect(SECRETS.map((secret) => secret.metadata.namespace)).toEqual(SECRETS.map(() => kustomizationOf(path.join(K8S, 'base')).namespace));
  });

  it('gives each service the keys its configuration names', () => {
    const providerKeys = keysOf(named(SECRETS, 'Secret', 'switchyard-provider-keys')!);
    const used = new Set(gatewayConfig.models.flatMap((model) => (model.provider ? [model.provider] : [])));
    const keyVariables = [...used].flatMap((provider) => gatewayConfig.providers[provider]?.api_key_env ?? []);
    expect(keyVariables.length).toBeGreaterThan(0);
    expect(providerKeys).toEqual(expect.arrayContaining(keyVariables));
    // The catalog (ingress, router) and the calls (provider-worker) depend on which keys are set.
    for (const service of ['ingress', 'router', 'provider-worker']) {
      expect(containerOf(deploymentOf(service)).envFrom).toContainEqual({ secretRef: { name: 'switchyard-provider-keys' } });
    }
    const ingress = environmentOf(containerOf(deploymentOf('ingress')), manifests);
    const gatewayKeys = gatewayConfig.auth!.api_keys_env;
    for (const variable of [gatewayKeys].flat()) expect(ingress[variable]).toMatch(/secretKeyRef/);
    expect(ingress.GATEWAY_KEY_ID_SECRET).toMatch(/secretKeyRef/);
    expect(environmentOf(containerOf(deploymentOf('analytics')), manifests).DATABASE_URL).toMatch(/secretKeyRef/);
    // The router keeps budgets' spend there, and checks, as metering signs, who sent an event (docs/keys.md).
    expect(environmentOf(containerOf(deploymentOf('router')), manifests).DATABASE_URL).toMatch(/secretKeyRef/);
    expect(environmentOf(containerOf(deploymentOf('router')), manifests).GATEWAY_KEY_ID_SECRET).toMatch(/secretKeyRef/);
    expect(environmentOf(containerOf(deploymentOf('metering')), manifests).GATEWAY_KEY_ID_SECRET).toMatch(/secretKeyRef/);
    // The response cache is a table in the same database, shared by every provider-worker.
    expect(environmentOf(containerOf(deploymentOf('provider-worker')), manifests).DATABASE_URL).toMatch(/secretKeyRef/);
    // Each ingress pod is an instance with a reply topic of its own, named after the pod.
    expect(containerOf(deploymentOf('ingress')).env).toContainEqual({ name: 'GATEWAY_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  });

  it("serves every service's Prometheus metrics on the port its pod declares and asks to be scraped on", () => {
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      const port = Number(environmentOf(container, manifests).METRICS_ADDR?.split(':').pop());
      expect([deployment.metadata.name, port]).toEqual([deployment.metadata.name, 9464]);
      expect(container.ports).toContainEqual({ name: 'metrics', containerPort: port });
      expect(deployment.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
    }
  });

  describe('probes', () => {
    let health: RunningHealthServer;
    beforeAll(async () => {
      health = await startHealthServer({ host: '127.0.0.1', port: 0 }, { phase: 'running', ready: () => true });
    });
    afterAll(() => health.close());

    it('probe the health port each service listens on, at paths the health server answers', async () => {
      const healthPort = parseAddress(env.GATEWAY_HEALTH_ADDR).port;
      for (const deployment of deployments) {
        const container = containerOf(deployment);
        const ports = new Map<string, number>(container.ports.map((port: any) => [port.name, port.containerPort]));
        for (const probe of [container.readinessProbe, container.livenessProbe]) {
          expect(ports.get(probe.httpGet.port)).toBe(healthPort);
          const answer = await fetch(`http://127.0.0.1:${health.port}${probe.httpGet.path}`);
          expect({ path: probe.httpGet.path, status: answer.status }).toEqual({ path: probe.httpGet.path, status: 200 });
        }
        expect(container.readinessProbe.httpGet.path).toBe('/readyz');
        expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      }
    });
  });

  it('exposes the ingress front doors on the ports they listen on', () => {
    const ingress = deploymentOf('ingress');
    const container = containerOf(ingress);
    const environment = environmentOf(container, manifests);
    const ports = new Map<string, number>(container.ports.map((port: any) => [port.name, port.containerPort]));
    expect(ports.get('grpc')).toBe(parseAddress(environment.GATEWAY_GRPC_ADDR).port);
    expect(ports.get('http')).toBe(parseAddress(environment.GATEWAY_HTTP_ADDR).port);
    const services = ofKind(manifests, 'Service');
    expect(services.map((service) => service.metadata.name)).toEqual(['switchyard-ingress']);
    expect(ingress.spec.template.metadata.labels).toEqual(expect.objectContaining(services[0].spec.selector));
    for (const port of services[0].spec.ports) expect(ports.has(port.targetPort)).toBe(true);
  });

  it('gives each pod time to drain and stop before it is killed', () => {
    const drainMs = Number(env.SHUTDOWN_GRACE_MS) + STOP_MARGIN_MS;
    for (const deployment of deployments) {
      const preStop = containerOf(deployment).lifecycle?.preStop?.exec?.command;
      const pauseMs = preStop ? Number(preStop[1]) * 1000 : 0;
      expect({ deployment: deployment.metadata.name, enough: deployment.spec.template.spec.terminationGracePeriodSeconds * 1000 > pauseMs + drainMs }).toEqual({
        deployment: deployment.metadata.name,
        enough: true,
      });
    }
  });

  it('scales each Deployment by exactly one autoscaler, the stages to at most one instance a partition', () => {
    const autoscalers = [...ofKind(manifests, 'HorizontalPodAutoscaler'), ...ofKind(manifests, 'ScaledObject')];
    const targets = autoscalers.map((autoscaler) => autoscaler.spec.scaleTargetRef.name).sort();
    expect(targets).toEqual(deployments.map((deployment) => deployment.metadata.name).sort());
    for (const autoscaler of autoscalers) {
      const cpu = autoscaler.kind === 'ScaledObject' ? autoscaler.spec.triggers.find((trigger: any) => trigger.type === 'cpu') : autoscaler.spec.metrics[0].resource;
      expect(cpu).toBeDefined();
      if (autoscaler.metadata.name === 'switchyard-ingress') continue;
      expect(autoscaler.spec.maxReplicaCount ?? autoscaler.spec.maxReplicas).toBeLessThanOrEqual(Number(env.KAFKA_PARTITIONS));
    }
  });

  if (variant === 'keda') {
    it('scales each stage on the lag of the consumer group and topic the service really reads', async () => {
      const subscriptions = await stageSubscriptions(gatewayConfig);
      const scaledObjects = ofKind(manifests, 'ScaledObject');
      expect(scaledObjects.map((scaled) => scaled.metadata.name).sort()).toEqual(Object.keys(subscriptions).map((service) => `switchyard-${service}`).sort());
      for (const [service, subscription] of Object.entries(subscriptions)) {
        const scaled = named(manifests, 'ScaledObject', `switchyard-${service}`)!;
        const kafka = scaled.spec.triggers.find((trigger: any) => trigger.type === 'kafka');
        expect({ service, consumerGroup: kafka.metadata.consumerGroup, topic: kafka.metadata.topic }).toEqual({ service, ...{ consumerGroup: subscription.group, topic: subscription.topic } });
        // KEDA reads the brokers from the target container's own environment.
        const target = named(manifests, 'Deployment', scaled.spec.scaleTargetRef.name)!;
        expect(environmentOf(containerOf(target), manifests)[kafka.metadata.bootstrapServersFromEnv]).toBe(env.KAFKA_BROKERS);
      }
    });
  }
});

describe('infra/k8s layout', () => {
  it('lists every manifest file in its folder\'s kustomization (the example Secrets in none)', () => {
    for (const dir of ['base', ...VARIANTS]) {
      const files = fs.readdirSync(path.join(K8S, dir)).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
      expect({ dir, files: files.sort() }).toEqual({ dir, files: kustomizationOf(path.join(K8S, dir)).resources.filter((resource) => resource.endsWith('.yaml')).sort() });
    }
  });

  it('has schemas that refuse a broken object, so the validation above can fail', async () => {
    const deployment = render(path.join(K8S, 'base')).find((manifest) => manifest.kind === 'Deployment')!;
    const Model = await modelOf(deployment);
    expect(() => new Model({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } }).validate()).toThrow(/replicas/);
    const scaled = render(path.join(K8S, 'keda')).find((manifest) => manifest.kind === 'ScaledObject')!;
    const ScaledObject = await modelOf(scaled);
    expect(() => new ScaledObject({ ...scaled, spec: { ...scaled.spec, scaleTargetRef: {} } }).validate()).toThrow(/name/);
  });
});
