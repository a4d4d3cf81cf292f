/**
 * The public base URL of served audio: derived from the host's LAN address and Node-RED's settings
 * when not set, checked when set.
 */
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { checkBaseUrl, defaultBaseUrl, lanAddress } from '../src/output/served-audio/public-url';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as unknown as NetworkInterfaceInfo;
const NET = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('fe80::1', 'IPv6', false), iface('192.168.1.20', 'IPv4', false)],
  wlan0: [iface('10.0.0.7', 'IPv4', false)],
};

describe('audio base URL', function () {
  it('lanAddress: the first non-internal IPv4, none on a machine with only loopback', function () {
    assert.equal(lanAddress(NET), '192.168.1.20');
    assert.equal(lanAddress({ lo: NET.lo }), undefined);
  });

  it('default: LAN address, uiPort and httpNodeRoot; 127.0.0.1 without a network', function () {
    assert.equal(defaultBaseUrl({}, NET), 'http://192.168.1.20:1880/');
    assert.equal(defaultBaseUrl({ uiPort: 8080, httpNodeRoot: '/api' }, NET), 'http://192.168.1.20:8080/api/');
    assert.equal(defaultBaseUrl({ uiPort: 1880, https: { key: 'k' } }, NET), 'https://192.168.1.20:1880/');
    assert.equal(defaultBaseUrl({ uiHost: '0.0.0.0' }, NET), 'http://192.168.1.20:1880/');
    assert.equal(defaultBaseUrl({}, { lo: NET.lo }), 'http://127.0.0.1:1880/');
  });

  it('default: the one address Node-RED is bound to, when uiHost names one', function () {
    assert.equal(defaultBaseUrl({ uiHost: '127.0.0.1', uiPort: 1881 }, NET), 'http://127.0.0.1:1881/');
    assert.equal(defaultBaseUrl({ uiHost: 'fd00::5' }, NET), 'http://[fd00::5]:1880/');
  });

  it('a set base URL: absolute http(s), slash added; anything else refused with the reason', function () {
    assert.equal(checkBaseUrl('http://pi.local:1880'), 'http://pi.local:1880/');
    assert.equal(checkBaseUrl(' https://example.org/nodered/ '), 'https://example.org/nodered/');
    assert.throws(() => checkBaseUrl('pi.local:1880'), /must be http:\/\/ or https:\/\//);
    assert.throws(() => checkBaseUrl('/relative'), /not an absolute URL/);
    assert.throws(() => checkBaseUrl('ftp://x/'), /must be http/);
    assert.throws(() => checkBaseUrl('http://x/?a=1'), /query or a fragment/);
  });
});
