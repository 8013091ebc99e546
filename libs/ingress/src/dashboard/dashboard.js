// The usage dashboard: reads GET /admin/v1/usage with the admin key (kept in sessionStorage, sent as a
// bearer token) and draws it with Chart.js, again every few seconds. The page itself holds no data.
// Everything a row holds is written with textContent: model names and error codes are callers' input.
/* global Chart */
(() => {
  'use strict';
  const KEY_STORAGE = 'switchyard-admin-key';
  const REFRESH_MS = 5000;
  const FILTERS = ['model', 'provider', 'key', 'team'];
  const byId = (id) => document.getElementById(id);
  const state = { key: sessionStorage.getItem(KEY_STORAGE), timer: undefined, generation: 0, charts: undefined, report: undefined, refreshes: 0 };
  // Read by people debugging the page and by its browser test: the charts and the last answer.
  window.switchyardDashboard = state;

  function query() {
    const parameters = new URLSearchParams({ from: byId('range').value });
    for (const name of FILTERS) {
      const value = byId(`filter-${name}`).value.trim();
      if (value) parameters.set(name, value);
    }
    return parameters;
  }

  async function usage(parameters) {
    const response = await fetch(`/admin/v1/usage?${parameters}`, { headers: { authorization: `Bearer ${state.key}` } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.error?.message ?? `the usage API answered ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  async function refresh() {
    clearTimeout(state.timer);
    const generation = ++state.generation;
    const base = query();
    const ask = (extra) => usage(new URLSearchParams([...base, ...Object.entries(extra)]));
    try {
      const [byModel, byKey, byCode] = await Promise.all([
        ask({ group_by: 'model', limit: '10' }),
        ask({ group_by: 'key', limit: '10' }),
        ask({ group_by: 'status,error_code', limit: '50' }),
      ]);
      if (generation !== state.generation) return;
      render(byModel, byKey, byCode);
      state.report = byModel;
      state.refreshes += 1;
      say(`Updated ${new Date().toLocaleTimeString()}: ${byModel.from} to ${byModel.to}, by the ${byModel.bucket}.`);
    } catch (error) {
      if (generation !== state.generation) return;
      if (error.status === 401 || error.status === 403) return forgetKey(error.message);
      say(error.message, true);
    }
    state.timer = setTimeout(refresh, REFRESH_MS);
  }

  function render(byModel, byKey, byCode) {
    byId('report').hidden = false;
    const totals = flat(byModel.totals);
    for (const cell of document.querySelectorAll('#totals [data-figure]')) {
      const value = totals[cell.dataset.figure];
      cell.dataset.value = value === null ? '' : String(value);
      cell.textContent = format(cell.dataset.figure, value);
    }
    fillTable('top-models', byModel.groups, (group) => [group.model, group.requests, group.errors, tokens(group), usd(group.cost_usd), ms(group.latency_ms.p95)]);
    fillTable('top-keys', byKey.groups, (group) => [group.key, group.key_name ?? '', group.requests, group.errors, tokens(group), usd(group.cost_usd)]);
    fillTable(
      'errors-by-code',
      byCode.groups.filter((group) => group.status !== 'ok'),
      (group) => [group.status, group.error_code ?? '', group.requests],
    );
    fillOptions('models-seen', byModel.groups.map((group) => group.model));
    fillOptions('keys-seen', byKey.groups.map((group) => group.key));
    drawSeries(byModel);
  }

  function drawSeries(report) {
    const charts = state.charts ?? (state.charts = createCharts());
    const labels = report.series.map((point) => label(point.start, report));
    const series = (pick) => report.series.map(pick);
    const data = {
      requests: [series((point) => point.requests), series((point) => point.errors)],
      tokens: [series((point) => point.prompt_tokens), series((point) => point.completion_tokens), series((point) => point.cached_prompt_tokens)],
      cost: [series((point) => point.cost_usd)],
      latency: [series((point) => point.latency_ms.p50), series((point) => point.latency_ms.p95), series((point) => point.latency_ms.p99)],
    };
    for (const [name, chart] of Object.entries(charts)) {
      chart.data.labels = labels;
      data[name].forEach((values, i) => (chart.data.datasets[i].data = values));
      chart.update('none');
    }
  }

  function createCharts() {
    const chart = (id, type, datasets, options = {}) =>
      new Chart(byId(id), {
        type,
        data: { labels: [], datasets: datasets.map(([label, color]) => ({ label, data: [], borderColor: color, backgroundColor: color, pointRadius: type === 'line' ? 2 : 0, borderWidth: 1.5 })) },
        options: { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true } }, ...options },
      });
    const stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
    return {
      requests: chart('chart-requests', 'bar', [['requests', '#3b6fd8'], ['errors', '#d8453b']]),
      tokens: chart('chart-tokens', 'bar', [['prompt', '#3b6fd8'], ['completion', '#35a46b'], ['cached prompt', '#a0a8b5']], stacked),
      cost: chart('chart-cost', 'bar', [['cost (USD)', '#9a5bd1']]),
      latency: chart('chart-latency', 'line', [['p50', '#35a46b'], ['p95', '#e0a030'], ['p99', '#d8453b']], { spanGaps: true }),
    };
  }

  function fillTable(id, groups, cells) {
    const body = document.querySelector(`#${id} tbody`);
    body.replaceChildren(
      ...groups.map((group) => {
        const row = document.createElement('tr');
        for (const value of cells(group)) {
          const cell = document.createElement('td');
          cell.textContent = value === null ? '(none)' : String(value);
          row.append(cell);
        }
        return row;
      }),
    );
  }

  function fillOptions(id, values) {
    byId(id).replaceChildren(
      ...values.filter((value) => value !== null).map((value) => Object.assign(document.createElement('option'), { value })),
    );
  }

  const flat = (figures) => ({ ...figures, p50: figures.latency_ms.p50, p95: figures.latency_ms.p95, p99: figures.latency_ms.p99 });
  const tokens = (group) => group.prompt_tokens + group.completion_tokens;
  const usd = (value) => value.toFixed(6);
  const ms = (value) => (value === null ? '' : value.toFixed(1));
  const format = (figure, value) => (figure === 'cost_usd' ? usd(value) : ['p50', 'p95', 'p99'].includes(figure) ? ms(value) : String(value));

  /** A bucket's start in local time: the date for days, the time (and the date when the range spans days) otherwise. */
  function label(start, report) {
    const date = new Date(start);
    const day = date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    if (report.bucket === 'day') return day;
    const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    return Date.parse(report.to) - Date.parse(report.from) > 86_400_000 ? `${day} ${time}` : time;
  }

  function say(message, failed = false) {
    byId('status').textContent = message;
    byId('status').classList.toggle('failed', failed);
  }

  function useKey(key) {
    state.key = key;
    sessionStorage.setItem(KEY_STORAGE, key);
    byId('key-form').hidden = true;
    byId('forget-key').hidden = false;
    byId('filters').hidden = false;
    say('Loading...');
    refresh();
  }

  function forgetKey(message) {
    clearTimeout(state.timer);
    state.generation += 1;
    state.key = null;
    sessionStorage.removeItem(KEY_STORAGE);
    byId('key-form').hidden = false;
    byId('forget-key').hidden = true;
    byId('filters').hidden = true;
    byId('report').hidden = true;
    say(message ?? 'Enter the admin key to see usage.', message !== undefined);
  }

  byId('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = byId('admin-key').value.trim();
    byId('admin-key').value = '';
    if (key) useKey(key);
  });
  byId('forget-key').addEventListener('click', () => forgetKey());
  byId('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  byId('range').addEventListener('change', () => refresh());
  if (state.key) useKey(state.key);
})();
