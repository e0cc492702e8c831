import { strict as assert } from 'node:assert';
import { connectFacts, execFacts, fsFacts, httpRequestFacts, spawnFacts, algorithmFacts, forkFacts } from '../../src/builtins/facts.js';
import { errorResult, isWeakAlgorithm, summariseValue, urlText } from '../../src/builtins/summaries.js';

describe('builtins facts (argument summaries)', () => {
  it('fs: path, fd, mode as octal, open flags, world_writable', () => {
    assert.deepEqual(fsFacts(['/etc/hostname'], 'readFileSync'), { args: { path: '/etc/hostname' }, subject: '/etc/hostname' });
    assert.deepEqual(fsFacts([3], 'readFileSync'), { args: { fd: 3 } });
    assert.deepEqual(fsFacts([new URL('file:///tmp/a%20b')], 'stat'), { args: { path: '/tmp/a b' }, subject: '/tmp/a b' });
    assert.deepEqual(fsFacts(['/tmp/x', 'w', 0o666], 'openSync'), {
      args: { path: '/tmp/x', oflags: 'O_WRONLY|O_CREAT|O_TRUNC', mode: '0666' },
      subject: '/tmp/x',
      flags: ['world_writable'],
    });
    assert.deepEqual(fsFacts(['/tmp/d', { recursive: true, mode: 0o755 }], 'mkdirSync').args, { path: '/tmp/d', mode: '0755' });
  });

  it('child_process: program, shell commands redacted and flagged', () => {
    assert.deepEqual(spawnFacts(['ls', ['-l']]), { args: { program: 'ls' }, subject: 'ls' });
    assert.deepEqual(spawnFacts(['curl', ['--password', 'x'], { shell: true }]), {
      args: { program: '/bin/sh', command: 'curl --password x' },
      subject: '/bin/sh',
      flags: ['shell'],
    });
    assert.deepEqual(execFacts(['mysql --password=hunter2 -e "select 1"']).args, { program: '/bin/sh', command: 'mysql --password=*** -e "select 1"' });
    assert.equal(forkFacts(['/app/w.js']).args?.['path'], '/app/w.js');
  });

  it('net/tls: peer, host and verify_none', () => {
    assert.deepEqual(connectFacts([5432, 'db.local'], false), { args: { peer: 'db.local:5432', host: 'db.local' }, subject: 'db.local:5432' });
    assert.deepEqual(connectFacts([{ host: '::1', port: 443, rejectUnauthorized: false, servername: 'api.example' }], true), {
      args: { peer: '[::1]:443', host: 'api.example' },
      subject: '[::1]:443',
      flags: ['verify_none'],
    });
    assert.deepEqual(connectFacts(['/run/app.sock'], false), { args: { path: '/run/app.sock' }, subject: '/run/app.sock' });
  });

  it('http: url without query or credentials, plain_http when secrets go out unencrypted', () => {
    const f = httpRequestFacts(['http://user:pw@api.example:8080/v1/x?token=abc', { headers: { Authorization: 'Bearer t' } }], 'http:');
    assert.deepEqual(f.args, { method: 'GET', url: 'http://api.example:8080/v1/x', host: 'api.example', peer: 'api.example:8080' });
    assert.deepEqual(f.flags, ['plain_http']);
    const tls = httpRequestFacts([{ hostname: 'x.example', path: '/a?b=c', method: 'post', rejectUnauthorized: false }], 'https:');
    assert.deepEqual(tls.args, { method: 'POST', url: 'https://x.example/a', host: 'x.example', peer: 'x.example:443' });
    assert.deepEqual(tls.flags, ['verify_none']);
    assert.equal(httpRequestFacts(['https://x.example/', { headers: { authorization: 'x' } }], 'https:').flags, undefined);
  });

  it('crypto: algorithms and weak ones', () => {
    for (const weak of ['md5', 'sha1', 'SHA1', 'des-ede3-cbc', 'aes-128-ecb', 'rc4', 'RSA-MD5']) assert.ok(isWeakAlgorithm(weak), weak);
    for (const strong of ['sha256', 'sha512', 'aes-256-gcm', 'chacha20-poly1305', 'sha3-256']) assert.ok(!isWeakAlgorithm(strong), strong);
    assert.deepEqual(algorithmFacts(['MD5']), { args: { algorithm: 'md5' }, subject: 'md5', flags: ['weak_algorithm'] });
  });

  it('results: shapes, never contents; errno positive', () => {
    assert.equal(summariseValue(Buffer.from('abc')), 'buffer(3)');
    assert.equal(summariseValue('secret text'), 'string(11)');
    assert.equal(summariseValue(new Map()), 'Map');
    assert.deepEqual(errorResult(Object.assign(new Error('x'), { code: 'ENOENT', errno: -2 })), { errno: 2, error: 'ENOENT' });
    assert.deepEqual(errorResult(new TypeError('x')), { error: 'TypeError' });
    assert.equal(urlText('https://a:b@h.example/p?q=1#f'), 'https://a:***@h.example/p');
    assert.equal(urlText(new URL('https://h.example/reset/0123456789abcdef0123456789abcdef01234567/ok')), 'https://h.example/reset/***/ok');
  });
});
