import type { ChatRequest } from '@switchyard/contracts';
import { StreamAccumulator } from '../stream-accumulator';
import {
  fromGeminiEmbedResponse,
  fromGeminiFinishReason,
  fromGeminiResponse,
  fromGeminiUsage,
  geminiModelName,
  geminiToolCallId,
  GeminiStreamTranslator,
  toGeminiEmbedRequest,
  toGeminiRequest,
} from './translate';
import type { GeminiGenerateContentResponse } from './wire';
import { thoughtSignatureOf } from '../thought-signatures';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters_json: '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}',
  },
};

describe('toGeminiRequest', () => {
  const cases: { name: string; request: ChatRequest; body: unknown }[] = [
    {
      name: 'a single user turn',
      request: { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hello' }] },
      body: { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] },
    },
    {
      name: 'system messages as systemInstruction, assistant turns as role model',
      request: {
        model: 'gemini-2.5-flash',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Salut' },
          { role: 'user', content: 'Again' },
        ],
      },
      body: {
        systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'Hi' }] },
          { role: 'model', parts: [{ text: 'Salut' }] },
          { role: 'user', parts: [{ text: 'Again' }] },
        ],
      },
    },
    {
      name: 'generation settings',
      request: {
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: 64,
        temperature: 0.2,
        top_p: 0.9,
        stop: ['END'],
        seed: 7,
        user: 'not-sent',
      },
      body: {
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        generationConfig: { maxOutputTokens: 64, temperature: 0.2, topP: 0.9, stopSequences: ['END'], seed: 7 },
      },
    },
    {
      name: 'response_format json_object',
      request: { model: 'm', messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } },
      body: { contents: [{ role: 'user', parts: [{ text: 'JSON please' }] }], generationConfig: { responseMimeType: 'application/json' } },
    },
    {
      name: 'response_format json_schema as a JSON Schema',
      request: {
        model: 'm',
        messages: [{ role: 'user', content: 'A person' }],
        response_format: { type: 'json_schema', json_schema_name: 'person', json_schema: '{"type":"object","properties":{"name":{"type":"string"}}}' },
      },
      body: {
        contents: [{ role: 'user', parts: [{ text: 'A person' }] }],
        generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    },
    {
      name: 'images inline, as data URLs and as URLs',
      request: {
        model: 'm',
        messages: [
          {
            role: 'user',
            content_parts: [
              { text: 'What is in these?' },
              { image: { mime_type: 'image/png', data: new Uint8Array([1, 2, 3]) } },
              { image: { mime_type: 'image/jpeg', data: 'AAEC' } },
              { image_url: { url: 'data:image/webp;base64,UklGRg==' } },
              { image_url: { url: 'https://example.com/cat.JPG?size=large' } },
              { image_url: { url: 'https://example.com/photo' } },
            ],
          },
        ],
      },
      body: {
        contents: [
          {
            role: 'user',
            parts: [
              { text: 'What is in these?' },
              { inlineData: { mimeType: 'image/png', data: 'AQID' } },
              { inlineData: { mimeType: 'image/jpeg', data: 'AAEC' } },
              { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } },
              { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=large' } },
              { fileData: { fileUri: 'https://example.com/photo' } },
            ],
          },
        ],
      },
    },
    {
      name: 'tools with tool_choice auto',
      request: { model: 'm', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool], tool_choice: { mode: 'auto' } },
      body: {
        contents: [{ role: 'user', parts: [{ text: 'Weather?' }] }],
        tools: [
          {
            functionDeclarations: [
              {
                name: 'get_weather',
                description: 'Current weather for a city',
                parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
              },
            ],
          },
        ],
        toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      },
    },
    {
      name: 'a tool without parameters, tool_choice none',
      request: { model: 'm', messages: [{ role: 'user', content: 'Time?' }], tools: [{ type: 'function', function: { name: 'now' } }], tool_choice: { mode: 'none' } },
      body: {
        contents: [{ role: 'user', parts: [{ text: 'Time?' }] }],
        tools: [{ functionDeclarations: [{ name: 'now' }] }],
        toolConfig: { functionCallingConfig: { mode: 'NONE' } },
      },
    },
    {
      name: 'tool_choice required as ANY',
      request: { model: 'm', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool], tool_choice: { mode: 'required' } },
      body: {
        contents: [{ role: 'user', parts: [{ text: 'Weather?' }] }],
        tools: [{ functionDeclarations: [expect.objectContaining({ name: 'get_weather' })] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      },
    },
    {
      name: 'tool_choice of one function as ANY with allowedFunctionNames',
      request: {
        model: 'm',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [weatherTool],
        tool_choice: { mode: 'function', function_name: 'get_weather' },
      },
      body: {
        contents: [{ role: 'user', parts: [{ text: 'Weather?' }] }],
        tools: [{ functionDeclarations: [expect.objectContaining({ name: 'get_weather' })] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      },
    },
    {
      name: 'a tool round trip: calls as functionCall parts, parallel results in one user turn, named from the call',
      request: {
        model: 'm',
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_a', content: '{"temp_c":18}' },
          { role: 'tool', tool_call_id: 'call_b', content: 'sunny, 24C' },
          { role: 'user', content: 'Thanks. And tomorrow?' },
        ],
      },
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
          {
            role: 'model',
            parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'get_weather', response: { temp_c: 18 } } },
              { functionResponse: { name: 'get_weather', response: { output: 'sunny, 24C' } } },
            ],
          },
          { role: 'user', parts: [{ text: 'Thanks. And tomorrow?' }] },
        ],
      },
    },
    {
      name: 'a tool result whose call is not in the history, named by the message',
      request: {
        model: 'm',
        messages: [
          { role: 'user', content: 'Go' },
          { role: 'tool', tool_call_id: 'elsewhere', name: 'lookup', content: '[1,2]' },
        ],
      },
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'Go' }] },
          { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { output: [1, 2] } } }] },
        ],
      },
    },
  ];

  it.each(cases)('translates $name', ({ request, body }) => {
    expect(toGeminiRequest(request)).toEqual(body);
  });

  it.each<{ name: string; request: Partial<ChatRequest> }>([
    { name: 'a tool result that answers no call', request: { messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] } },
    { name: 'an unknown role', request: { messages: [{ role: 'developer', content: 'x' }] } },
    { name: 'a tool_choice of a function without its name', request: { tool_choice: { mode: 'function' } } },
    {
      name: 'tool call arguments that are not JSON',
      request: { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{city' } }] }] },
    },
    {
      name: 'tool call arguments that are not an object',
      request: { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] },
    },
  ])('rejects $name as invalid_request', ({ request }) => {
    expect(() => toGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...request })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('fromGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['OTHER', false, 'error'],
    ['LANGUAGE', false, 'error'],
    ['FINISH_REASON_UNSPECIFIED', false, 'error'],
    [undefined, false, undefined],
  ])('maps %s (function calls: %s) to %s', (reason, called, unified) => {
    expect(fromGeminiFinishReason(reason, called)).toBe(unified);
  });
});

describe('fromGeminiUsage', () => {
  it.each([
    [undefined, undefined],
    [{ promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 }, { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }],
    [
      { promptTokenCount: 100, cachedContentTokenCount: 80, candidatesTokenCount: 5, thoughtsTokenCount: 20, totalTokenCount: 125 },
      { prompt_tokens: 100, completion_tokens: 25, total_tokens: 125, cached_prompt_tokens: 80 },
    ],
    [{ promptTokenCount: 10, toolUsePromptTokenCount: 4, candidatesTokenCount: 3 }, { prompt_tokens: 14, completion_tokens: 3, total_tokens: 17 }],
  ])('translates %j', (usage, unified) => {
    expect(fromGeminiUsage(usage)).toEqual(unified);
  });
});

describe('fromGeminiResponse', () => {
  it('translates text, thoughts left out, with usage', () => {
    const response: GeminiGenerateContentResponse = {
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'Thinking about it', thought: true }, { text: 'Hello ' }, { text: 'there.' }] },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 3, thoughtsTokenCount: 6, totalTokenCount: 13 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'resp-1',
    };
    expect(fromGeminiResponse('gemini', response)).toEqual({
      provider_response_id: 'resp-1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 },
    });
  });

  it('translates function calls with stable generated ids and finish tool_calls', () => {
    const response: GeminiGenerateContentResponse = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'now' } }],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      responseId: 'resp-2',
    };
    const result = fromGeminiResponse('gemini', response);
    const first = geminiToolCallId('resp-2', 0, 0, { name: 'get_weather', args: { city: 'Paris' } });
    const second = geminiToolCallId('resp-2', 0, 1, { name: 'now' });
    expect(first).toMatch(/^call_[0-9a-f]{24}$/);
    expect(second).not.toBe(first);
    expect(result).toEqual({
      provider_response_id: 'resp-2',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: first, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: second, type: 'function', function: { name: 'now', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
    expect(fromGeminiResponse('gemini', response)).toEqual(result);
  });

  // Regression: Gemini 3 refuses a turn whose history returns a function call without its
  // thoughtSignature, and the gateway dropped it, so every second tool-calling turn failed with 400.
  describe('thought signatures', () => {
    const signed: GeminiGenerateContentResponse = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQB+/9x' },
              { functionCall: { name: 'now' } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      responseId: 'resp-3',
    };

    it('carry a function call\'s signature in its id, within the characters Anthropic allows in ids', () => {
      const [first, second] = fromGeminiResponse('gemini', signed).choices[0].message.tool_calls!;
      expect(first.id).toBe(`${geminiToolCallId('resp-3', 0, 0, { name: 'get_weather', args: { city: 'Paris' } })}__thought__CiQB-_9x`);
      expect(first.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(second.id).toBe(geminiToolCallId('resp-3', 0, 1, { name: 'now' }));
      const streamed = new GeminiStreamTranslator().translate(signed).flatMap((event) => event.tool_calls ?? []);
      expect(streamed.map((call) => call.id)).toEqual([first.id, second.id]);
    });

    it('go back on the function call part when the call returns in the history', () => {
      const [first, second] = fromGeminiResponse('gemini', signed).choices[0].message.tool_calls!;
      const body = toGeminiRequest({
        model: 'gemini-3-pro-preview',
        messages: [
          { role: 'user', content: 'Weather and time in Paris?' },
          { role: 'assistant', tool_calls: [first, second] },
          { role: 'tool', tool_call_id: first.id, content: '{"temp":18}' },
          { role: 'tool', tool_call_id: second.id, content: '{"time":"12:00"}' },
        ],
      });
      expect(body.contents[1].parts).toEqual([
        { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQB+/9x' },
        { functionCall: { name: 'now', args: {} } },
      ]);
      expect(body.contents[2].parts.map((part) => part.functionResponse?.name)).toEqual(['get_weather', 'now']);
    });

    it.each(['QQ==', 'QUI=', 'QUJD', 'a+b/c+d/eA=='])('round-trip %s, whatever its padding', (signature) => {
      const [call] = fromGeminiResponse('gemini', {
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'f' }, thoughtSignature: signature }] }, finishReason: 'STOP', index: 0 }],
      }).choices[0].message.tool_calls!;
      expect(thoughtSignatureOf(call.id)).toBe(signature);
    });
  });

  it("keeps Gemini's own call id when it gives one", () => {
    expect(geminiToolCallId('r', 0, 0, { id: 'abc', name: 'f' })).toBe('abc');
  });

  it('translates a blocked prompt as content_filter', () => {
    expect(fromGeminiResponse('gemini', { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 } })).toEqual({
      choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' }],
      usage: { prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 },
    });
  });

  it('translates a candidate stopped by a safety filter, without content', () => {
    expect(fromGeminiResponse('gemini', { candidates: [{ finishReason: 'SAFETY', index: 0 }] }).choices).toEqual([
      { index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' },
    ]);
  });

  it.each([[{}], [null], [{ candidates: [] }]])('rejects %j as provider_bad_response', (response) => {
    expect(() => fromGeminiResponse('gemini', response as GeminiGenerateContentResponse)).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });
});

describe('GeminiStreamTranslator', () => {
  it('translates text chunks, the finish reason and the final usage', () => {
    const translator = new GeminiStreamTranslator();
    const chunks: GeminiGenerateContentResponse[] = [
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, index: 0 }], usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 }, responseId: 'r' },
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
        responseId: 'r',
      },
    ];
    expect(translator.finished).toBe(false);
    expect(chunks.map((chunk) => translator.translate(chunk))).toEqual([
      [{ index: 0, role: 'assistant', content: 'Hel', provider_response_id: 'r', usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 } }],
      [{ index: 0, content: 'lo', finish_reason: 'stop', provider_response_id: 'r', usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } }],
    ]);
    expect(translator.finished).toBe(true);
  });

  it('gives streamed function calls the ids and finish the same response gets unstreamed', () => {
    const whole: GeminiGenerateContentResponse = {
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }] },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      responseId: 'r9',
    };
    const chunks: GeminiGenerateContentResponse[] = [
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] }, index: 0 }], responseId: 'r9' },
      { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Rome' } } }] }, index: 0 }], responseId: 'r9' },
      { candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], responseId: 'r9' },
    ];
    const translator = new GeminiStreamTranslator();
    const accumulator = new StreamAccumulator();
    for (const chunk of chunks) for (const event of translator.translate(chunk)) accumulator.add(event);
    expect(accumulator.result()).toEqual(fromGeminiResponse('gemini', whole));
  });

  it('ends a stream whose prompt was blocked with content_filter', () => {
    const translator = new GeminiStreamTranslator();
    expect(translator.translate({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, responseId: 'b' })).toEqual([
      { index: 0, role: 'assistant', finish_reason: 'content_filter', provider_response_id: 'b' },
    ]);
    expect(translator.finished).toBe(true);
  });
});

describe('embeddings', () => {
  it('translates the request for batchEmbedContents', () => {
    expect(toGeminiEmbedRequest({ model: 'text-embedding-004', input: ['a', 'b'], dimensions: 256 })).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 256 },
      ],
    });
  });

  it('translates the response in input order', () => {
    expect(fromGeminiEmbedResponse('gemini', { embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] }, 2)).toEqual({
      data: [
        { index: 0, embedding: [0.1, 0.2] },
        { index: 1, embedding: [0.3, 0.4] },
      ],
    });
  });

  it.each([
    [{}, 1],
    [{ embeddings: [{}] }, 1],
    [{ embeddings: [{ values: [1] }] }, 2],
  ])('rejects %j for %d inputs as provider_bad_response', (response, inputs) => {
    expect(() => fromGeminiEmbedResponse('gemini', response as never, inputs)).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });
});

describe('geminiModelName', () => {
  it.each([
    ['gemini-2.5-flash', 'models/gemini-2.5-flash'],
    ['models/gemini-2.5-pro', 'models/gemini-2.5-pro'],
    ['tunedModels/my-model', 'tunedModels/my-model'],
  ])('names %s as %s', (model, name) => {
    expect(geminiModelName(model)).toBe(name);
  });
});
