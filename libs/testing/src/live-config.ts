// Two versions of a gateway configuration for the live-configuration tests of both modes: the second
// moves `chat` to another upstream model, so each usage row shows which version served it, and adds a model.
export const LIVE_CONFIG_V1 = `models:
  - { name: chat, provider: mock, upstream_model: first, capabilities: [chat, streaming] }
providers:
  mock: { latency_ms: 2 }
`;

export const LIVE_CONFIG_V2 = `models:
  - { name: chat, provider: mock, upstream_model: second, capabilities: [chat, streaming] }
  - { name: chat-added, provider: mock, capabilities: [chat] }
providers:
  mock: { latency_ms: 2 }
`;
