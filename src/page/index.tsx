import type { Register } from "../types.ts";

/** The web page: `/`, `/embed`, link previews (issue 3). Placeholder: a JSON index. */
export const registerPage: Register = (app) => {
  app.get("/", (c) =>
    c.json({
      name: "compute-optimal",
      description:
        "Compute-optimal model size, tokens and loss for a training budget, under Chinchilla, Kaplan and later fits.",
      endpoints: {
        allocate: "/api/v1/allocate?flops=1e24",
        predict: "/api/v1/predict?params=70B&tokens=1.4T",
        fits: "/api/v1/fits",
        gpus: "/api/v1/gpus",
      },
    }),
  );
};
