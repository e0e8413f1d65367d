import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RegistryCache, RegistrySnapshot } from "./store/fit-registry.ts";
import type { UserFitCache, UserFitStore } from "./store/user-fits.ts";

/** What the app needs from the outside world; tests pass their own. */
export interface AppDeps {
  registryCache: RegistryCache;
  /** The isolate's memory of user-fit coefficient records; one per isolate (or per test). */
  userFitCache?: UserFitCache;
  /** Milliseconds since the epoch. */
  now: () => number;
  log: (message: string) => void;
  registryTtlMs?: number;
  kvTimeoutMs?: number;
}

export type AppEnv = {
  Bindings: Cloudflare.Env;
  Variables: {
    /**
     * The fit registry for a request: the published fits (cached in the isolate) plus any
     * user-fitted ids named in `selection` (a comma-separated list or an array of ids), read
     * from KV in parallel. Pass the request's `fit` selection; every interface uses this.
     */
    fits: (selection?: string | readonly string[]) => Promise<RegistrySnapshot>;
    /** The user-fit store for this request (KV namespace, isolate cache, timeout, log). */
    userFits: UserFitStore;
  };
};

export type App = OpenAPIHono<AppEnv>;

/** A feature module: adds its routes (and middleware) to the app. */
export type Register = (app: App, deps: AppDeps) => void;
