import { LocalCloud, LocalCloudInfo } from '../../packages/local-cloud/src';

/**
 * Runs a benchmark against the local cloud: reuses a running one, or starts one and stops it
 * afterwards, so a benchmark leaves the machine as it found it.
 */
export async function withLocalCloud<T>(
  say: (line: string) => void,
  measure: (cloud: LocalCloud, info: LocalCloudInfo) => Promise<T>,
): Promise<T> {
  const cloud = new LocalCloud({ progress: line => say(`local-cloud: ${line}`) });
  const wasUp = (await cloud.status()).every(c => c.healthy);
  const info = await cloud.up();
  try {
    return await measure(cloud, info);
  } finally {
    if (!wasUp) {
      say('stopping the local cloud this benchmark started');
      await cloud.down();
    }
  }
}
