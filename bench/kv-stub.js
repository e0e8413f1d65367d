// Backend for the FITS kvNamespace binding in bench/workerd.capnp: an empty KV namespace.
// workerd turns KV calls into HTTP requests to this service. Single-key reads get 404 (= null).
// A bulk read (POST /bulk/get, used by the fit registry) must get 200 with a key -> null map, as
// Miniflare's empty KV answers; a 404 there makes kv.get([...]) throw "KV GET_BULK failed".
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/bulk/get") {
      const { keys } = await request.json();
      return Response.json(Object.fromEntries(keys.map((key) => [key, null])));
    }
    return new Response(null, { status: 404 });
  },
};
