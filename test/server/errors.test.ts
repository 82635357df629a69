import { describe, expect, it } from 'vitest';
import { errorStatus, NotFoundError } from '../../server/errors.js';

describe('errorStatus', () => {
  it('passes a client error\'s status, code and message through', () => {
    expect(errorStatus(new NotFoundError('sweep', 9))).toEqual({ status: 404, code: 'not_found', message: 'sweep 9 not found' });
  });

  it('hides the cause of any server-side error, whatever its status and code', () => {
    const sqlite = Object.assign(new Error('database is locked at /secret/path'), { code: 'SQLITE_BUSY' });
    expect(errorStatus(sqlite)).toEqual({ status: 500, code: 'internal', message: 'internal server error' });
    const gateway = Object.assign(new Error('upstream detail'), { status: 503, code: 'x' });
    expect(errorStatus(gateway)).toEqual({ status: 503, code: 'internal', message: 'internal server error' });
  });

  it('names the body errors express reports', () => {
    expect(errorStatus({ status: 413, type: 'entity.too.large', message: 'request entity too large' }).code).toBe('too_large');
    expect(errorStatus({ status: 400, type: 'entity.parse.failed', message: 'Unexpected end' }).code).toBe('bad_json');
  });
});
