// A plugin host and a package registry on a loopback port, started before a
// test file's tests and closed after them: what every registry-install test
// stands on. The hooks are registered by the call, so call it at the top
// level of the test file.
import { after, before } from 'node:test';
import { startFixture, type RegistryFixture } from '../../registry/test/helpers/registry-fixture.ts';
import { startHostFixture, type HostFixture } from './host-fixture.ts';

export interface HostAndRegistry {
  readonly fx: HostFixture;
  readonly registry: RegistryFixture;
}

export function hostAndRegistryAroundTheseTests(): HostAndRegistry {
  let started: { fx: HostFixture; registry: RegistryFixture } | undefined;
  before(async () => {
    const [fx, registry] = await Promise.all([startHostFixture(), startFixture()]);
    started = { fx, registry };
  });
  after(async () => {
    await started?.fx.close();
    await started?.registry.close();
  });
  const running = () => {
    if (!started) throw new Error('the host and the registry start in before(): use them inside a test');
    return started;
  };
  return {
    get fx() { return running().fx; },
    get registry() { return running().registry; },
  };
}
