// `npx tsx libs/guardrail-rules/src/corpus-score.ts [threshold]`: recall and precision of each
// detector on the labelled corpus, per kind of value and direction, and the injection detector's.
import { readCorpus, scoreCorpus, scoreInjectionCases, DEFAULT_INJECTION_THRESHOLD, type Score } from './corpus';

const cases = readCorpus();
const threshold = Number(process.argv[2] ?? DEFAULT_INJECTION_THRESHOLD);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(7);
const line = (score: Score) =>
  `${score.entity.padEnd(20)} ${score.direction.padEnd(7)} ${String(score.labelled).padStart(8)} ${String(score.found).padStart(6)} ${String(score.correct).padStart(8)} ${percent(score.recall)} ${percent(score.precision)}`;
console.log(`${cases.length} cases (${new Set(cases.map((item) => item.lang)).size} languages, ${new Set(cases.map((item) => item.format)).size} formats)`);
console.log(`${'entity'.padEnd(20)} ${'dir'.padEnd(7)} labelled  found  correct  recall precision`);
for (const score of scoreCorpus(cases)) console.log(line(score));
console.log(line(scoreInjectionCases(cases, threshold)) + `   (threshold ${threshold})`);
