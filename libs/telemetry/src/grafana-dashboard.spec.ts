// The Grafana dashboard in infra/grafana queries the metrics by name: a renamed metric would leave a
// panel silently empty.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GatewayMetrics } from './metrics';

const DASHBOARD = path.join(__dirname, '../../../infra/grafana/switchyard.json');

describe('the Grafana dashboard', () => {
  it('queries only metrics the gateway serves', async () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const queried = new Set(
      dashboard.panels.flatMap((panel) => panel.targets ?? []).flatMap((target) => target.expr.match(/\b(?:switchyard|process|nodejs)_[a-z0-9_]+/g) ?? []),
    );
    const body = (await new GatewayMetrics({}).exposition()).body;
    const served = new Set([...body.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])));
    expect([...queried].filter((name) => !served.has(name))).toEqual([]);
    expect(queried.size).toBeGreaterThan(20);
  });
});
