import { strict as assert } from 'node:assert';
import { ApiUsageTable, WebApiTable } from '../../src/runtime/usage-tables.js';

describe('runtime usage tables', () => {
  it('api_usage: sums per (api, caller, subject), unions flags, and drains deltas', () => {
    const t = new ApiUsageTable();
    t.add({ api: 'node:Math.random', category: 'random', caller: '/a', count: 2, t: 10, flags: ['weak_random'] });
    t.add({ api: 'node:Math.random', category: 'random', caller: '/a', count: 3, t: 20, flags: ['secret_context'] });
    t.add({ api: 'node:Math.random', category: 'random', caller: '/b', count: 1, t: 15 });
    const first = t.drain();
    assert.deepEqual(first, [
      {
        kind: 'api_usage',
        api: 'node:Math.random',
        category: 'random',
        caller: '/a',
        count: 5,
        first_t: 10,
        last_t: 20,
        flags: ['secret_context', 'weak_random'],
      },
      { kind: 'api_usage', api: 'node:Math.random', category: 'random', caller: '/b', count: 1, first_t: 15, last_t: 15 },
    ]);
    assert.deepEqual(t.drain(), []);
    t.add({ api: 'node:Math.random', category: 'random', caller: '/a', count: 1, t: 30 });
    assert.equal(t.drain()[0]!.count, 1);
  });

  it('web_api: counts per key with duration min/max/sum', () => {
    const t = new WebApiTable();
    t.add({ direction: 'served', method: 'GET', route: '/users/:id', status: 200, t: 5, dur_ns: 100 });
    t.add({ direction: 'served', method: 'GET', route: '/users/:id', status: 200, t: 7, dur_ns: 50 });
    t.add({ direction: 'served', method: 'GET', route: '/users/:id', status: 404, t: 9, dur_ns: 10 });
    const out = t.drain();
    assert.equal(out.length, 2);
    assert.deepEqual(out[0], {
      kind: 'web_api',
      direction: 'served',
      method: 'GET',
      route: '/users/:id',
      status: 200,
      count: 2,
      first_t: 5,
      last_t: 7,
      dur_ns: { min: 50, max: 100, sum: 150 },
    });
  });
});
