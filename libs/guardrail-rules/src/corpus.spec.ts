import { readCorpus, scoreCorpus, scoreInjectionCases } from './corpus';

const STRUCTURED = ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'secrets'];

describe('the labelled corpus', () => {
  const cases = readCorpus();
  const scores = scoreCorpus(cases);

  it('holds at least 300 cases in several languages and formats, with hard negatives', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(cases.map((item) => item.lang)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(cases.map((item) => item.format)).size).toBeGreaterThanOrEqual(5);
    expect(cases.filter((item) => item.labels.length === 0 && item.injection === undefined).length).toBeGreaterThanOrEqual(50);
  });

  it.each(STRUCTURED.flatMap((entity) => [[entity, 'input'], [entity, 'output']]))('%s on %s: recall >= 0.98, precision >= 0.95', (entity, direction) => {
    const score = scores.find((each) => each.entity === entity && each.direction === direction)!;
    expect(score.labelled).toBeGreaterThan(0);
    expect(score.recall).toBeGreaterThanOrEqual(0.98);
    expect(score.precision).toBeGreaterThanOrEqual(0.95);
  });

  // Reported, not held to the structured entities' bar: a phrase heuristic (docs/guardrails.md).
  it('reports the injection detector\'s figures at the default threshold', () => {
    const score = scoreInjectionCases(cases);
    console.log(`injection: recall ${score.recall.toFixed(3)}, precision ${score.precision.toFixed(3)} (${score.labelled} attacks, ${score.found} flagged)`);
    expect(score.labelled).toBeGreaterThanOrEqual(25);
  });
});
