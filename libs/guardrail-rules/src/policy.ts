// A guardrail policy: the compiled rules of one direction (input or output), applied to one piece of
// text at a time. Values are masked with typed placeholders, numbered per request (the same value, the
// same placeholder); a blocking rule ends the request naming the rule and the kind of value, never the value.
import { GatewayError, type GuardrailFinding, type RequestEvent } from '@switchyard/contracts';
import type { CountryCode } from 'libphonenumber-js/max';
import { denyPatternsDetector, denyWordsDetector } from './deny';
import type { Detector, Span } from './detector';
import { scoreInjection } from './injection';
import { cardDetector, emailDetector, ibanDetector, ipDetector, phoneDetector, ssnDetector, type PiiEntity } from './pii';
import type { GatewayGuardrailsConfig, GuardrailRuleConfig, GuardrailsConfig } from './schema';
import { SECRET_DETECTORS } from './secrets';

export type Direction = GuardrailFinding['direction'];
export type GuardrailAction = GuardrailFinding['action'];

interface RuleBase {
  name: string;
  action: GuardrailAction;
}
export type CompiledRule =
  | (RuleBase & { kind: 'spans'; detectors: Detector[] })
  | (RuleBase & { kind: 'injection'; threshold: number })
  | (RuleBase & { kind: 'prompt_size'; maxTokens: number })
  /** A classifier model (by the name callers use) scores the prompt; the provider-worker calls it. */
  | (RuleBase & { kind: 'model'; route: string; threshold: number; instructions: string });

export interface Policy {
  input: CompiledRule[];
  output: CompiledRule[];
  reversible: boolean;
  /**
   * The team and key layers that changed the output rules of the model's policy (`team:finance
   * key:batch-app`): the response cache keeps answers guarded by different rules apart.
   */
  outputLayers?: string;
}

export const NO_POLICY: Policy = { input: [], output: [], reversible: false };

const phoneDetectors = new Map<string, Detector>();
function piiDetector(entity: PiiEntity, region: string): Detector {
  switch (entity) {
    case 'email':
      return emailDetector;
    case 'card':
      return cardDetector;
    case 'iban':
      return ibanDetector;
    case 'ssn':
      return ssnDetector;
    case 'ip':
      return ipDetector;
    case 'phone': {
      let detector = phoneDetectors.get(region);
      if (!detector) phoneDetectors.set(region, (detector = phoneDetector(region as CountryCode)));
      return detector;
    }
  }
}

export function compileRules(rules: GuardrailRuleConfig[]): CompiledRule[] {
  return rules.map((rule): CompiledRule => {
    const base = { name: rule.name ?? rule.type, action: rule.action };
    switch (rule.type) {
      case 'pii':
        return { ...base, kind: 'spans', detectors: rule.entities.map((entity) => piiDetector(entity, rule.phone_region)) };
      case 'secrets':
        return { ...base, kind: 'spans', detectors: rule.entities.map((entity) => SECRET_DETECTORS[entity]) };
      case 'deny':
        return {
          ...base,
          kind: 'spans',
          detectors: [...(rule.words ? [denyWordsDetector(rule.words)] : []), ...(rule.patterns ? [denyPatternsDetector(rule.patterns)] : [])],
        };
      case 'injection':
        return { ...base, kind: 'injection', threshold: rule.threshold };
      case 'prompt_size':
        return { ...base, kind: 'prompt_size', maxTokens: rule.max_tokens };
      case 'model':
        return { ...base, kind: 'model', route: rule.route, threshold: rule.threshold, instructions: rule.instructions };
    }
  });
}

/** The rules of today's `guardrail.rules`, as `guardrails.input` rules of the same names. */
const LEGACY_RULES: Record<string, GuardrailRuleConfig> = {
  mask_email: { type: 'pii', name: 'mask_email', entities: ['email'], action: 'mask', phone_region: 'US' },
  mask_payment_card: { type: 'pii', name: 'mask_payment_card', entities: ['card'], action: 'mask', phone_region: 'US' },
};

export function legacyRules(names: string[]): GuardrailRuleConfig[] {
  return names.map((name) => {
    const rule = LEGACY_RULES[name];
    if (!rule) throw new Error(`unknown guardrail rule ${name} (known: ${Object.keys(LEGACY_RULES).join(', ')})`);
    return rule;
  });
}

export interface PolicySources {
  guardrail: { rules: string[] };
  guardrails?: GatewayGuardrailsConfig;
  models: { name: string; guardrails?: GuardrailsConfig }[];
}

/** Who a request is for, as RequestEvent has it: the policies of its key and team are chosen by these. */
export type PolicyCaller = Pick<RequestEvent, 'api_key_id' | 'key_name' | 'team'>;

/** A request's policy, by the model it names and its caller. */
export type PolicyOf = (model: string, caller: PolicyCaller) => Policy;

/** A team's or key's own rules, compiled, laid over the model's policy. */
interface Layer {
  /** `team:<name>` or `key:<name or id>`, as configured. */
  id: string;
  input?: CompiledRule[];
  output?: CompiledRule[];
  reversible?: boolean;
}

function layersOf(kind: 'team' | 'key', entries: Record<string, GuardrailsConfig> | undefined): Map<string, Layer> {
  const layers = new Map<string, Layer>();
  for (const [name, own] of Object.entries(entries ?? {})) {
    layers.set(name, {
      id: `${kind}:${name}`,
      ...(own.input ? { input: compileRules(own.input) } : {}),
      ...(own.output ? { output: compileRules(own.output) } : {}),
      ...(own.reversible !== undefined ? { reversible: own.reversible } : {}),
    });
  }
  return layers;
}

/** The rules with a layer's over them: a layer's rule replaces the rule of its name, and the others are added after. */
function overlaid(rules: CompiledRule[], own: CompiledRule[]): CompiledRule[] {
  const replacing = new Map(own.map((rule) => [rule.name, rule]));
  const names = new Set(rules.map((rule) => rule.name));
  return [...rules.map((rule) => replacing.get(rule.name) ?? rule), ...own.filter((rule) => !names.has(rule.name))];
}

function withLayer(policy: Policy, layer: Layer | undefined): Policy {
  if (!layer) return policy;
  const outputLayers = layer.output ? [policy.outputLayers, layer.id].filter(Boolean).join(' ') : policy.outputLayers;
  return {
    input: layer.input ? overlaid(policy.input, layer.input) : policy.input,
    output: layer.output ? overlaid(policy.output, layer.output) : policy.output,
    reversible: layer.reversible ?? policy.reversible,
    ...(outputLayers ? { outputLayers } : {}),
  };
}

/**
 * Each request's policy. The model's: its own `guardrails` direction by direction, else the global
 * `guardrails`, else (input only) the rules named in `guardrail.rules`. Then its team's, then its key's
 * (by id, else by name) rule by rule over it: a rule of the same name is replaced, others are added.
 * Rules are compiled here, once per configuration version; a request costs two or three Map lookups.
 */
export function policiesOf(config: PolicySources): PolicyOf {
  const global: Policy = {
    input: compileRules(config.guardrails?.input ?? legacyRules(config.guardrail.rules)),
    output: compileRules(config.guardrails?.output ?? []),
    reversible: config.guardrails?.reversible ?? false,
  };
  const byModel = new Map<string, Policy>();
  for (const model of config.models) {
    const own = model.guardrails;
    if (!own) continue;
    byModel.set(model.name, {
      input: own.input ? compileRules(own.input) : global.input,
      output: own.output ? compileRules(own.output) : global.output,
      reversible: own.reversible ?? global.reversible,
    });
  }
  const teams = layersOf('team', config.guardrails?.teams);
  const keys = layersOf('key', config.guardrails?.keys);
  // Layered policies as requests ask for them: at most one per model policy, team layer and key layer.
  const layered = new Map<Policy, Map<Layer | undefined, Map<Layer | undefined, Policy>>>();
  return (model, caller) => {
    const base = byModel.get(model) ?? global;
    const team = caller.team === undefined ? undefined : teams.get(caller.team);
    const key = keys.get(caller.api_key_id) ?? (caller.key_name === undefined ? undefined : keys.get(caller.key_name));
    if (!team && !key) return base;
    let ofBase = layered.get(base);
    if (!ofBase) layered.set(base, (ofBase = new Map()));
    let ofTeam = ofBase.get(team);
    if (!ofTeam) ofBase.set(team, (ofTeam = new Map()));
    let policy = ofTeam.get(key);
    if (!policy) ofTeam.set(key, (policy = withLayer(withLayer(base, team), key)));
    return policy;
  };
}

/** Placeholders of one request: `<EMAIL_1>`, the same one for the same value, and what each stands for. */
export class Placeholders {
  private readonly byValue = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  readonly originals: Record<string, string>;

  constructor(originals: Record<string, string> = {}) {
    this.originals = { ...originals };
    for (const [placeholder, value] of Object.entries(originals)) {
      this.byValue.set(value, placeholder);
      const label = PLACEHOLDER.exec(placeholder);
      if (label) this.counts.set(label[1], Math.max(this.counts.get(label[1]) ?? 0, Number(label[2])));
    }
  }

  for(entity: string, value: string): string {
    const known = this.byValue.get(value);
    if (known) return known;
    const label = entity.toUpperCase();
    const count = (this.counts.get(label) ?? 0) + 1;
    this.counts.set(label, count);
    const placeholder = `<${label}_${count}>`;
    this.byValue.set(value, placeholder);
    this.originals[placeholder] = value;
    return placeholder;
  }

  get size(): number {
    return this.byValue.size;
  }

  /** The text with every placeholder of this request put back. */
  restore(text: string): string {
    return text.replace(PLACEHOLDERS, (placeholder) => this.originals[placeholder] ?? placeholder);
  }
}

const PLACEHOLDER = /^<([A-Z_]{1,32})_(\d{1,6})>$/;
export const PLACEHOLDERS = /<[A-Z_]{1,32}_\d{1,6}>/g;

/** What the rules found, counted per rule, kind of value, action and direction. */
export class Findings {
  private readonly counts = new Map<string, GuardrailFinding>();

  add(rule: CompiledRule, entity: string, direction: Direction, count = 1): void {
    const key = `${direction} ${rule.name} ${entity}`;
    const finding = this.counts.get(key);
    if (finding) finding.count += count;
    else this.counts.set(key, { rule: rule.name, entity, action: rule.action, direction, count });
  }

  list(): GuardrailFinding[] {
    return [...this.counts.values()];
  }
}

/** A blocking rule matched: the error names the rule and the kind of value, and carries the finding to record. */
export class GuardrailBlocked extends GatewayError {
  constructor(
    message: string,
    readonly finding: GuardrailFinding,
  ) {
    super('guardrail_blocked', message);
  }
}

const FOUND: Record<string, string> = {
  injection: 'a prompt injection',
  prompt_size: 'a prompt over its token limit',
  model: 'its classifier model scored it at or over the threshold',
};

export function blocked(rule: CompiledRule, entity: string, direction: Direction): GuardrailBlocked {
  const what = direction === 'input' ? 'the request' : 'the answer';
  const found = FOUND[entity] ?? `a value of kind ${entity}`;
  return new GuardrailBlocked(`guardrail rule ${rule.name} refused ${what}: it found ${found}`, { rule: rule.name, entity, action: 'block', direction, count: 1 });
}

export interface Found extends Span {
  rule: CompiledRule;
}

/**
 * The spans the span rules find in the text, without overlaps (the earlier, then the longer, is kept).
 * A span of a blocking rule ends the request at once, whatever else overlaps it.
 */
export function findSpans(text: string, rules: CompiledRule[], direction: Direction): Found[] {
  const found: Found[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'spans') continue;
    for (const detector of rule.detectors) {
      for (const span of detector.find(text)) {
        if (rule.action === 'block') throw blocked(rule, span.entity, direction);
        found.push({ ...span, rule });
      }
    }
  }
  if (found.length < 2) return found;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Found[] = [];
  for (const span of found) if (kept.length === 0 || span.start >= kept[kept.length - 1].end) kept.push(span);
  return kept;
}

/** The text with the masked spans replaced, each span counted as a finding. */
export function render(text: string, spans: Found[], placeholders: Placeholders, findings: Findings, direction: Direction): string {
  let out = '';
  let at = 0;
  for (const span of spans) {
    findings.add(span.rule, span.entity, direction);
    if (span.rule.action !== 'mask') continue;
    out += text.slice(at, span.start) + placeholders.for(span.entity, text.slice(span.start, span.end));
    at = span.end;
  }
  return at === 0 ? text : out + text.slice(at);
}

/** One piece of text through the rules of a direction: masked, or refused; findings counted. */
export function guardText(text: string, rules: CompiledRule[], placeholders: Placeholders, findings: Findings, direction: Direction): string {
  if (text.length === 0) return text;
  for (const rule of rules) {
    if (rule.kind !== 'injection') continue;
    const { score } = scoreInjection(text);
    if (score < rule.threshold) continue;
    if (rule.action === 'block') throw blocked(rule, 'injection', direction);
    findings.add(rule, 'injection', direction);
  }
  return render(text, findSpans(text, rules, direction), placeholders, findings, direction);
}

type TokenLimit = (text: string, limit: number) => number | false;
let withinTokenLimit: TokenLimit | undefined;

/** The prompt_size rules over the request's whole text: gpt-tokenizer's o200k count, stopped at the limit. */
export function checkPromptSize(texts: string[], rules: CompiledRule[], findings: Findings): void {
  for (const rule of rules) {
    if (rule.kind !== 'prompt_size') continue;
    withinTokenLimit ??= (require('gpt-tokenizer/encoding/o200k_base') as { isWithinTokenLimit: TokenLimit }).isWithinTokenLimit;
    if (withinTokenLimit(texts.join('\n'), rule.maxTokens) !== false) continue;
    if (rule.action === 'block') throw blocked(rule, 'prompt_size', 'input');
    findings.add(rule, 'prompt_size', 'input');
  }
}
