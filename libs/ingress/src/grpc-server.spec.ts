// The gRPC front door's translation of decoded messages into unified requests, which the same
// validation as HTTP's then holds to its bounds.
import * as protoLoader from '@grpc/proto-loader';
import { GATEWAY_PROTO, GATEWAY_SERVICE, InvalidFieldError, PROTO_LOADER_OPTIONS, validateImageGenerationRequest } from '@switchyard/contracts';
import { fromGrpcImageGenerationRequest } from './grpc-server';

describe('gRPC GenerateImage translation', () => {
  it('takes quality and style, and empty or auto as the provider\'s default', () => {
    expect(fromGrpcImageGenerationRequest({ model: 'dall-e-3', prompt: 'p', size: '1792x1024', quality: 'hd', style: 'natural', user: '', metadata: {} })).toEqual({ model: 'dall-e-3', prompt: 'p', size: '1792x1024', quality: 'hd', style: 'natural' });
    expect(fromGrpcImageGenerationRequest({ model: 'dall-e-3', prompt: 'p', size: '', quality: '', style: '', user: '', metadata: {} })).toEqual({ model: 'dall-e-3', prompt: 'p' });
    expect(fromGrpcImageGenerationRequest({ model: 'gpt-image-1', prompt: 'p', quality: 'auto' })).toEqual({ model: 'gpt-image-1', prompt: 'p' });
  });

  it('holds a bad quality or style to the same validation as HTTP', () => {
    expect(() => validateImageGenerationRequest(fromGrpcImageGenerationRequest({ model: 'dall-e-3', prompt: 'p', quality: 'ultra' }))).toThrow(new InvalidFieldError('quality', 'is "ultra"; expected one of standard, hd, low, medium, high'));
    expect(() => validateImageGenerationRequest(fromGrpcImageGenerationRequest({ model: 'dall-e-3', prompt: 'p', style: 'cartoon' }))).toThrow(new InvalidFieldError('style', 'is "cartoon"; expected one of vivid, natural'));
  });

  it('reads quality and style from a GenerateImage message as the wire carries it', () => {
    const definition = protoLoader.loadSync(GATEWAY_PROTO, PROTO_LOADER_OPTIONS);
    const method = (definition[GATEWAY_SERVICE] as Record<string, protoLoader.MethodDefinition<object, object>>).GenerateImage;
    const wire = method.requestSerialize({ model: 'dall-e-3', prompt: 'p', size: '1792x1024', quality: 'hd', style: 'vivid' });
    expect(fromGrpcImageGenerationRequest(method.requestDeserialize(wire))).toEqual({ model: 'dall-e-3', prompt: 'p', size: '1792x1024', quality: 'hd', style: 'vivid' });
  });
});
