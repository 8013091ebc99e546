// A multipart/form-data body as OpenAI's uploads send it (POST /v1/files, /v1/audio/transcriptions):
// text fields and one file part, each within its bounds, read by busboy as it arrives.
import type * as http from 'node:http';
import busboy from 'busboy';
import { GatewayError, InvalidFieldError } from '@switchyard/contracts';
import { tooLarge } from './request-body';

export interface MultipartLimits {
  /** The file part's name, e.g. file. */
  fileField: string;
  fileBytes: number;
  /** The text fields the form may hold; they are few and short. */
  fields: number;
  fieldBytes: number;
  /** What to tell a caller who sent something else, e.g. "with the fields purpose and file". */
  expected: string;
}

export interface MultipartForm {
  fields: Record<string, string>;
  /** Absent when the form held no file part. */
  file?: { filename: string; mimeType: string; content: Buffer };
}

export function readMultipart(req: http.IncomingMessage, limits: MultipartLimits): Promise<MultipartForm> {
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    return Promise.reject(new GatewayError('invalid_request', `send the form as multipart/form-data, ${limits.expected}`));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: limits.fileBytes, files: 1, fields: limits.fields, fieldSize: limits.fieldBytes, parts: limits.fields + 2 } });
    } catch (error) {
      reject(new GatewayError('invalid_request', `the form is not valid multipart/form-data: ${(error as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    let file: MultipartForm['file'];
    let failed: GatewayError | undefined;
    const fail = (error: GatewayError) => {
      failed ??= error;
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new InvalidFieldError(name, `is longer than the ${limits.fieldBytes} bytes a field may hold`));
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== limits.fileField) {
        stream.resume();
        return fail(new InvalidFieldError(name, `is not a file part of this form; send the file as the part named ${limits.fileField}`));
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge(limits.fileBytes)));
      stream.on('end', () => {
        file = { filename: info.filename ?? '', mimeType: info.mimeType, content: Buffer.concat(chunks) };
      });
    });
    parser.on('fieldsLimit', () => fail(new GatewayError('invalid_request', `the form holds more than ${limits.fields} fields`)));
    parser.on('partsLimit', () => fail(new GatewayError('invalid_request', `the form holds more than ${limits.fields + 2} parts`)));
    parser.on('filesLimit', () => fail(new GatewayError('invalid_request', 'the form holds more than one file')));
    parser.on('error', (error: Error) => reject(new GatewayError('invalid_request', `the form is not valid multipart/form-data: ${error.message}`)));
    parser.on('close', () => (failed ? reject(failed) : resolve({ fields, ...(file ? { file } : {}) })));
    req.pipe(parser);
  });
}
