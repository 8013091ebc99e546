import { signAwsRequest } from './sigv4';

// AWS's documented example credentials, used by its SigV4 test suite.
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('signAwsRequest', () => {
  // AWS SigV4 test suite, get-vanilla and post-vanilla: region us-east-1, service "service",
  // 20150830T123600Z, host example.amazonaws.com, path /, empty body.
  it.each([
    ['GET', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    ['POST', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
  ] as const)('reproduces AWS test-suite vector %s-vanilla', async (method, signature) => {
    const headers = await signAwsRequest({
      method,
      url: 'https://example.amazonaws.com/',
      headers: {},
      body: '',
      credentials,
      region: 'us-east-1',
      service: 'service',
      signingDate: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers).toEqual({
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    });
  });

  // Computed independently by sigv4-vector.py (hashlib/hmac, no AWS SDK). It pins the two things
  // Bedrock signers get wrong: the model id's %3A is signed double-encoded (%253A), and the session
  // token is a signed header.
  it('signs a Converse call with a session token as the independent vector does', async () => {
    const headers = await signAwsRequest({
      method: 'POST',
      url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}',
      credentials: { ...credentials, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==' },
      region: 'us-east-1',
      service: 'bedrock',
      signingDate: new Date('2024-06-20T12:00:00Z'),
    });
    expect(headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      host: 'bedrock-runtime.us-east-1.amazonaws.com',
      'x-amz-date': '20240620T120000Z',
      'x-amz-security-token': 'IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240620/us-east-1/bedrock/aws4_request, ' +
        'SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, ' +
        'Signature=0f586e4c23919cf67751c411bd4dfc0687ebf075864340d666fd2bf42e65fee7',
    });
  });

  it('signs the body: another body is another signature', async () => {
    const sign = (body: string) =>
      signAwsRequest({ method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, body, credentials, region: 'us-east-1', service: 'service', signingDate: new Date(0) });
    expect((await sign('{"a":1}')).authorization).not.toBe((await sign('{"a":2}')).authorization);
  });

  it('signs the port of a non-default host, as fetch sends it', async () => {
    const headers = await signAwsRequest({ method: 'POST', url: 'http://127.0.0.1:4566/model/m/converse', headers: {}, body: '{}', credentials, region: 'us-east-1', service: 'bedrock' });
    expect(headers.host).toBe('127.0.0.1:4566');
  });
});
