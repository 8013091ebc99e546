export default async function globalTeardown(): Promise<void> {
  await globalThis.__SWITCHYARD_INFRA__?.stop();
}
