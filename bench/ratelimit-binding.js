// The FIT_WRITES rate limiter for raw workerd (bench/worst.ts), which has no native ratelimit
// binding: a wrapped binding (an internal extension module, as Miniflare builds its own) with
// the `limit({ key })` API of Workers Rate Limiting. It counts per key in fixed windows of
// `period` seconds, `limit` calls each (wrangler.toml: 10 per 60 s), in the isolate's memory, so
// a workerd restart forgets the counts. No subrequest: the check costs the Worker what a call to
// the real binding costs it, next to nothing.
export default function rateLimiter(env) {
  const limit = Number(env.limit);
  const periodMs = Number(env.period) * 1000;
  const windows = new Map();
  return {
    async limit({ key = "" } = {}) {
      const now = Date.now();
      const window = windows.get(key);
      if (!window || now - window.start >= periodMs) {
        windows.set(key, { start: now, count: 1 });
        return { success: true };
      }
      window.count++;
      return { success: window.count <= limit };
    },
  };
}
