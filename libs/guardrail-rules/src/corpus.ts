// Scores the detectors on the labelled corpus (corpus/corpus.jsonl): each case is a text, the
// direction it stands for, and the values in it by kind. Input cases go through the input path one
// text at a time; output cases are streamed through the output guard in pieces of a few characters,
// as an answer is, so that the hold-back window is measured too. A value counts as found when a span
// of its kind covers exactly it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scoreInjection } from './injection';
import { createOutputGuard } from './output';
import { PII_ENTITIES } from './pii';
import { compileRules, findSpans, type Policy } from './policy';
import { SECRET_ENTITIES } from './secrets';

export interface CorpusCase {
  id: string;
  direction: 'input' | 'output';
  lang: string;
  format: string;
  text: string;
  labels: { entity: string; value: string }[];
  /** Set on the prompt-injection cases: whether the text is one. */
  injection?: boolean;
}

export interface Score {
  entity: string;
  direction: string;
  labelled: number;
  found: number;
  correct: number;
  recall: number;
  precision: number;
}

export const CORPUS_FILE = path.join(__dirname, '..', 'corpus', 'corpus.jsonl');
export const DEFAULT_INJECTION_THRESHOLD = 0.8;
const PIECE_CHARS = 5;

export function readCorpus(file = CORPUS_FILE): CorpusCase[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as CorpusCase);
}

const rules = compileRules([
  { type: 'pii', entities: [...PII_ENTITIES], action: 'mask', phone_region: 'US' },
  { type: 'secrets', entities: [...SECRET_ENTITIES], action: 'mask' },
]);
const POLICY: Policy = { input: rules, output: rules, reversible: false };

/** The values the rules find in a case, as `entity value`. */
export function detect(item: CorpusCase): string[] {
  if (item.direction === 'input') return findSpans(item.text, POLICY.input, 'input').map((span) => `${span.entity} ${item.text.slice(span.start, span.end)}`);
  const guard = createOutputGuard(POLICY)!;
  let masked = '';
  for (let at = 0; at < item.text.length; at += PIECE_CHARS) masked += guard.push({ index: 0, content: item.text.slice(at, at + PIECE_CHARS) }).content ?? '';
  for (const rest of guard.end()) masked += rest.content ?? '';
  return valuesBehindPlaceholders(item.text, masked);
}

/** Which value each placeholder of the masked text replaced in the original. */
function valuesBehindPlaceholders(original: string, masked: string): string[] {
  const labels: string[] = [];
  const source = masked.split(/(<[A-Z_]+_\d+>)/).map((part, index) => {
    if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    labels.push(part.slice(1, part.lastIndexOf('_')).toLowerCase());
    return '([\\s\\S]+?)';
  });
  const match = new RegExp(`^${source.join('')}$`).exec(original);
  return match ? labels.map((entity, index) => `${entity} ${match[index + 1]}`) : labels.map((entity) => `${entity} ?`);
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 1 : part / whole;
}

/** Recall and precision per kind of value and direction, and over all secrets as `secrets`. */
export function scoreCorpus(cases: CorpusCase[]): Score[] {
  const tally = new Map<string, { labelled: number; found: number; correct: number }>();
  const count = (entity: string, direction: string, field: 'labelled' | 'found' | 'correct') => {
    for (const key of [`${entity} ${direction}`, ...((SECRET_ENTITIES as readonly string[]).includes(entity) ? [`secrets ${direction}`] : [])]) {
      const entry = tally.get(key) ?? { labelled: 0, found: 0, correct: 0 };
      entry[field]++;
      tally.set(key, entry);
    }
  };
  for (const item of cases) {
    if (item.injection !== undefined) continue;
    const expected = item.labels.map((label) => `${label.entity} ${label.value}`);
    const found = detect(item);
    for (const label of item.labels) count(label.entity, item.direction, 'labelled');
    for (const each of found) {
      const entity = each.slice(0, each.indexOf(' '));
      count(entity, item.direction, 'found');
      if (expected.includes(each)) count(entity, item.direction, 'correct');
    }
  }
  return [...tally.entries()]
    .map(([key, entry]) => {
      const [entity, direction] = key.split(' ');
      return { entity, direction, ...entry, recall: ratio(entry.correct, entry.labelled), precision: ratio(entry.correct, entry.found) };
    })
    .sort((a, b) => a.entity.localeCompare(b.entity) || a.direction.localeCompare(b.direction));
}

/** The injection detector's figures on the cases labelled for it, at a threshold. */
export function scoreInjectionCases(cases: CorpusCase[], threshold = DEFAULT_INJECTION_THRESHOLD): Score {
  let labelled = 0;
  let found = 0;
  let correct = 0;
  for (const item of cases) {
    if (item.injection === undefined) continue;
    const flagged = scoreInjection(item.text).score >= threshold;
    if (item.injection) labelled++;
    if (flagged) found++;
    if (flagged && item.injection) correct++;
  }
  return { entity: 'injection', direction: 'input', labelled, found, correct, recall: ratio(correct, labelled), precision: ratio(correct, found) };
}
